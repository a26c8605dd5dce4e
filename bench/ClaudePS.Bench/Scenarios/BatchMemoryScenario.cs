using System.Diagnostics;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;

using ClaudePS.Bench.Harness;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// Parallel mode over generated rows (streamed, never materialised) against the zero-latency emulator:
/// rows per second and the peak working set, at 10k and 100k rows. Memory should stay flat as the row
/// count grows (target under 200 MB). Each batch runs in a fresh child process of this console
/// (<see cref="ChildCommand"/>) and the emulator in another, so the working set measured is the
/// batch's alone: not an in-process emulator's record of every request, and not what earlier scenarios
/// of the same run left loaded (the SDK, Kestrel, their heaps), which once added 60-70 MB.
/// </summary>
public sealed class BatchMemoryScenario : IBenchScenario
{
    /// <summary>The hidden command line of the child: <c>--batch-memory-child &lt;rows&gt; &lt;emulator uri&gt;</c>.</summary>
    public const string ChildCommand = "--batch-memory-child";

    public string Name => "batch-memory";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        int small = context.Quick ? 200 : 10_000, large = context.Quick ? 1_000 : 100_000;
        using var emulator = await ChildEmulator.StartAsync(cancellationToken);
        double? smallPeak = null;
        foreach (int rows in new[] { small, large })
        {
            var run = await MeasureInChildAsync(rows, emulator.BaseUri, cancellationToken);
            if (run.Succeeded != rows) throw new InvalidOperationException($"batch-memory: only {run.Succeeded} of {rows} rows succeeded.");
            context.Log.WriteLine($"batch-memory: {rows} rows, {run.Succeeded} succeeded, {run.RowsPerSecond:0} rows/s, peak working set {run.PeakMb:0} MB " +
                                  $"(managed heap after {run.HeapAfterMb:0.0} MB, GC committed {run.CommittedMb:0} MB, {run.Gen0} gen0 / {run.Gen2} gen2 GCs)");
            results.Add(new BenchResult(Name, $"rows_per_second_{rows}", run.RowsPerSecond, "rows/s"));
            results.Add(new BenchResult(Name, $"peak_working_set_{rows}", run.PeakMb, "MB", smallPeak is null ? null : $"peak_working_set_{small}", smallPeak,
                "< 200 MB and flat as rows grow", run.PeakMb < 200));
            results.Add(new BenchResult(Name, $"managed_heap_after_{rows}", run.HeapAfterMb, "MB"));
            smallPeak ??= run.PeakMb;
        }
        return results;
    }

    /// <summary>What one child reports on its last line.</summary>
    public sealed record ChildResult(long Succeeded, double RowsPerSecond, double PeakMb, double HeapAfterMb, double CommittedMb, int Gen0, int Gen2);

    private static Task<ChildResult> MeasureInChildAsync(int rows, Uri emulator, CancellationToken cancellationToken) =>
        ChildRun.RunAsync<ChildResult>(ChildCommand, rows, emulator, cancellationToken);

    /// <summary>The child's work: one batch of <paramref name="rows"/> rows against <paramref name="emulator"/>,
    /// sampling its own working set every 50 ms; prints a <see cref="ChildResult"/> as JSON.</summary>
    public static async Task<int> RunAsChildAsync(string[] args, TextWriter output)
    {
        int rows = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri(args[2]) },
            Credential = new ApiKeyCredential("sk-ant-bench-local", "bench"),
            DefaultModel = "claude-haiku-4-5",
        }, new Dictionary<string, string>());
        var memory = new PeakWorkingSet();
        var sink = new CountingSink();
        var clock = Stopwatch.StartNew();
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 32, MaxTokens = 64, SuggestBatchApiAboveRows = 0 },
            Rows(rows), sink, CancellationToken.None);
        clock.Stop();
        await memory.DisposeAsync();
        long peak = memory.PeakBytes;
        var gc = GC.GetGCMemoryInfo();
        const double Mb = 1024.0 * 1024.0;
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new ChildResult(summary.Succeeded, rows / clock.Elapsed.TotalSeconds, peak / Mb,
            GC.GetTotalMemory(forceFullCollection: true) / Mb, gc.TotalCommittedBytes / Mb, GC.CollectionCount(0), GC.CollectionCount(2))));
        return 0;
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
    internal sealed class ChildEmulator : IDisposable
    {
        private readonly Process _process;
        private ChildEmulator(Process process, Uri baseUri) { _process = process; BaseUri = baseUri; }
        public Uri BaseUri { get; }

        public static async Task<ChildEmulator> StartAsync(CancellationToken cancellationToken, params string[] extraArgs)
        {
            var dll = typeof(ClaudePS.Emulator.EmulatorServer).Assembly.Location;
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { dll, "--urls", "http://127.0.0.1:0" },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in extraArgs) start.ArgumentList.Add(a);
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the emulator process.");
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
}
