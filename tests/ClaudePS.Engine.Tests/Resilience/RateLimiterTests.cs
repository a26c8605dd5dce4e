using System.Net;
using ClaudePS.Engine.RateLimiting;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

public class RateLimiterTests
{
    private static MessageRequest Prompt(string text = "hi") => MessageRequest.ForPrompt(text, maxTokens: 100);

    private static HttpResponseMessage WithLimits(HttpResponseMessage res, long rpm, long rpmLeft, long itpm = 100_000, long itpmLeft = 100_000, long otpm = 100_000, long otpmLeft = 100_000)
    {
        res.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-limit", rpm.ToString());
        res.Headers.TryAddWithoutValidation("anthropic-ratelimit-requests-remaining", rpmLeft.ToString());
        res.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-limit", itpm.ToString());
        res.Headers.TryAddWithoutValidation("anthropic-ratelimit-input-tokens-remaining", itpmLeft.ToString());
        res.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-limit", otpm.ToString());
        res.Headers.TryAddWithoutValidation("anthropic-ratelimit-output-tokens-remaining", otpmLeft.ToString());
        return res;
    }

    [Fact]
    public async Task One_429_pauses_every_sender_until_its_retry_after()
    {
        var clock = new TestClock();
        DateTimeOffset? rejectedAt = null;
        var api = new FakeApi((_, i) =>
        {
            if (i == 0)
            {
                rejectedAt = clock.GetUtcNow();
                return FakeApi.With(WithLimits(FakeApi.Error(429, "rate_limit_error"), 600, 0), "retry-after", "10");
            }
            return WithLimits(FakeApi.Message(), 600, 500);
        }, clock);
        using var c = TestConnections.Create(api, clock);
        var calls = Enumerable.Range(0, 8).Select(i => c.Client.CreateMessageAsync(Prompt("p" + i))).ToArray();
        var responses = await Task.WhenAll(calls);
        Assert.All(responses, r => Assert.Equal("Hello", r.Text));
        Assert.Equal(9, api.Count);
        // Only the scout met a 429; every other request went out after the pause.
        var afterPause = rejectedAt!.Value.AddSeconds(10);
        Assert.All(api.Seen.Skip(1), s => Assert.True(s.At >= afterPause, $"sent at {s.At:O}, pause ended {afterPause:O}"));
    }

    [Fact]
    public async Task Before_the_limits_are_known_only_one_request_is_in_flight()
    {
        var clock = new TestClock();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var api = new FakeApi(async (_, i, _) =>
        {
            if (i == 0) await release.Task;
            return WithLimits(FakeApi.Message(), 1000, 990);
        }, clock);
        using var c = TestConnections.Create(api, clock);
        var calls = Enumerable.Range(0, 5).Select(_ => c.Client.CreateMessageAsync(Prompt())).ToArray();
        await Task.Delay(100);
        Assert.Equal(1, api.Count);
        release.SetResult();
        await Task.WhenAll(calls);
        Assert.Equal(5, api.Count);
    }

