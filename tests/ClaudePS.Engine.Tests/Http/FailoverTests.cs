using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Http;

public class FailoverTests
{
    private static MessageRequest Prompt() => MessageRequest.ForPrompt("hi");

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(529)]
    public async Task A_server_failure_moves_the_next_attempt_to_the_next_endpoint_at_once(int status)
    {
        var clock = new TestClock();
        var api = new FakeApi((r, _) => r.RequestUri!.Port == 9001 ? FakeApi.Error(status) : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock, endpoints: 2);
        var response = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal("http://127.0.0.1:9002", response.Endpoint);
        Assert.Equal(new[] { 9001, 9002 }, api.Seen.Select(s => s.Uri.Port));
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task A_connection_error_fails_over_too()
    {
        var clock = new TestClock();
        var api = new FakeApi((r, _) => r.RequestUri!.Port == 9001 ? throw new HttpRequestException("refused") : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock, endpoints: 2);
        var response = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal("http://127.0.0.1:9002", response.Endpoint);
    }

    [Fact]
    public async Task A_429_stays_on_the_same_endpoint()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0 ? FakeApi.With(FakeApi.Error(429, "rate_limit_error"), "retry-after", "1") : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock, endpoints: 2);
        var response = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal("http://127.0.0.1:9001", response.Endpoint);
        Assert.Equal(new[] { 9001, 9001 }, api.Seen.Select(s => s.Uri.Port));
    }

    [Fact]
    public async Task A_failed_endpoint_is_avoided_then_probed_and_failed_back_to()
    {
        var clock = new TestClock();
        bool primaryUp = false;
        var api = new FakeApi((r, _) => r.RequestUri!.Port == 9001 && !Volatile.Read(ref primaryUp) ? FakeApi.Error(503) : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.FailbackInterval = TimeSpan.FromSeconds(30), endpoints: 2);
        var log = new CollectingSink();
        var call = new Engine.Http.CallOptions { Log = log };

        Assert.Equal("http://127.0.0.1:9002", (await c.Client.CreateMessageAsync(Prompt(), call)).Endpoint);
        // Within the interval the primary is not tried at all.
        Assert.Equal("http://127.0.0.1:9002", (await c.Client.CreateMessageAsync(Prompt(), call)).Endpoint);
        Assert.Equal(new[] { 9001, 9002, 9002 }, api.Seen.Select(s => s.Uri.Port));

        // After the interval one request probes the primary; it is still down, so it fails over again.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("http://127.0.0.1:9002", (await c.Client.CreateMessageAsync(Prompt(), call)).Endpoint);
        Assert.Contains(log.Verbose, l => l.Contains("Probing endpoint http://127.0.0.1:9001"));

        // Once it is back, the next probe succeeds and traffic stays there.
        Volatile.Write(ref primaryUp, true);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("http://127.0.0.1:9001", (await c.Client.CreateMessageAsync(Prompt(), call)).Endpoint);
        Assert.Equal("http://127.0.0.1:9001", (await c.Client.CreateMessageAsync(Prompt(), call)).Endpoint);
    }

    [Fact]
    public async Task The_circuit_breaker_opens_after_repeated_failures_and_closes_after_its_break()
    {
        var clock = new TestClock();
        bool healthy = false;
        var api = new FakeApi((_, _) => Volatile.Read(ref healthy) ? FakeApi.Message() : FakeApi.Error(500), clock);
        using var c = TestConnections.Create(api, clock, o =>
        {
            o.Resilience.BreakerMinimumThroughput = 2;
            o.Resilience.BreakerFailureRatio = 0.5;
            o.Resilience.BreakerBreakDuration = TimeSpan.FromSeconds(15);
            o.Resilience.MaxRetries = 2;
        });

        // Two failures open the breaker; the third attempt is refused without reaching the server.
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal("ClaudePS.CircuitOpen", ex.Error.ErrorId);
        Assert.Equal(2, api.Count);

        // The next call waits out the break (on the test clock), then the half-open probe gets through.
        Volatile.Write(ref healthy, true);
        var waitsBefore = clock.Waits.Count;
        var response = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal("Hello", response.Text);
        Assert.Equal(3, api.Count);
        Assert.Contains(clock.Waits.Skip(waitsBefore), w => w > TimeSpan.FromSeconds(10) && w <= TimeSpan.FromSeconds(15));
    }
}
