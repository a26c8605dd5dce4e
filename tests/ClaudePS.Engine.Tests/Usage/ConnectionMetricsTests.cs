using ClaudePS.Emulator;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

/// <summary>The client counts into the metrics its connection carries, not a process-wide instance.</summary>
public class ConnectionMetricsTests
{
    private const string Model = "claude-sonnet-4-5";

    private static ClaudeConnection Connect(EmulatorServer emulator, ClaudeMetrics metrics) => ClaudeConnection.Create(new ClaudeConnectionOptions
    {
        BaseUris = { emulator.BaseUri },
        Credential = new ApiKeyCredential("sk-ant-test-metrics", "test"),
        Metrics = metrics,
        UsageRecorder = new LedgerUsageRecorder(null, () => PriceTable.Shipped, metrics),
        Resilience = { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
    }, new Dictionary<string, string>());

    [Fact]
    public async Task A_successful_call_counts_its_request_and_tokens_in_the_connections_metrics()
    {
        await using var emulator = await EmulatorServer.StartAsync();
        var metrics = new ClaudeMetrics();
        using var connection = Connect(emulator, metrics);

        var response = await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("count me", Model, 32));

        var parsed = PrometheusTextParser.Parse(metrics.ToPrometheusText());
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", Model), ("status", "200")));
        Assert.Equal(response.Usage!.OutputTokens, (long)parsed.Value("claudeps_tokens_total", ("model", response.Model), ("kind", "output")));
        Assert.True(parsed.Value("claudeps_cost_usd_total", ("model", response.Model)) > 0);
    }

    [Fact]
    public async Task Rate_limits_and_retries_are_counted_in_the_connections_metrics()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            FaultRate = 1,
            Seed = 3,
            RandomFaultKinds = new List<string> { "429" },
            FaultRetryAfterMs = 1,
        });
        var metrics = new ClaudeMetrics();
        using var connection = Connect(emulator, metrics);

        var ex = await Assert.ThrowsAsync<ClaudeException>(() => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("refused", Model, 32)));

        Assert.Equal(429, ex.Error.HttpStatus);
        var parsed = PrometheusTextParser.Parse(metrics.ToPrometheusText());
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", Model), ("status", "429")));
        Assert.Equal(1, parsed.Value("claudeps_retries_total", ("reason", "429")));
        Assert.Equal(2, parsed.Value("claudeps_rate_limited_total", ("model", Model)));
    }
}
