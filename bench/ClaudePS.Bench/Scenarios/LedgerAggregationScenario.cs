using System.Diagnostics;
using System.Text;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// Get-ClaudeUsage's aggregation (-GroupBy Model, Day) over a ledger of 1,000,000 records (one month,
/// 8 models, 20 tag sets, 1 % repeated request ids so the exact dedupe pass runs too): wall seconds and
/// CPU time of the median of three timed runs, and the peak memory the query holds (measured in an
/// untimed run that forces collections while it runs). The same query over 100,000 records is the
/// baseline: memory must not grow with the record count (target: under 2 s for 1M).
/// </summary>
public sealed class LedgerAggregationScenario : IBenchScenario
{
    public string Name => "ledger-aggregation";

    private const int TimedRuns = 3;

    public Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        int big = context.Quick ? 10_000 : 1_000_000;
        int small = big / 10;
        var root = Path.Combine(Path.GetTempPath(), "claudeps-bench-ledger-" + Guid.NewGuid().ToString("N"));
        try
        {
            var smallRun = Measure(Path.Combine(root, "small"), small, context.Log, cancellationToken);
            var bigRun = Measure(Path.Combine(root, "big"), big, context.Log, cancellationToken);
            return Task.FromResult<IReadOnlyList<BenchResult>>(new[]
            {
                new BenchResult(Name, $"aggregate {big:N0} records (Model, Day)", bigRun.Seconds, "s", null, null, context.Quick ? null : "< 2 s", context.Quick ? null : bigRun.Seconds < 2),
                // On a shared machine wall time includes waiting for a core; CPU time is the work itself.
                new BenchResult(Name, $"CPU time to aggregate {big:N0} records", bigRun.CpuSeconds, "s"),
                new BenchResult(Name, $"peak memory held by the query over {big:N0} records", bigRun.PeakMb, "MB", $"{small:N0} records", smallRun.PeakMb,
                    "not proportional to record count", bigRun.PeakMb < smallRun.PeakMb * 3 + 16),
                new BenchResult(Name, $"throughput over {big:N0} records", big / bigRun.Seconds, "records/s"),
            });
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static (double Seconds, double CpuSeconds, double PeakMb) Measure(string home, int records, TextWriter log, CancellationToken ct)
    {
        var ledger = new UsageLedger(new UsagePaths(home), flushToDisk: false);
        var month = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        Generate(ledger.Paths.LedgerFile(month), records, month);
        var query = new UsageQuery(ledger);
        var options = new UsageQueryOptions { Since = month, Until = month.AddMonths(1), GroupBy = UsageGrouping.Model | UsageGrouping.Day };

        query.Run(new UsageQueryOptions { Since = month, Until = month.AddMinutes(1) }); // JIT warm-up on a tiny window

        // Timed runs, nothing else going on; the median of three, because one run of the same code read
        // 1.41 s and 1.90 s minutes apart on the shared 2-core VM (docs/benchmarks.md, session 7).
        var timed = new List<(double Seconds, double CpuSeconds)>();
        UsageQueryResult result = null!;
        for (int run = 0; run < TimedRuns; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            result = query.Run(options);
            watch.Stop();
            timed.Add((watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
            long total = result.Rows.Sum(r => r.Requests) + result.DuplicatesSkipped;
            if (total != records) throw new InvalidOperationException($"aggregated {total} of {records} records");
        }
        var (seconds, cpuSeconds) = timed.OrderBy(t => t.Seconds).ElementAt(timed.Count / 2);

        // Memory run (not timed): a sampler forces full collections while the query runs, so the peak is
        // what the query holds (groups, the id filter, suspects, buffers), not garbage awaiting a GC.
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                try { await Task.Delay(10, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        query.Run(options);
        stop.Cancel();
        sampler.Wait(ct);
        double mb = (peak - before) / (1024.0 * 1024.0);
        log.WriteLine($"  ledger-aggregation: {records:N0} records, {result.Rows.Count} groups, {result.DuplicatesSkipped} duplicates, median {seconds:0.000} s ({cpuSeconds:0.000} s CPU) of {string.Join(" / ", timed.Select(t => t.Seconds.ToString("0.000")))} s, peak held +{mb:0.0} MB");
        return (seconds, cpuSeconds, mb);
    }

    /// <summary>Writes the file directly (the append path's per-record lock is not what is measured).</summary>
    private static void Generate(string file, int records, DateTimeOffset month)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string[] models = { "claude-sonnet-4-5-20250929", "claude-opus-4-5", "claude-haiku-4-5", "claude-sonnet-5", "claude-opus-5", "claude-fable-5-1", "claude-mythos-5", "claude-unpriced-x" };
        var rng = new Random(42);
        using var fs = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (int i = 0; i < records; i++)
        {
            // 1 % of lines repeat an earlier request id (a batch result recorded again after a resume).
            string id = i > 100 && i % 100 == 0 ? "req_" + (i - 50).ToString("D12") : "req_" + i.ToString("D12");
            var model = models[rng.Next(models.Length)];
            var record = new LedgerRecord
            {
                Time = month.AddSeconds((long)i * 29L * 24 * 3600 / records),
                RequestId = id,
                Endpoint = "https://api.anthropic.com",
                Model = model,
                InputTokens = rng.Next(10, 5000),
                OutputTokens = rng.Next(1, 2000),
                CacheWrite5mTokens = rng.Next(0, 3) == 0 ? rng.Next(0, 3000) : 0,
                CacheReadTokens = rng.Next(0, 2) == 0 ? rng.Next(0, 20000) : 0,
                ServiceTier = "standard",
                CostUsd = model == "claude-unpriced-x" ? null : rng.Next(1, 100000) / 1_000_000m,
                PriceVersion = "2026-11-01",
                Tags = new[] { "runbook-" + (i % 20) },
                Outcome = "succeeded",
                DurationMs = rng.Next(100, 30000),
            };
            var line = record.ToJsonLine();
            fs.Write(line, 0, line.Length);
        }
    }
}
