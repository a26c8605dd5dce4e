using System.Collections.Concurrent;
using System.Diagnostics;
using ClaudePS.Emulator;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Bench;

/// <summary>
/// Fault soak: thousands of Messages calls against an emulator that injects a fault into 20 % of
/// attempts, drawn from every kind (429, 529, 500, 503, connection reset, reset mid-reply, stream error,
/// stall, slow pacing). Every request must complete, and the emulator's accounting must show each one
/// billed exactly once (no duplicate work), matching what ClaudePS's usage hook recorded.
/// JSON calls only: a stream that fails after content reached the caller is, by design, not repeated.
/// </summary>
public sealed class FaultSoakScenario : IBenchScenario
{
    public string Name => "faultsoak";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        int requests = context.Quick ? 200 : 5000;
        const int callers = 64;
        var options = new EmulatorOptions
        {
            FaultRate = 0.20,
            RandomFaultKinds = { "stall:5", FaultKinds.Slow },
            FaultRetryAfterSeconds = 0,
            FaultRetryAfterMs = 100,
            ReplyTokens = 16,
            Seed = 42,
        };
        await using var emulator = await EmulatorServer.StartAsync(options);
        var recorder = new Recorder();
        using var connection = BenchConnections.To(emulator.BaseUri, o =>
        {
            o.UsageRecorder = recorder;
            o.Resilience.MaxConcurrency = callers;
            // No per-attempt timeout (the default): abandoning a stalled JSON call the server is still
            // working on would bill it twice, which is exactly the duplicate this soak looks for.
        });
        context.Log.WriteLine($"[faultsoak] {requests} requests, {callers} callers, 20 % faults of kinds {string.Join(",", options.RandomFaultKinds)}");

        var requestIds = new ConcurrentDictionary<string, int>();
        int failed = 0;
        long attempts = 0;
        var watch = Stopwatch.StartNew();
        await BenchConnections.ForEachAsync(requests, callers, async i =>
        {
            try
            {
                var r = await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt($"Soak request {i:D5}: summarise the incident.", maxTokens: 32), null, cancellationToken);
                Interlocked.Add(ref attempts, r.Attempts);
                requestIds.AddOrUpdate(r.RequestId ?? "none", 1, (_, n) => n + 1);
            }
            catch (ClaudeException ex)
            {
                Interlocked.Increment(ref failed);
                context.Log.WriteLine($"[faultsoak] request {i} failed: {ex.Error.ErrorId}: {ex.Error.Message}");
            }
        }, cancellationToken);
        double seconds = watch.Elapsed.TotalSeconds;

        var accounting = emulator.State.Accounting;
        int completed = requests - failed;
        long billed = accounting.BilledReplies;
        long duplicated = billed - completed + requestIds.Values.Count(n => n > 1);
        bool ledgersAgree = recorder.Count == completed && recorder.RequestIds.All(id => accounting.Find(id)?.Usage is not null);
        context.Log.WriteLine($"[faultsoak] {completed}/{requests} completed, {failed} failed, {billed} billed by the emulator, {duplicated} duplicated, " +
                              $"{accounting.Requests} attempts seen ({accounting.FaultsInjected} with an injected fault), client attempts {attempts}, {seconds:0.0} s, ledgers agree: {ledgersAgree}");

        return new[]
        {
            new BenchResult(Name, "completed", completed, "requests", Target: $"{requests}", TargetMet: completed == requests),
            new BenchResult(Name, "duplicated", duplicated, "requests", Target: "0", TargetMet: duplicated == 0),
            new BenchResult(Name, "ledger_matches_emulator", ledgersAgree ? 1 : 0, "bool", Target: "1", TargetMet: ledgersAgree),
            new BenchResult(Name, "faults_injected", accounting.FaultsInjected, "attempts"),
            new BenchResult(Name, "attempts_per_request", (double)accounting.Requests / requests, "attempts"),
            new BenchResult(Name, "duration", seconds, "s"),
        };
    }

    /// <summary>Counts what the usage hook receives (it must see each billed reply once).</summary>
    private sealed class Recorder : IUsageRecorder
    {
        public ConcurrentQueue<string> RequestIds { get; } = new();
        public int Count => RequestIds.Count;
        public decimal? Record(UsageEvent usage)
        {
            RequestIds.Enqueue(usage.RequestId ?? "none");
            return null;
        }
    }
}
