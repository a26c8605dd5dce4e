using System.Diagnostics;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// Parallel mode over generated rows (streamed, never materialised) against the zero-latency emulator:
/// rows per second and the peak working set sampled during each run, at 10k and 100k rows. Memory
/// should stay flat as the row count grows (target under 200 MB). The emulator runs in a child process
/// here (loopback), so the working set measured is the client's own: an in-process emulator keeps a
/// record of every request it answered, which would be counted against ClaudePS.
/// </summary>
public sealed class BatchMemoryScenario : IBenchScenario
{
    public string Name => "batch-memory";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        int small = context.Quick ? 200 : 10_000, large = context.Quick ? 1_000 : 100_000;
        using var emulator = await ChildEmulator.StartAsync(cancellationToken);
        using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { emulator.BaseUri },
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

    /// <summary>The emulator in its own process on 127.0.0.1 (port chosen by the OS), stopped on dispose.</summary>
    private sealed class ChildEmulator : IDisposable
    {
        private readonly Process _process;
        private ChildEmulator(Process process, Uri baseUri) { _process = process; BaseUri = baseUri; }
        public Uri BaseUri { get; }

        public static async Task<ChildEmulator> StartAsync(CancellationToken cancellationToken)
        {
            var dll = typeof(ClaudePS.Emulator.EmulatorServer).Assembly.Location;
            var process = Process.Start(new ProcessStartInfo("dotnet")
            {
                ArgumentList = { dll, "--urls", "http://127.0.0.1:0" },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("Could not start the emulator process.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            // Program prints "ClaudePS emulator listening on <uri> ..." once it is ready.
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                int at = line.IndexOf("http://", StringComparison.Ordinal);
                if (at >= 0) return new ChildEmulator(process, new Uri(line.Substring(at).Split(' ')[0]));
            }
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The emulator process exited before it was ready.");
        }

        public void Dispose()
        {
            try { _process.Kill(entireProcessTree: true); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
            _process.Dispose();
        }
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