    [Fact]
    public async Task The_concurrency_limit_holds()
    {
        var clock = new TestClock();
        var api = new FakeApi(async (_, _, _) => { await Task.Delay(20); return FakeApi.Message(); }, clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxConcurrency = 2);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => c.Client.CreateMessageAsync(Prompt())));
        Assert.Equal(10, api.Count);
        Assert.True(api.MaxInFlight <= 2, $"max in flight {api.MaxInFlight}");
    }

    [Fact]
    public async Task A_user_request_cap_spaces_requests_out()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxRequestsPerMinute = 2);
        for (int i = 0; i < 3; i++) await c.Client.CreateMessageAsync(Prompt());
        // Two fit the bucket; the third waits for one request's refill: 60 s / 2 / 0.97.
        var wait = Assert.Single(clock.Waits);
        Assert.InRange(wait.TotalSeconds, 30, 31.5);
    }

    [Fact]
    public async Task A_user_output_cap_counts_max_tokens_until_replies_teach_an_average()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Message(output: 5), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxOutputTokensPerMinute = 250);
        // max_tokens 100: two requests fit 250 tokens at once; the third must wait for refill...
        for (int i = 0; i < 2; i++) await c.Client.CreateMessageAsync(Prompt());
        Assert.Empty(clock.Waits);
        // ...but each settled reply used only 5 tokens, so the refunds leave room for the third.
        await c.Client.CreateMessageAsync(Prompt());
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public void A_bucket_resyncs_down_to_the_servers_remaining_but_never_up()
    {
        var clock = new TestClock();
        var bucket = new TokenBucket("requests", userCap: null);
        long now = clock.GetTimestamp();
        Assert.Equal(TimeSpan.Zero, bucket.Take(1000, now, clock)); // unknown limit: unlimited
        bucket.Sync(limit: 600, remaining: 10, sinceSent: TimeSpan.Zero, now, clock);
        Assert.Equal(600, bucket.Capacity);
        Assert.Equal(10, bucket.Level, 3);
        bucket.Sync(limit: 600, remaining: 400, sinceSent: TimeSpan.Zero, now, clock);
        Assert.Equal(10, bucket.Level, 3);
        bucket.Sync(limit: 600, remaining: 2, sinceSent: TimeSpan.Zero, now, clock);
        Assert.Equal(2, bucket.Level, 3);
        // 3 more than the level: wait for 3 tokens at 600 × 0.97 per minute.
        var wait = bucket.Take(5, now, clock);
        Assert.InRange(wait.TotalSeconds, 3 / (600 * TokenBucket.SafetyFactor / 60) - 0.001, 3 / (600 * TokenBucket.SafetyFactor / 60) + 0.001);
    }

    [Fact]
    public void A_user_cap_below_the_server_limit_sizes_the_bucket()
    {
        var clock = new TestClock();
        var bucket = new TokenBucket("input tokens", userCap: 1000);
        bucket.Sync(limit: 80_000, remaining: 80_000, sinceSent: TimeSpan.Zero, clock.GetTimestamp(), clock);
        Assert.Equal(1000, bucket.Capacity);
        Assert.Equal(1000, bucket.Level, 3);
    }

    [Fact]
    public async Task Responses_resync_the_limiter_from_their_headers()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => WithLimits(FakeApi.Message(), rpm: 60, rpmLeft: 0), clock);
        using var c = TestConnections.Create(api, clock);
        await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(60, c.Transport.Limiter.Requests.Capacity);
        await c.Client.CreateMessageAsync(Prompt());
        // The server said none are left, so the second request waited about one request's refill.
        var wait = Assert.Single(clock.Waits);
        Assert.InRange(wait.TotalSeconds, 1.0, 1.1);
    }

    [Fact]
    public async Task A_whole_reply_that_cannot_be_read_still_resyncs_the_limiter()
    {
        // Its headers are synced together with its usage once read; a reply with no readable usage must
        // not take them along with it.
        var clock = new TestClock();
        var api = new FakeApi((_, _) => WithLimits(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("not json") }, rpm: 60, rpmLeft: 0), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxRetries = 0);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal("ClaudePS.InvalidResponse", ex.Error.ErrorId);
        Assert.Equal(60, c.Transport.Limiter.Requests.Capacity);
    }

    [Fact]
    public async Task A_counted_input_is_reserved_exactly()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Message(input: 1), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxInputTokensPerMinute = 1000);
        // The body is tiny, but the caller says it counted 900 tokens: the second call must wait for refill.
        await c.Client.CreateMessageAsync(Prompt(), new Engine.Http.CallOptions { InputTokens = 900 });
        Assert.InRange(c.Transport.Limiter.InputTokens.Level, 998, 1000); // settled to the 1 token actually used
        await c.Client.CreateMessageAsync(Prompt(), new Engine.Http.CallOptions { InputTokens = 900 });
        Assert.Empty(clock.Waits);
        await c.Client.CreateMessageAsync(Prompt(), new Engine.Http.CallOptions { InputTokens = 1900 });
        var wait = Assert.Single(clock.Waits);
        Assert.True(wait > TimeSpan.FromSeconds(50), wait.ToString());
    }
}
