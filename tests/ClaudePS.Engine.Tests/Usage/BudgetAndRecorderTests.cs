using System.Net;
using System.Text;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;
using ClaudePS.Engine.Tests.Batching;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

public class BudgetAndRecorderTests
{
    /// <summary>Answers every Messages call with 1000 input and 1000 output tokens, counting calls.</summary>
    private sealed class FixedReplyHandler : HttpMessageHandler
    {
        public int Calls;
        public string Model = "claude-sonnet-4-5";
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref Calls);
            var json = $$$"""{"id":"msg_{{{n}}}","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"model":"{{{Model}}}","stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1000,"output_tokens":1000,"service_tier":"standard"}}""";
            var res = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            res.Headers.TryAddWithoutValidation("request-id", "req_" + n);
            return Task.FromResult(res);
        }
    }


    private static ClaudeConnection Connect(HttpMessageHandler handler, decimal? maxCostUsd, IUsageRecorder? recorder) =>
        ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri("http://127.0.0.1:9/") },
            Credential = new ApiKeyCredential("sk-ant-test-key", "test"),
            Services = new ClaudeServices(PriceTable.Shipped),
            MaxCostUsd = maxCostUsd,
            UsageRecorder = recorder,
        }, new Dictionary<string, string>(), handler);

    [Fact]
    public void Reservations_count_against_the_limit_until_settled()
    {
        var guard = new BudgetGuard(1.00m, "test run", () => PriceTable.Shipped);
        var a = guard.Reserve(0.40m, "a");
        var b = guard.Reserve(0.40m, "b");
        Assert.Null(guard.TryReserve(0.30m)); // 0.80 reserved + 0.30 > 1.00
        guard.Settle(a, 0.05m);                 // real usage was far below the estimate
        guard.Release(b);                       // failed before the server took it
        Assert.Equal((0.05m, 0m, 0.95m), (guard.SpentUsd, guard.ReservedUsd, guard.RemainingUsd));
        Assert.NotNull(guard.TryReserve(0.90m));
        guard.Settle(a, 99m);                   // settling twice changes nothing
        Assert.Equal(0.05m, guard.SpentUsd);
    }

    [Fact]
    public void Estimate_is_body_bytes_over_three_at_the_input_price_plus_max_tokens_at_the_output_price()
    {
        var guard = new BudgetGuard(1m, "x", () => PriceTable.Shipped);
        // Sonnet 4.5: 3000 bytes -> 1000 tokens × 3 + 2000 × 15 = 33 000 per million.
        Assert.Equal(0.033m, guard.Estimate("claude-sonnet-4-5", 3000, 2000));
        Assert.Equal(0.0165m, guard.Estimate("claude-sonnet-4-5", 3000, 2000, batch: true));
        Assert.Null(guard.Estimate("no-such-model", 3000, 2000));
    }

    [Fact]
    public async Task The_connection_budget_stops_before_sending_and_says_what_was_spent_of_what()
    {
        var handler = new FixedReplyHandler();
        // One reply costs 1000 × 3 + 1000 × 15 = 18 000 per million = 0.018 USD; each estimate is ~0.015.
        using var connection = Connect(handler, 0.03m, null);
        var guard = connection.Budget!;
        Assert.Equal("connection 'default'", guard.Scope);
        var first = await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("hello", "claude-sonnet-4-5", 1000));
        Assert.Equal(0.018m, guard.SpentUsd);
        Assert.Equal(0m, guard.ReservedUsd);

        var ex = await Assert.ThrowsAsync<ClaudeException>(() => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("hello again", "claude-sonnet-4-5", 1000)));
        Assert.Equal(1, handler.Calls); // the second request never left
        Assert.Equal(BudgetGuard.ExceededErrorId, ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.QuotaExceeded, ex.Error.Category);
        Assert.True(BudgetGuard.Stops(ex.Error));
        Assert.Contains("connection 'default'", ex.Message);
        Assert.Contains("0.018 USD spent", ex.Message);
        Assert.Contains("of 0.03 USD", ex.Message);
        Assert.Contains("was not sent", ex.Message);
        Assert.Contains("claude-sonnet-4-5", ex.Message);
    }

    [Fact]
    public async Task A_call_budget_for_a_bulk_run_applies_beside_the_connection_and_an_unknown_price_refuses()
    {
        var handler = new FixedReplyHandler();
        using var connection = Connect(handler, null, null);
        var run = new BudgetGuard(0.02m, "this Invoke-ClaudeBatch run", () => PriceTable.Shipped);
        var call = new CallOptions { Budget = run };
        await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("a", "claude-sonnet-4-5", 1000), call);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("b", "claude-sonnet-4-5", 1000), call));
        Assert.Contains("this Invoke-ClaudeBatch run", ex.Message);
        var unknown = await Assert.ThrowsAsync<ClaudeException>(() => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("c", "mystery-model", 1000), new CallOptions { Budget = new BudgetGuard(5m, "x", () => PriceTable.Shipped) }));
        Assert.Equal(BudgetGuard.PriceUnknownErrorId, unknown.Error.ErrorId);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task The_client_records_each_reply_once_with_its_cost_and_an_unknown_model_warns_once()
    {
        var home = TempHome.Create();
        var ledger = new UsageLedger(new UsagePaths(home), flushToDisk: false);
        var services = new ClaudeServices(PriceTable.Shipped);
        var metrics = services.Metrics;
        var recorder = new LedgerUsageRecorder(ledger, services);
        var handler = new FixedReplyHandler();
        using var connection = Connect(handler, null, recorder);
        var sink = new CollectingSink();
        var priced = await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("a", "claude-sonnet-4-6", 1000), new CallOptions { Log = sink, Tags = new[] { "t1" } });
        Assert.Equal(0.018m, priced.CostUsd);

        handler.Model = "claude-unreleased-9";
        LedgerUsageRecorder.ResetWarnings();
        for (int i = 0; i < 3; i++)
        {
            var unpriced = await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("b", "claude-unreleased-9", 1000), new CallOptions { Log = sink });
            Assert.Null(unpriced.CostUsd);
        }
        Assert.Single(sink.Warnings);
        Assert.Contains("claude-unreleased-9", sink.Warnings[0]);
        Assert.Contains("Set-ClaudePrice", sink.Warnings[0]);

        var rows = new UsageQuery(ledger).Run(new UsageQueryOptions { Since = DateTimeOffset.UtcNow.AddHours(-1), Until = DateTimeOffset.UtcNow.AddHours(1), GroupBy = UsageGrouping.Model }).Rows;
        Assert.Equal(2, rows.Count);
        var unknownRow = rows.Single(r => r.Model == "claude-unreleased-9");
        Assert.Equal((3L, (decimal?)null, 3L), (unknownRow.Requests, unknownRow.CostUsd, unknownRow.UnpricedRequests));
        Assert.Equal(0.018m, rows.Single(r => r.Model == "claude-sonnet-4-5").CostUsd);
        Assert.Contains(metrics.Snapshot(), m => m.Name == ClaudeMetrics.UnpricedName && m.Value == 3);
    }

    [Fact]
    public void Local_cache_hits_are_never_billed_or_written()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        var recorder = new LedgerUsageRecorder(ledger, new ClaudeServices(PriceTable.Shipped));
        var cost = recorder.Record(new UsageEvent { RequestId = "req_cached", Model = "claude-sonnet-4-5", Usage = new ClaudeUsage { InputTokens = 5, OutputTokens = 5 }, FromCache = true });
        Assert.Equal(0m, cost);
        Assert.False(Directory.Exists(ledger.Paths.LedgerFolder) && Directory.EnumerateFiles(ledger.Paths.LedgerFolder, "*.jsonl").Any());
    }

    [Fact]
    public void Grouping_filters_and_summary()
    {
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        var t = new DateTimeOffset(2026, 11, 5, 9, 15, 0, TimeSpan.Zero);
        void Add(string id, string model, DateTimeOffset time, decimal? cost, params string[] tags) =>
            ledger.Append(new LedgerRecord { Time = time, RequestId = id, Model = model, Endpoint = "e", InputTokens = 100, OutputTokens = 10, CostUsd = cost, Tags = tags });
        Add("1", "claude-opus-4-5", t, 0.5m, "nightly");
        Add("2", "claude-opus-4-5", t.AddHours(1), 0.25m, "nightly", "finance");
        Add("3", "claude-haiku-4-5", t.AddDays(1), 0.01m, "adhoc");
        Add("4", "mystery", t.AddDays(1), null);
        var q = new UsageQuery(ledger);
        var range = new UsageQueryOptions { Since = t.AddDays(-1), Until = t.AddDays(3) };

        range.GroupBy = UsageGrouping.Model | UsageGrouping.Day;
        var rows = q.Run(range).Rows;
        Assert.Equal(new[] { ("claude-opus-4-5", 5, 2L, (decimal?)0.75m), ("claude-haiku-4-5", 6, 1L, 0.01m), ("mystery", 6, 1L, null) },
            rows.Select(r => (r.Model!, r.Day!.Value.Day, r.Requests, r.CostUsd)).OrderBy(x => x.Day).ThenByDescending(x => x.Item1.Length).ToArray());

        range.GroupBy = UsageGrouping.Hour;
        Assert.Equal(new[] { 9, 10, 9 }, q.Run(range).Rows.Select(r => r.Hour!.Value.Hour));

        range.GroupBy = UsageGrouping.Tag;
        Assert.Equal(new[] { ("", 1L), ("adhoc", 1L), ("finance", 1L), ("nightly", 2L) }, q.Run(range).Rows.Select(r => (r.Tag!, r.Requests)));

        range.GroupBy = UsageGrouping.Model;
        range.Tags = new[] { "NIGHTLY" };
        var nightly = Assert.Single(q.Run(range).Rows);
        Assert.Equal(("claude-opus-4-5", 2L, 0.75m, 220L), (nightly.Model, nightly.Requests, nightly.CostUsd!.Value, nightly.TotalTokens));

        range.Tags = Array.Empty<string>();
        range.Summary = true;
        var total = Assert.Single(q.Run(range).Rows);
        Assert.Equal((4L, 0.76m, 1L), (total.Requests, total.CostUsd!.Value, total.UnpricedRequests));
        Assert.Null(total.Model);
    }
}
