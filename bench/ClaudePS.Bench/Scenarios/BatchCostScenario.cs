using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// The same 1,000 rows with a shared ~2,000-token system prompt, priced in USD three ways: no prompt
/// caching, ClaudePS defaults (the system prompt cached because it is long enough), and server mode
/// (Message Batches, 50 %, with the same caching). Costs come from the usage the emulator reports.
/// </summary>
public sealed class BatchCostScenario : IBenchScenario
{
    public string Name => "batch-cost";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        int rows = context.Quick ? 20 : 1_000;
        // About 2,000 tokens at four characters a token.
        string system = string.Concat(Enumerable.Repeat("You triage IT tickets for a large company; answer with a category and one sentence of reasoning. ", 84));
        var runs = new (string Name, BatchOptions Options)[]
        {
            ("no_caching", new BatchOptions { System = system, CacheSystemPrompt = false, ThrottleLimit = 16, MaxTokens = 100 }),
            ("claudeps_defaults", new BatchOptions { System = system, ThrottleLimit = 16, MaxTokens = 100 }),
            ("server_mode", new BatchOptions { System = system, UseBatchApi = true, MaxTokens = 100, PollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromSeconds(1) }),
        };
        var results = new List<BenchResult>();
        decimal? baseline = null;
        foreach (var (name, options) in runs)
        {
            options.SuggestBatchApiAboveRows = 0;
            // A fresh emulator per run, so one run's cache does not warm the next.
            await using var emulator = await ClaudePS.Emulator.EmulatorServer.StartAsync();
            ClaudePS.Emulator.Batches.EmulatorBatchState.Batches(emulator.State).Options.PerRequestDelay = TimeSpan.Zero;
            using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
            {
                BaseUris = { emulator.BaseUri },
                Credential = new ApiKeyCredential("sk-ant-bench-local", "bench"),
                DefaultModel = "claude-sonnet-4-5",
            }, new Dictionary<string, string>());
            var summary = await BatchRunner.RunAsync(connection, options, Rows(rows), NullOutputSink.Instance, cancellationToken);
            context.Log.WriteLine($"batch-cost: {name}: {summary}");
            results.Add(new BenchResult(Name, "cost_usd_" + name, (double)summary.CostUsd, "USD", baseline is null ? null : "cost_usd_no_caching", (double?)baseline));
            baseline ??= summary.CostUsd;
        }
        return results;
    }

    private static IEnumerable<BatchRow> Rows(int count)
    {
        for (int i = 1; i <= count; i++)
            yield return new BatchRow(new[]
            {
                new KeyValuePair<string, object?>("Id", "t" + i),
                new KeyValuePair<string, object?>("Prompt", $"Ticket {i}: user {i % 37} cannot reach the VPN since the update on day {i % 28 + 1}."),
            });
    }
}
