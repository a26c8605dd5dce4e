using System.Text;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

/// <summary>Realistic damage (a record cut by a crash next to a duplicate id, escaped ids, absurd numbers)
/// never stops a usage query with a raw exception: damaged lines are skipped and named by line.</summary>
public sealed class DamagedLedgerTests
{
    private static readonly DateTimeOffset Nov5 = new(2026, 11, 5, 10, 30, 0, TimeSpan.Zero);

    private static LedgerRecord Rec(string id, long input = 10, decimal? cost = 0.01m) => new()
    {
        Time = Nov5, RequestId = id, Endpoint = "http://127.0.0.1:1", Model = "claude-sonnet-4-5", InputTokens = input, OutputTokens = 5,
        CostUsd = cost, PriceVersion = "2026-11-01",
    };

    private static UsageQueryResult Summary(UsageLedger ledger) =>
        new UsageQuery(ledger).Run(new UsageQueryOptions { Since = Nov5.AddDays(-1), Until = Nov5.AddDays(1), Summary = true });

    private static string Line(LedgerRecord r) => Encoding.UTF8.GetString(r.ToJsonLine());

    [Fact]
    public void A_torn_record_of_a_duplicated_id_is_skipped_by_the_dedupe_pass_too()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("req_dup"));
        var file = ledger.Paths.LedgerFile(Nov5);
        // A second process wrote the same id, was cut mid-record by a crash, and a later append went on.
        var torn = Line(Rec("req_dup"));
        File.AppendAllText(file, torn.Substring(0, torn.Length - 20) + "\n");
        File.AppendAllText(file, Line(Rec("req_dup")));
        File.AppendAllText(file, Line(Rec("req_other")));

        var result = Summary(ledger);
        Assert.Equal(2, result.Rows[0].Requests);
        Assert.Equal(1, result.DuplicatesSkipped);
        var p = Assert.Single(result.Problems);
        Assert.Equal(new long[] { 2 }, p.Lines);
        Assert.Contains(file, p.ToString());
        Assert.Contains("line 2", p.ToString());
    }

    [Fact]
    public void A_damaged_line_with_an_escaped_id_is_skipped_in_both_passes()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("req_a"));
        ledger.Append(Rec("req_b"));
        var file = ledger.Paths.LedgerFile(Nov5);
        // An escaped id (the byte search cannot rule it out) on a line whose other fields are damaged.
        File.AppendAllText(file, "{\"time\":\"2026-11-05T10:30:00Z\",\"requestId\":\"req_\\u0061\",\"model\":7,\"input\":1}\n");
        File.AppendAllText(file, "{\"time\":12,\"requestId\":\"req_\\u0062\",\"model\":\"m\"}\n");
        new UsageLedger(ledger.Paths, flushToDisk: false).Append(Rec("req_a")); // another process repeats an id: the dedupe pass runs

        var result = Summary(ledger);
        Assert.Equal(2, result.Rows[0].Requests);
        Assert.Equal(1, result.DuplicatesSkipped);
        var p = Assert.Single(result.Problems);
        Assert.Equal(new long[] { 3, 4 }, p.Lines);
        Assert.Contains("lines 3, 4", p.ToString());
    }

    [Fact]
    public void Many_damaged_lines_are_listed_up_to_a_limit_and_counted()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("req_a"));
        File.AppendAllText(ledger.Paths.LedgerFile(Nov5), string.Concat(Enumerable.Repeat("garbage\n", 15)));
        var p = Assert.Single(Summary(ledger).Problems);
        Assert.Equal(15, p.Count);
        Assert.Equal(LedgerProblem.ListedLines, p.Lines.Count);
        Assert.Contains("and 5 more", p.ToString());
    }

    [Fact]
    public void Totals_that_cannot_be_represented_are_a_named_error()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        ledger.Append(Rec("req_a", cost: 70_000_000_000_000_000_000_000_000_000m));
        ledger.Append(Rec("req_b", cost: 70_000_000_000_000_000_000_000_000_000m));
        var ex = Assert.Throws<ClaudeException>(() => Summary(ledger));
        Assert.Equal("ClaudePS.UsageTotalOutOfRange", ex.Error.ErrorId);
        Assert.Contains("cannot be represented", ex.Message);

        var tokens = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        tokens.Append(Rec("req_a", input: long.MaxValue));
        tokens.Append(Rec("req_b", input: 1));
        Assert.Equal("ClaudePS.UsageTotalOutOfRange", Assert.Throws<ClaudeException>(() => Summary(tokens)).Error.ErrorId);
    }
}
