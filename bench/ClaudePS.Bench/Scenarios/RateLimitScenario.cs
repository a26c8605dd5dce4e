using System.Diagnostics;
using Anthropic;
using Anthropic.Models.Messages;
using ClaudePS.Emulator;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Bench;

/// <summary>
/// Rate-limit efficiency: many prompts from many callers against emulator limits that bind (requests,
/// input and output tokens per minute, sized so the run takes about a minute). Measures throughput as a
/// share of the theoretical ceiling, 429s and failed rows, for ClaudePS and for the official Anthropic
/// .NET SDK driven the naive way (all callers at once, default retries), each on a fresh emulator.
/// </summary>
public sealed class RateLimitScenario : IBenchScenario
{
    public string Name => "ratelimit";

    private const int ReplyTokens = 20;

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        int prompts = context.Quick ? 120 : 2000;
        int callers = context.Quick ? 16 : 64;
        // Limits: the bucket holds one minute's worth, so N prompts at a limit of L per minute need
        // 60 × (N − L) / L seconds. L = N / 2 makes that about a minute.
        int rpmTarget = context.Quick ? 112 : 1000;
        long inputPerPrompt = await MeasureInputTokensAsync(cancellationToken);
        var limits = new Limits(
            Rpm: (int)(rpmTarget * 1.05),
            Itpm: (int)(rpmTarget * inputPerPrompt),
            Otpm: (int)(rpmTarget * ReplyTokens * 1.1));
        context.Log.WriteLine($"[ratelimit] {prompts} prompts, {callers} callers, limits {limits.Rpm} RPM / {limits.Itpm} input TPM / {limits.Otpm} output TPM (~{inputPerPrompt} input, {ReplyTokens} output tokens a prompt)");

        var ours = await RunClaudePsAsync(prompts, callers, limits, cancellationToken);
        context.Log.WriteLine($"[ratelimit] ClaudePS: {ours}");
        var sdk = await RunSdkAsync(prompts, callers, limits, context.Log, cancellationToken);
        context.Log.WriteLine($"[ratelimit] Anthropic SDK: {sdk}");

