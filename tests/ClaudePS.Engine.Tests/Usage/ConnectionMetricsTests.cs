using ClaudePS.Emulator;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

/// <summary>The client counts into the metrics, and prices with the table, of the services its connection
/// carries, never the process's.</summary>
public class ConnectionMetricsTests
{
    private const string Model = "claude-sonnet-4-5";

    /// <summary>An emulator and a connection to it that uses <paramref name="services"/>, with one quick retry.</summary>
    private static Task<EmulatorSession> StartAsync(ClaudeServices services, EmulatorOptions? emulator = null) => EmulatorSession.StartAsync(emulator, o =>
    {
        o.Services = services;
        o.Recording = UsageRecording.Priced;
        o.Resilience.MaxRetries = 1; o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1); o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
    }, apiKey: "sk-ant-test-metrics");

    [Fact]
    public async Task A_successful_call_counts_its_request_and_tokens_in_the_connections_metrics()
    {
        var services = new ClaudeServices(PriceTable.Shipped);
        await using var emulator = await StartAsync(services);

        var response = await emulator.Connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("count me", Model, 32));

        var parsed = PrometheusTextParser.Parse(services.Metrics.ToPrometheusText());
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", Model), ("status", "200")));
        Assert.Equal(response.Usage!.OutputTokens, (long)parsed.Value("claudeps_tokens_total", ("model", response.Model), ("kind", "output")));
        Assert.True(parsed.Value("claudeps_cost_usd_total", ("model", response.Model)) > 0);
    }

    [Fact]
    public async Task Replies_are_priced_with_the_price_table_of_the_connections_services()
    {
        var shipped = PriceTable.Shipped.Find(Model)!;
        var services = new ClaudeServices(PriceTable.Shipped.With(new[]
        {
            new ClaudePrice { Family = shipped.Family, InputPerMTok = 1000m, OutputPerMTok = 1000m, Aliases = shipped.Aliases, Origin = "user" },
        }, "test"));
        await using var emulator = await StartAsync(services);

        var response = await emulator.Connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("price me", Model, 32));

        var usage = response.Usage!;
        Assert.Equal((usage.InputTokens + usage.OutputTokens) * 1000m / 1_000_000m, response.CostUsd);
    }

    [Fact]
    public async Task Rate_limits_and_retries_are_counted_in_the_connections_metrics()
    {
        var services = new ClaudeServices(PriceTable.Shipped);
        await using var emulator = await StartAsync(services, new EmulatorOptions
        {
            FaultRate = 1,
            Seed = 3,
            RandomFaultKinds = new List<string> { "429" },
            FaultRetryAfterMs = 1,
        });

        var ex = await Assert.ThrowsAsync<ClaudeException>(() => emulator.Connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("refused", Model, 32)));

        Assert.Equal(429, ex.Error.HttpStatus);
        var parsed = PrometheusTextParser.Parse(services.Metrics.ToPrometheusText());
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", Model), ("status", "429")));
        Assert.Equal(1, parsed.Value("claudeps_retries_total", ("reason", "429")));
        Assert.Equal(2, parsed.Value("claudeps_rate_limited_total", ("model", Model)));
    }
}
