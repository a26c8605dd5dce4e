using ClaudePS.Emulator;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

/// <summary>The client counts into the metrics its connection carries, not a process-wide instance.</summary>
public class ConnectionMetricsTests
{
    private const string Model = "claude-sonnet-4-5";

    /// <summary>An emulator and a connection to it that counts into <paramref name="metrics"/>, with one quick retry.</summary>
    private static Task<EmulatorSession> StartAsync(ClaudeMetrics metrics, EmulatorOptions? emulator = null) => EmulatorSession.StartAsync(emulator, o =>
    {
        o.Metrics = metrics;
        o.UsageRecorder = new LedgerUsageRecorder(null, () => PriceTable.Shipped, metrics);
        o.Resilience.MaxRetries = 1; o.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1); o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
    }, apiKey: "sk-ant-test-metrics");

    [Fact]
    public async Task A_successful_call_counts_its_request_and_tokens_in_the_connections_metrics()
    {
        var metrics = new ClaudeMetrics();
        await using var emulator = await StartAsync(metrics);
        var connection = emulator.Connection;

        var response = await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("count me", Model, 32));

        var parsed = PrometheusTextParser.Parse(metrics.ToPrometheusText());
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", Model), ("status", "200")));
        Assert.Equal(response.Usage!.OutputTokens, (long)parsed.Value("claudeps_tokens_total", ("model", response.Model), ("kind", "output")));
        Assert.True(parsed.Value("claudeps_cost_usd_total", ("model", response.Model)) > 0);
    }

    [Fact]
    public async Task Rate_limits_and_retries_are_counted_in_the_connections_metrics()
    {
        var metrics = new ClaudeMetrics();
        await using var emulator = await StartAsync(metrics, new EmulatorOptions
        {
            FaultRate = 1,
            Seed = 3,
            RandomFaultKinds = new List<string> { "429" },
            FaultRetryAfterMs = 1,
        });
        var connection = emulator.Connection;

        var ex = await Assert.ThrowsAsync<ClaudeException>(() => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("refused", Model, 32)));

        Assert.Equal(429, ex.Error.HttpStatus);
        var parsed = PrometheusTextParser.Parse(metrics.ToPrometheusText());
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", Model), ("status", "429")));
        Assert.Equal(1, parsed.Value("claudeps_retries_total", ("reason", "429")));
        Assert.Equal(2, parsed.Value("claudeps_rate_limited_total", ("model", Model)));
    }
}