        const string baseline = "Anthropic SDK (Task.WhenAll, default retries)";
        return new[]
        {
            new BenchResult(Name, "throughput_share_of_ceiling", ours.ShareOfCeiling * 100, "%", baseline, sdk.ShareOfCeiling * 100, ">= 95 %", ours.ShareOfCeiling >= 0.95),
            new BenchResult(Name, "responses_429", ours.Percent429, "% of requests", baseline, sdk.Percent429, "<= 1 %", ours.Percent429 <= 1),
            new BenchResult(Name, "rows_failed", ours.Failed, "rows", baseline, sdk.Failed, "0", ours.Failed == 0),
            new BenchResult(Name, "duration", ours.Seconds, "s", baseline, sdk.Seconds),
            new BenchResult(Name, "ceiling_duration", ours.CeilingSeconds, "s"),
        };
    }

    private sealed record Limits(int Rpm, int Itpm, int Otpm);

    private sealed record Run(int Prompts, int Failed, long Requests, long RateLimited, double Seconds, double CeilingSeconds)
    {
        // Failed rows count as work not done, so a fast run that drops rows does not score above 100 %.
        public double ShareOfCeiling => Seconds <= 0 ? 0 : Math.Min(1.0, CeilingSeconds / Seconds) * (Prompts - Failed) / Prompts;
        public double Percent429 => Requests == 0 ? 0 : 100.0 * RateLimited / Requests;
        public override string ToString() =>
            $"{Prompts - Failed}/{Prompts} ok, {Failed} failed, {Requests} requests, {RateLimited} answered 429 ({Percent429:0.00} %), {Seconds:0.0} s vs ceiling {CeilingSeconds:0.0} s ({ShareOfCeiling * 100:0.0} %)";
    }

    private static string PromptText(int i) => $"Row {i:D5}: classify this ticket about a printer that will not print on the third floor.";

    private static EmulatorOptions Options(Limits l) => new()
    {
        RequestsPerMinute = l.Rpm,
        InputTokensPerMinute = l.Itpm,
        OutputTokensPerMinute = l.Otpm,
        ReplyTokens = ReplyTokens,
    };

    private static async Task<long> MeasureInputTokensAsync(CancellationToken ct)
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions());
        using var connection = BenchConnections.To(emulator.BaseUri);
        return await connection.Client.CountTokensAsync(MessageRequest.ForPrompt(PromptText(0)), ct);
    }

    private static async Task<Run> RunClaudePsAsync(int prompts, int callers, Limits limits, CancellationToken ct)
    {
        await using var emulator = await EmulatorServer.StartAsync(Options(limits));
        using var connection = BenchConnections.To(emulator.BaseUri, o => o.Resilience.MaxConcurrency = callers);
        int failed = 0;
        var watch = Stopwatch.StartNew();
        await BenchConnections.ForEachAsync(prompts, callers, async i =>
        {
            try { await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt(PromptText(i), maxTokens: 64), null, ct); }
            catch (ClaudeException) { Interlocked.Increment(ref failed); }
        }, ct);
        return Summarize(emulator, limits, prompts, failed, watch.Elapsed.TotalSeconds);
    }

    private static async Task<Run> RunSdkAsync(int prompts, int callers, Limits limits, TextWriter log, CancellationToken ct)
    {
        await using var emulator = await EmulatorServer.StartAsync(Options(limits));
        var spy = new FirstErrorBody { InnerHandler = new SocketsHttpHandler() };
        var client = new AnthropicClient { ApiKey = BenchConnections.Key, BaseUrl = emulator.BaseUri.ToString().TrimEnd('/'), HttpClient = new HttpClient(spy) };
        int failed = 0;
        string? firstError = null;
        var watch = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(callers);
        // The naive way: start every prompt, let `callers` run at once, rely on the SDK's own retries.
        await Task.WhenAll(Enumerable.Range(0, prompts).Select(async i =>
        {
            await gate.WaitAsync(ct);
            try
            {
                await client.Messages.Create(new MessageCreateParams
                {
                    Model = "claude-sonnet-4-5",
                    MaxTokens = 64,
                    Messages = [new MessageParam(new UserMessageParam(PromptText(i)))],
                }, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (Interlocked.Increment(ref failed) == 1) firstError = ex.GetType().Name + ": " + ex.Message;
            }
            finally { gate.Release(); }
        }));
        if (firstError is not null) log.WriteLine($"[ratelimit] Anthropic SDK, first failure: {firstError} {spy.Body}");
        return Summarize(emulator, limits, prompts, failed, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The ceiling: the time the limits force on the billed workload (a full bucket, then refill).</summary>
    private static Run Summarize(EmulatorServer emulator, Limits limits, int prompts, int failed, double seconds)
    {
        var billed = emulator.State.Accounting.Billed();
        // Ceiling for the whole workload: scale the billed totals up to all prompts when some failed.
        double scale = billed.Count == 0 ? 1 : (double)prompts / billed.Count;
        double input = billed.Sum(r => (double)(r.Usage!.InputTokens + r.Usage.CacheCreationInputTokens)) * scale;
        double output = billed.Sum(r => (double)r.Usage!.OutputTokens) * scale;
        double ceiling = new[]
        {
            Needed(prompts, limits.Rpm),
            Needed(input, limits.Itpm),
            Needed(output, limits.Otpm),
        }.Max();
        var accounting = emulator.State.Accounting;
        return new Run(prompts, failed, accounting.Requests, accounting.RateLimitedResponses, seconds, ceiling);
    }

    private static double Needed(double total, double perMinute) => perMinute <= 0 ? 0 : Math.Max(0, 60.0 * (total - perMinute) / perMinute);

    /// <summary>
    /// Keeps the body of the first error reply the SDK got (its exceptions show only the status), and
    /// sends the anthropic-version the emulator accepts: SDK 13.12 sends a newer date the emulator
    /// rejects with 400 (reported to the emulator's owner), which would make the baseline meaningless.
    /// </summary>
    private sealed class FirstErrorBody : DelegatingHandler
    {
        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("anthropic-version");
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
            var response = await base.SendAsync(request, cancellationToken);
            if (Body is null && (int)response.StatusCode is >= 400 and not 429)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                Body = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            return response;
        }
    }
}
