using ClaudePS.Emulator;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

/// <summary>The transport against the in-process emulator's scripted faults (x-emulator-scenario / x-emulator-faults).</summary>
public class EmulatorFaultTests : EmulatorConnectionTest
{
    private ClaudeConnection Connect(TestClock clock, Action<ClaudeConnectionOptions>? configure = null, Uri? first = null) =>
        Session.Connect(o =>
        {
            if (first is not null) o.BaseUris.Insert(0, first);
            configure?.Invoke(o);
        }, clock, new ScenarioHeaders { InnerHandler = new SocketsHttpHandler() });

    private static MessageRequest Prompt(string text) => MessageRequest.ForPrompt(text, maxTokens: 64);

    [Theory]
    [InlineData("429")]
    [InlineData("529")]
    [InlineData("500")]
    [InlineData("503")]
    [InlineData("reset")]
    [InlineData("reset-mid-stream")]
    [InlineData("stream-error")] // on a JSON call the emulator answers 529
    public async Task Each_fault_kind_on_a_json_call_is_retried_and_billed_once(string fault)
    {
        var clock = new TestClock();
        var recorder = new CountingRecorder();
        using var c = Connect(clock, o => o.UsageRecorder = recorder);
        string scenario = "json-" + fault + "-" + Guid.NewGuid().ToString("N");
        var response = await ScenarioHeaders.With(scenario, fault, () => c.Client.CreateMessageAsync(Prompt("fault " + fault)));
        Assert.Equal(2, response.Attempts);
        Assert.False(string.IsNullOrEmpty(response.Text));
        Assert.Equal(2, Server.State.Faults.AttemptsOf(scenario));
        Assert.Single(recorder.Events);
        var billed = Server.State.Accounting.Billed().Where(r => r.RequestId == response.RequestId);
        Assert.Single(billed);
    }

    [Fact]
    public async Task Several_faults_in_a_row_are_all_survived()
    {
        var clock = new TestClock();
        using var c = Connect(clock);
        var response = await ScenarioHeaders.With("chain-" + Guid.NewGuid().ToString("N"), "429,529,500,503,reset",
            () => c.Client.CreateMessageAsync(Prompt("chain")));
        Assert.Equal(6, response.Attempts);
    }

    [Fact]
    public async Task The_spend_cap_fails_at_once()
    {
        var clock = new TestClock();
        using var c = Connect(clock);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() =>
            ScenarioHeaders.With("cap-" + Guid.NewGuid().ToString("N"), "spend-cap", () => c.Client.CreateMessageAsync(Prompt("cap"))));
        Assert.Equal("ClaudePS.SpendLimitReached", ex.Error.ErrorId);
    }

    [Fact]
    public async Task A_stream_error_after_content_is_not_retried_and_keeps_the_partial_reply()
    {
        var clock = new TestClock();
        var recorder = new CountingRecorder();
        using var c = Connect(clock, o => o.UsageRecorder = recorder);
        string scenario = "se-" + Guid.NewGuid().ToString("N");
        var ex = await Assert.ThrowsAsync<ClaudeException>(() =>
            ScenarioHeaders.With(scenario, "stream-error", () => c.Client.StreamMessageAsync(Prompt("stream please, a longer reply"), null)));
        Assert.Equal(1, Server.State.Faults.AttemptsOf(scenario));
        Assert.False(string.IsNullOrEmpty(ex.Error.PartialText));
        Assert.NotNull(ex.Error.PartialUsage);
        Assert.Equal("stream_failed", Assert.Single(recorder.Events).Outcome);
    }

    [Fact]
    public async Task A_stalled_stream_is_abandoned_by_the_idle_timeout_and_retried()
    {
        var clock = new TestClock();
        using var c = Connect(clock, o => o.Resilience.StreamIdleTimeout = TimeSpan.FromMilliseconds(300));
        var response = await ScenarioHeaders.With("stall-" + Guid.NewGuid().ToString("N"), "stall:5",
            () => c.Client.StreamMessageAsync(Prompt("stall"), null));
        Assert.Equal(2, response.Attempts);
    }

    [Fact]
    public async Task A_dead_first_endpoint_fails_over_to_the_emulator()
    {
        // Port 9 on loopback: nothing listens, the connection is refused.
        var clock = new TestClock();
        using var c = Connect(clock, first: new Uri("http://127.0.0.1:9"));
        var response = await c.Client.CreateMessageAsync(Prompt("failover"));
        Assert.Equal(ClaudeClient.Shown(Server.BaseUri), response.Endpoint);
        Assert.Equal(2, response.Attempts);
    }

    [Fact]
    public async Task The_limiter_learns_the_emulators_limit_and_spaces_requests_so_none_meets_a_429()
    {
        // Sequential on a shared fast-forward clock, so the emulator sees exactly the waits the client made.
        var clock = new TestClock();
        await using var limited = await EmulatorSession.StartAsync(new EmulatorOptions { RequestsPerMinute = 30, Clock = clock }, clock: clock);
        var c = limited.Connection;
        for (int i = 0; i < 40; i++) await c.Client.CreateMessageAsync(Prompt("paced " + i));
        Assert.Equal(0, limited.State.Accounting.RateLimitedResponses);
        Assert.Equal(30, c.Transport.Limiter.Requests.ServerLimit);
        // The burst of 30 went at once; the other 10 each waited about one request's refill (2 s at 30 RPM).
        Assert.InRange(clock.Waits.Count, 9, 11);
        Assert.All(clock.Waits, w => Assert.InRange(w.TotalSeconds, 1.5, 2.2));
    }
}

/// <summary>Adds the emulator's scenario headers to requests made inside <see cref="With"/>.</summary>
internal sealed class ScenarioHeaders : DelegatingHandler
{
    private static readonly AsyncLocal<(string Id, string Faults)?> Current = new();

    public static async Task<T> With<T>(string scenario, string faults, Func<Task<T>> work)
    {
        Current.Value = (scenario, faults);
        try { return await work(); }
        finally { Current.Value = null; }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Current.Value is { } s)
        {
            request.Headers.TryAddWithoutValidation(FaultInjector.ScenarioHeader, s.Id);
            request.Headers.TryAddWithoutValidation(FaultInjector.FaultsHeader, s.Faults);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
