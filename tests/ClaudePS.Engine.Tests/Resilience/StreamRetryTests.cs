using ClaudePS.Engine.Http;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

public class StreamRetryTests
{
    private static MessageRequest Prompt() => MessageRequest.ForPrompt("hi");

    [Fact]
    public async Task A_stream_that_fails_before_content_is_retried_and_its_billed_start_is_recorded_once()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0
            ? FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseError())
            : FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseText("Hi") + FakeApi.SseEnd()), clock);
        var recorder = new CountingRecorder();
        using var c = TestConnections.Create(api, clock, o => o.UsageRecorder = recorder);
        var seen = new List<string>();
        var r = await c.Client.StreamMessageAsync(Prompt(), seen.Add);
        Assert.Equal("Hi", r.Text);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(new[] { "Hi" }, seen);
        Assert.Equal(new[] { "stream_failed", "succeeded" }, recorder.Events.Select(e => e.Outcome));
    }

    [Fact]
    public async Task A_stream_that_fails_after_content_is_not_retried_and_carries_the_partial_reply()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Stream(FakeApi.SseStart(input: 25) + FakeApi.SseText("Half an ans") + FakeApi.SseError()), clock);
        var recorder = new CountingRecorder();
        using var c = TestConnections.Create(api, clock, o => o.UsageRecorder = recorder);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.StreamMessageAsync(Prompt(), null));
        Assert.Equal(1, api.Count);
        Assert.Equal("ClaudePS.StreamError", ex.Error.ErrorId);
        Assert.Equal("Half an ans", ex.Error.PartialText);
        Assert.Equal(25, ex.Error.PartialUsage!.InputTokens);
        var billed = Assert.Single(recorder.Events);
        Assert.Equal("stream_failed", billed.Outcome);
        Assert.Equal(25, billed.Usage.InputTokens);
    }

    [Fact]
    public async Task A_stream_that_goes_silent_before_content_is_abandoned_and_retried()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0
            ? FakeApi.Stream(FakeApi.SseStart(), thenStall: true)
            : FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseText("Back") + FakeApi.SseEnd()), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.StreamIdleTimeout = TimeSpan.FromMilliseconds(200));
        var log = new CollectingSink();
        var r = await c.Client.StreamMessageAsync(Prompt(), null, new CallOptions { Log = log });
        Assert.Equal("Back", r.Text);
        Assert.Equal(2, r.Attempts);
        Assert.Contains(log.Verbose, l => l.Contains("ClaudePS.StreamIdle"));
    }

    [Fact]
    public async Task A_stream_that_goes_silent_after_content_fails_with_the_partial_text()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseText("Some"), thenStall: true), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.StreamIdleTimeout = TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.StreamMessageAsync(Prompt(), null));
        Assert.Equal("ClaudePS.StreamIdle", ex.Error.ErrorId);
        Assert.Equal("Some", ex.Error.PartialText);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task A_stream_cut_off_before_message_stop_after_content_keeps_the_partial_text()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseText("Cut")), clock);
        using var c = TestConnections.Create(api, clock);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.StreamMessageAsync(Prompt(), null));
        Assert.Equal("ClaudePS.StreamTruncated", ex.Error.ErrorId);
        Assert.Equal("Cut", ex.Error.PartialText);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task An_attempt_timeout_is_retried()
    {
        var clock = new TestClock();
        var api = new FakeApi(async (_, i, ct) =>
        {
            if (i == 0) await Task.Delay(Timeout.Infinite, ct);
            return FakeApi.Message();
        }, clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(200));
        var r = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(2, r.Attempts);
    }

    [Fact]
    public async Task The_overall_deadline_ends_the_call_with_a_timeout_error()
    {
        var clock = new TestClock();
        var api = new FakeApi(async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return FakeApi.Message(); }, clock);
        using var c = TestConnections.Create(api, clock);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt(), new CallOptions { Timeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal("ClaudePS.Timeout", ex.Error.ErrorId);
    }
}
