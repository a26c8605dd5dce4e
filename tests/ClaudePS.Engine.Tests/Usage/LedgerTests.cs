using System.Diagnostics;
using System.Text;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

public class LedgerTests
{
    private static readonly DateTimeOffset Nov5 = new(2026, 11, 5, 10, 30, 0, TimeSpan.Zero);

    private static LedgerRecord Rec(string? id, DateTimeOffset time, string model = "claude-sonnet-4-5", long input = 10, decimal? cost = 0.01m, params string[] tags) => new()
    {
        Time = time, RequestId = id, Endpoint = "http://127.0.0.1:1", Model = model, InputTokens = input, OutputTokens = 5,
        CacheWrite5mTokens = 3, CacheWrite1hTokens = 2, CacheReadTokens = 7, ServiceTier = "standard", CostUsd = cost, PriceVersion = "2026-11-01", Tags = tags,
    };

    private static UsageQueryResult All(UsageLedger ledger, UsageGrouping by = UsageGrouping.None, bool summary = false, params string[] tags) =>
        new UsageQuery(ledger).Run(new UsageQueryOptions { Since = DateTimeOffset.MinValue.AddYears(2000), Until = DateTimeOffset.MaxValue.AddYears(-2000), GroupBy = by, Summary = summary, Tags = tags });

    [Fact]
    public void Data_folder_follows_CLAUDEPS_HOME_then_the_platform_convention()
    {
        Assert.Equal(Path.GetFullPath("/x/home"), UsagePaths.FromEnvironment(new Dictionary<string, string> { ["CLAUDEPS_HOME"] = "/x/home", ["XDG_DATA_HOME"] = "/xdg" }, false).Home);
        Assert.Equal(Path.GetFullPath("/xdg/claudeps"), UsagePaths.FromEnvironment(new Dictionary<string, string> { ["XDG_DATA_HOME"] = "/xdg", ["HOME"] = "/h" }, false).Home);
        Assert.Equal(Path.GetFullPath("/h/.local/share/claudeps"), UsagePaths.FromEnvironment(new Dictionary<string, string> { ["XDG_DATA_HOME"] = "relative", ["HOME"] = "/h" }, false).Home);
        Assert.EndsWith("ClaudePS", UsagePaths.FromEnvironment(new Dictionary<string, string> { ["LOCALAPPDATA"] = "/lad" }, true).Home);
        Assert.EndsWith(Path.Combine("ledger", "usage-2026-11.jsonl"), new UsagePaths("/x").LedgerFile(Nov5));
    }

    [Fact]
    public void A_record_round_trips_and_holds_no_text_beyond_names_and_counts()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        var record = Rec("req_1", Nov5, tags: new[] { "nightly" }) ;
        Assert.True(ledger.Append(record));
        var line = File.ReadAllText(ledger.Paths.LedgerFile(Nov5));
        Assert.EndsWith("\n", line);
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Subset(new HashSet<string> { "v", "time", "requestId", "endpoint", "model", "input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead", "tier", "batch", "costUsd", "priceVersion", "tags", "outcome", "durationMs" }, keys);

