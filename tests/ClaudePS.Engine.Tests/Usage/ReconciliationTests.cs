using ClaudePS.Emulator;
using ClaudePS.Emulator.Admin;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

public class ReconciliationTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 10, 3, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_organisation_report_is_read_across_pages_and_set_beside_the_ledger_per_day_and_model()
    {
        await using var emulator = await EmulatorSession.StartAsync();
        var log = AdminUsageLog.For(emulator.State);
        var ledger = new UsageLedger(new UsagePaths(TempHome.Create()), flushToDisk: false);
        int n = 0;
        void Call(DateTimeOffset time, string model, long input, long w5, long w1, long read, long output, bool alsoInLedger = true)
        {
            var id = "req_" + n++;
            log.Add(new AccountedCall(time, id, model, input, w5, w1, read, output));
            if (alsoInLedger)
                ledger.Append(new LedgerRecord { Time = time, RequestId = id, Model = model, InputTokens = input, CacheWrite5mTokens = w5, CacheWrite1hTokens = w1, CacheReadTokens = read, OutputTokens = output, CostUsd = 0.01m });
        }
        Call(Day1, "claude-sonnet-4-5-20250929", 100, 10, 5, 50, 20);
        Call(Day1.AddHours(3), "claude-sonnet-4-5-20250929", 200, 0, 0, 0, 30);
        Call(Day1.AddHours(1), "claude-haiku-4-5", 7, 0, 0, 0, 3);
        Call(Day1.AddDays(35), "claude-haiku-4-5", 1000, 0, 0, 0, 100);               // on the second page (31 days a page)
        Call(Day1.AddDays(35).AddHours(2), "claude-haiku-4-5", 500, 0, 0, 0, 50, alsoInLedger: false); // the ledger missed this one

        var since = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        var until = since.AddDays(45);
        using var client = new OrganizationUsageClient(emulator.BaseUri, "sk-ant-admin01-test");
        var org = await client.GetMessagesUsageAsync(since, until, CancellationToken.None);
        Assert.Equal(3, org.Count);

        var local = new UsageQuery(ledger).Run(new UsageQueryOptions { Since = since, Until = until, GroupBy = UsageGrouping.Model | UsageGrouping.Day }).Rows;
        var rows = OrganizationUsageClient.Compare(org, local);
        Assert.Equal(3, rows.Count);
        var sonnet = rows.Single(r => r.Model == "claude-sonnet-4-5");
        Assert.True(sonnet.Matches);
        Assert.Equal((2L, 300L, 50L, 15L, 50L), (sonnet.LedgerRequests, sonnet.OrganizationInputTokens, sonnet.OrganizationOutputTokens, sonnet.OrganizationCacheWriteTokens, sonnet.OrganizationCacheReadTokens));
        Assert.True(rows.Single(r => r.Day == new DateTime(2026, 10, 3) && r.Model == "claude-haiku-4-5").Matches);
        var gap = rows.Single(r => r.Day == new DateTime(2026, 11, 7));
        Assert.False(gap.Matches);
        Assert.Equal((500L, 50L, 1000L, 1500L), (gap.InputDifference, gap.OutputDifference, gap.LedgerInputTokens, gap.OrganizationInputTokens));
    }

    [Fact]
    public async Task The_admin_report_refuses_an_ordinary_key_with_an_authentication_error()
    {
        await using var emulator = await EmulatorSession.StartAsync();
        using var client = new OrganizationUsageClient(emulator.BaseUri, "sk-ant-api03-not-admin");
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => client.GetMessagesUsageAsync(Day1, Day1.AddDays(1), CancellationToken.None));
        Assert.Equal(401, ex.Error.HttpStatus);
        Assert.Equal(ClaudeErrorCategory.AuthenticationError, ex.Error.Category);
        Assert.DoesNotContain("sk-ant-api03-not-admin", ex.Message);
    }

    [Fact]
    public async Task The_organisation_report_goes_through_the_connections_explicit_proxy()
    {
        // The emulator doubles as the proxy: it answers absolute-form requests by their path. The API host
        // does not resolve, so the report can only arrive through the proxy; all traffic stays on 127.0.0.1.
        await using var emulator = await EmulatorSession.StartAsync(apiKey: "sk-ant-api03-proxy-test");
        AdminUsageLog.For(emulator.State).Add(new AccountedCall(Day1, "req_proxy", "claude-haiku-4-5", 11, 0, 0, 0, 2));
        var api = new Uri("http://usage-api.invalid/");
        using var connection = emulator.Connect(o =>
        {
            o.BaseUris = new List<Uri> { api };
            o.AllowUnencryptedConnection = true;
            o.Proxy = emulator.BaseUri;
        });

        using var client = new OrganizationUsageClient(api, "sk-ant-admin01-test", connection);
        var org = await client.GetMessagesUsageAsync(Day1.Date, Day1.Date.AddDays(1), CancellationToken.None);

        var row = Assert.Single(org);
        Assert.Equal((11L, 2L), (row.UncachedInputTokens, row.OutputTokens));
        Assert.Equal(emulator.BaseUri.GetLeftPart(UriPartial.Authority), connection.Info.Proxy);
    }

    [Fact]
    public async Task The_cost_report_gives_cents_as_a_decimal_string()
    {
        await using var emulator = await EmulatorSession.StartAsync();
        AdminUsageLog.For(emulator.State).Add(new AccountedCall(Day1, "r1", "claude-opus-4-5", 1, 0, 0, 0, 1, CostUsd: 0.123456m));
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(emulator.BaseUri, "v1/organizations/cost_report?starting_at=2026-10-03T00:00:00Z&ending_at=2026-10-04T00:00:00Z"));
        req.Headers.Add("x-api-key", "sk-ant-admin01-test");
        req.Headers.Add("anthropic-version", "2023-06-01");
        using var res = await http.SendAsync(req);
        using var doc = System.Text.Json.JsonDocument.Parse(await res.Content.ReadAsStringAsync());
        var result = doc.RootElement.GetProperty("data")[0].GetProperty("results")[0];
        Assert.Equal("12.3456", result.GetProperty("amount").GetString());
        Assert.Equal("USD", result.GetProperty("currency").GetString());
        Assert.False(doc.RootElement.GetProperty("has_more").GetBoolean());
    }
}
