using System.Diagnostics;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// Parallel mode over generated rows (streamed, never materialised) against the zero-latency emulator:
/// rows per second and the peak working set sampled during each run, at 10k and 100k rows. Memory
/// should stay flat as the row count grows (target under 200 MB). The emulator runs in this process,
/// so its memory is included.
/// </summary>
public sealed class BatchMemoryScenario : IBenchScenario
{
    public string Name => "batch-memory";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        int small = context.Quick ? 200 : 10_000, large = context.Quick ? 1_000 : 100_000;
        using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { context.EmulatorBaseUri },
            Credential = new ApiKeyCredential("sk-ant-bench-local", "bench"),
            DefaultModel = "claude-haiku-4-5",
        }, new Dictionary<string, string>());
        double? smallPeak = null;
        foreach (int rows in new[] { small, large })
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long peak = 0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                using var self = Process.GetCurrentProcess();
                while (!sampling.IsCancellationRequested)
                {
                    self.Refresh();
                    peak = Math.Max(peak, self.WorkingSet64);
                    try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            var sink = new CountingSink();
            var clock = Stopwatch.StartNew();
            var summary = await BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 32, MaxTokens = 64, SuggestBatchApiAboveRows = 0 },
                Rows(rows), sink, cancellationToken);
            clock.Stop();
            sampling.Cancel();
            await sampler;
            double mb = peak / 1024.0 / 1024.0;
            context.Log.WriteLine($"batch-memory: {rows} rows, {summary.Succeeded} succeeded, {rows / clock.Elapsed.TotalSeconds:0} rows/s, peak working set {mb:0} MB");
            results.Add(new BenchResult(Name, $"rows_per_second_{rows}", rows / clock.Elapsed.TotalSeconds, "rows/s"));
            results.Add(new BenchResult(Name, $"peak_working_set_{rows}", mb, "MB", smallPeak is null ? null : $"peak_working_set_{small}", smallPeak,
                "< 200 MB and flat as rows grow", mb < 200));
            smallPeak ??= mb;
        }
        return results;
    }

    private static IEnumerable<BatchRow> Rows(int count)
    {
        for (int i = 1; i <= count; i++)
            yield return new BatchRow(new[]
            {
                new KeyValuePair<string, object?>("Id", "row" + i),
                new KeyValuePair<string, object?>("Prompt", "Classify ticket " + i + ": the printer on floor 3 is offline again."),
            });
    }

    private sealed class CountingSink : IClaudeOutputSink
    {
        public long Rows;
        public void WriteObject(object item) => Rows++;
        public void WriteError(ClaudeError error) { }
        public void WriteWarning(string text) { }
        public void WriteVerbose(string text) { }
        public void WriteDebug(string text) { }
        public void WriteProgress(ProgressInfo progress) { }
        public void WriteHostText(string text) { }
    }
}