        var read = new List<LedgerRecord>();
        new LedgerReader().Read(ledger.Paths.LedgerFile(Nov5), read.Add);
        var r = Assert.Single(read);
        Assert.Equal((Nov5, "req_1", 10L, 5L, 3L, 2L, 7L, 0.01m, "nightly"), (r.Time, r.RequestId, r.InputTokens, r.OutputTokens, r.CacheWrite5mTokens, r.CacheWrite1hTokens, r.CacheReadTokens, r.CostUsd, r.Tags[0]));
    }

    [Fact]
    public void Records_rotate_by_utc_month_and_queries_span_months()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("a", new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero)));
        ledger.Append(Rec("b", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)));
        ledger.Append(Rec("c", new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.FromHours(2)))); // 2026-10-31 22:30 UTC
        var files = Directory.GetFiles(ledger.Paths.LedgerFolder, "*.jsonl").Select(Path.GetFileName).OrderBy(f => f).ToArray();
        Assert.Equal(new[] { "usage-2026-10.jsonl", "usage-2026-11.jsonl" }, files);
        Assert.Equal(2, File.ReadAllLines(ledger.Paths.LedgerFile(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero))).Length);

        var byDay = All(ledger, UsageGrouping.Day).Rows;
        Assert.Equal(new[] { (new DateTime(2026, 10, 31), 2L), (new DateTime(2026, 11, 1), 1L) }, byDay.Select(r => (r.Day!.Value, r.Requests)));
        var window = new UsageQuery(ledger).Run(new UsageQueryOptions { Since = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Until = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Summary = true });
        Assert.Equal(1, Assert.Single(window.Rows).Requests);
    }

    [Fact]
    public void A_torn_last_line_is_skipped_reported_once_and_the_next_append_stays_whole()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("a", Nov5));
        var file = ledger.Paths.LedgerFile(Nov5);
        // A crash in the middle of a write: half a record, no newline.
        var whole = Encoding.UTF8.GetString(Rec("torn", Nov5).ToJsonLine());
        File.AppendAllText(file, whole.Substring(0, whole.Length / 2));

        var before = All(ledger);
        Assert.Equal(1, before.RecordsRead);
        var problem = Assert.Single(before.Problems);
        Assert.True(problem.OnlyUnfinishedLastLine);
        Assert.Contains("unfinished", problem.ToString());

        ledger.Append(Rec("b", Nov5));
        var after = All(ledger, summary: true);
        Assert.Equal(2, after.Rows[0].Requests);
        var p = Assert.Single(after.Problems); // the torn fragment is now a whole bad line: still one report for the file
        Assert.Equal(2, p.FirstLine);
        Assert.Equal(1, p.Count);
        Assert.Equal(3, File.ReadAllLines(file).Length);
    }

    [Fact]
    public void Damaged_lines_anywhere_are_counted_once_per_file_and_never_fatal()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("a", Nov5));
        File.AppendAllText(ledger.Paths.LedgerFile(Nov5), "not json\n{\"v\":1}\n\n");
        ledger.Append(Rec("b", Nov5));
        var result = All(ledger, summary: true);
        Assert.Equal(2, result.Rows[0].Requests);
        var p = Assert.Single(result.Problems);
        Assert.Equal((2L, 2), (p.FirstLine, p.Count));
        Assert.False(p.OnlyUnfinishedLastLine);
    }

    [Fact]
    public void The_same_request_id_is_written_once_by_a_process()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        Assert.True(ledger.Append(Rec("req_dup", Nov5)));
        Assert.False(ledger.Append(Rec("req_dup", Nov5)));
        Assert.True(ledger.Append(Rec(null, Nov5)));  // no id: nothing to dedupe on
        Assert.True(ledger.Append(Rec(null, Nov5)));
        Assert.Equal(3, File.ReadAllLines(ledger.Paths.LedgerFile(Nov5)).Length);
    }

    [Fact]
    public void A_request_id_written_twice_by_different_processes_counts_once()
    {
        var home = TempHome.Create();
        // Two ledgers stand for two processes (each remembers only its own writes), across two months.
        var first = new UsageLedger(new UsagePaths(home), flushToDisk: false);
        var second = new UsageLedger(new UsagePaths(home), flushToDisk: false);
        first.Append(Rec("req_x", Nov5, input: 100));
        first.Append(Rec("req_y", Nov5, input: 1));
        second.Append(Rec("req_x", Nov5.AddHours(1), input: 100));
        var third = new UsageLedger(new UsagePaths(home), flushToDisk: false);
        third.Append(Rec("req_x", new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), input: 100));
        var result = All(ledger: first, summary: true);
        Assert.Equal(2, result.Rows[0].Requests);
        Assert.Equal(101, result.Rows[0].InputTokens);
        Assert.Equal(2, result.DuplicatesSkipped);
    }

    [Fact]
    public void Dedupe_is_exact_when_many_distinct_ids_fill_the_filter()
    {
        var home = TempHome.Create();
        var ledger = new UsageLedger(new UsagePaths(home), flushToDisk: false);
        // Written as one block so the test stays fast; 8 000 distinct ids and 50 repeats.
        var sb = new StringBuilder();
        for (int i = 0; i < 8_000; i++) sb.Append(Encoding.UTF8.GetString(Rec("id" + i, Nov5).ToJsonLine()));
        for (int i = 0; i < 50; i++) sb.Append(Encoding.UTF8.GetString(Rec("id" + (i * 7), Nov5).ToJsonLine()));
        Directory.CreateDirectory(ledger.Paths.LedgerFolder);
        File.WriteAllText(ledger.Paths.LedgerFile(Nov5), sb.ToString());
        var result = All(ledger, summary: true);
        Assert.Equal(8_000, result.Rows[0].Requests);
        Assert.Equal(50, result.DuplicatesSkipped);
    }

    [Fact]
    public void Two_processes_writing_5000_records_each_lose_nothing_and_tear_nothing()
    {
        var home = TempHome.Create();
        var worker = TestWorker.Path();
        var procs = new[] { "w1", "w2" }.Select(id => Process.Start(new ProcessStartInfo("dotnet", $"\"{worker}\" ledger-writer \"{home}\" {id} 5000 no-fsync")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!).ToArray();
        foreach (var p in procs)
        {
            Assert.True(p.WaitForExit(300_000), "writer did not finish");
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        }
        var file = new UsagePaths(home).LedgerFile(new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero));
        var lines = File.ReadAllLines(file);
        Assert.Equal(10_000, lines.Length);
        var ids = new HashSet<string>();
        foreach (var line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line); // every line is one whole record
            Assert.True(ids.Add(doc.RootElement.GetProperty("requestId").GetString()!));
        }
        for (int i = 0; i < 5000; i++) { Assert.Contains($"w1-{i}", ids); Assert.Contains($"w2-{i}", ids); }
        var result = All(new UsageLedger(new UsagePaths(home)), UsageGrouping.Tag);
        Assert.Empty(result.Problems);
        Assert.Equal(new[] { ("w1", 5000L), ("w2", 5000L) }, result.Rows.Select(r => (r.Tag!, r.Requests)));
    }
}

internal static class TestWorker
{
    /// <summary>The worker's dll, built beside this test project (same configuration).</summary>
    public static string Path()
    {
        var here = AppContext.BaseDirectory;
        var path = System.IO.Path.GetFullPath(here.Replace("ClaudePS.Engine.Tests", "ClaudePS.TestWorker") + "ClaudePS.TestWorker.dll");
        if (!File.Exists(path)) throw new FileNotFoundException("Build tests/ClaudePS.TestWorker first.", path);
        return path;
    }
}
