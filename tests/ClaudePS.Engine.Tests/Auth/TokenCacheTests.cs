using ClaudePS.Engine.Auth;
using Xunit;

namespace ClaudePS.Engine.Tests.Auth;

public class TokenCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static (TokenCredential Credential, ScriptedTokenSource Source, FakeClock Clock) Create(TimeSpan lifetime, TokenRefreshPolicy? policy = null)
    {
        var clock = new FakeClock(T0);
        var source = new ScriptedTokenSource(clock, lifetime);
        var credential = new TokenCredential(source, new TokenCredentialOptions { Cache = new TokenCache(), Clock = clock.Func, RefreshPolicy = policy ?? TokenRefreshPolicy.Default });
        return (credential, source, clock);
    }

    [Theory]
    [InlineData(3600, 2880)] // 80 % of an hour (48 min) comes before "5 minutes left" (55 min)
    [InlineData(1200, 900)]  // 20 minutes: "5 minutes left" (15 min) comes before 80 % (16 min)
    [InlineData(600, 300)]   // 10 minutes: "5 minutes left" is exactly half
    [InlineData(240, 192)]   // 4 minutes: "5 minutes left" holds from the start, so 80 % alone decides
    [InlineData(100, 80)]
    public void Refresh_ahead_follows_the_80_percent_or_5_minutes_rule(int lifetimeSeconds, int refreshAfterSeconds)
    {
        var token = new AccessToken("t", T0, T0.AddSeconds(lifetimeSeconds));
        Assert.Equal(T0.AddSeconds(refreshAfterSeconds), TokenRefreshPolicy.Default.RefreshAt(token));
    }

    [Fact]
    public void Refresh_thresholds_are_configurable()
    {
        var policy = new TokenRefreshPolicy { LifetimeFraction = 0.9, MinimumRemaining = TimeSpan.FromMinutes(1) };
        var token = new AccessToken("t", T0, T0.AddHours(1));
        Assert.Equal(T0.AddMinutes(54), policy.RefreshAt(token));
    }

    [Fact]
    public async Task A_token_is_reused_until_the_refresh_point_then_renewed_in_the_background_while_callers_keep_the_old_one()
    {
        var (credential, source, clock) = Create(TimeSpan.FromMinutes(60));
        Assert.Equal("Bearer token-1", (await credential.GetHeaderAsync(false, default)).Value);
        clock.Advance(TimeSpan.FromMinutes(47));
        Assert.Equal("Bearer token-1", (await credential.GetHeaderAsync(false, default)).Value);
        Assert.Equal(1, source.Requests);

        clock.Advance(TimeSpan.FromMinutes(2)); // 49 of 60 minutes: past the refresh point, still valid
        source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (int i = 0; i < 10; i++)
            Assert.Equal("Bearer token-1", (await credential.GetHeaderAsync(false, default)).Value); // not blocked by the refresh
        await WaitUntil(() => Task.FromResult(source.Requests), n => n >= 2);
        Assert.Equal(2, source.Requests); // one background refresh, not ten

        source.Gate.SetResult();
        await WaitUntil(() => credential.GetHeaderAsync(false, default).AsTask(), h => h.Value == "Bearer token-2");
        Assert.Equal(2, source.Requests);
    }

    [Fact]
    public async Task Sixty_four_callers_at_expiry_cause_one_token_request()
    {
        var (credential, source, clock) = Create(TimeSpan.FromMinutes(10));
        await credential.GetHeaderAsync(false, default);
        clock.Advance(TimeSpan.FromMinutes(11)); // expired: callers must wait for the new token
        source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 64).Select(_ => Task.Run(() => credential.GetHeaderAsync(false, default).AsTask())).ToArray();
        await WaitUntil(() => Task.FromResult(source.Requests), n => n == 2);
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        source.Gate.SetResult();
        var headers = await Task.WhenAll(callers);
        Assert.All(headers, h => Assert.Equal("Bearer token-2", h.Value));
        Assert.Equal(2, source.Requests);
    }

    [Fact]
    public async Task Callers_that_read_the_token_as_its_background_refresh_completes_start_no_second_refresh()
    {
        // A caller reads the due token, then the refresh completes, then the caller asks for a refresh:
        // the token it saw is no longer current, so nothing starts. The window is a few instructions
        // wide, so each round has callers on their own threads calling without pause (the pool stays
        // free for the refresh itself) until well after the new token arrives.
        const int rounds = 100, callsAfterNewToken = 200;
        int callers = Math.Max(2, Environment.ProcessorCount);
        for (int round = 0; round < rounds; round++)
        {
            var (credential, source, clock) = Create(TimeSpan.FromMinutes(60));
            await credential.GetHeaderAsync(false, default);
            clock.Advance(TimeSpan.FromMinutes(49)); // past the refresh point, still valid
            var threads = Enumerable.Range(0, callers).Select(_ => new Thread(() =>
            {
                for (int extra = 0; extra < callsAfterNewToken;)
                    if (credential.GetHeaderAsync(false, default).GetAwaiter().GetResult().Value != "Bearer token-1") extra++;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.True(source.Requests == 2, $"round {round}: {source.Requests - 1} refreshes of one due token");
        }
    }

    [Fact]
    public async Task Forced_refreshes_after_401_from_many_callers_cost_one_token_request()
    {
        var (credential, source, _) = Create(TimeSpan.FromMinutes(60));
        await credential.GetHeaderAsync(false, default);
        var forced = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => credential.GetHeaderAsync(true, default).AsTask())));
        Assert.All(forced, h => Assert.Equal("Bearer token-2", h.Value));
        Assert.Equal(2, source.Requests);
    }

    [Fact]
    public async Task A_failed_background_refresh_keeps_the_valid_token_and_a_failed_refresh_of_an_expired_one_is_an_error()
    {
        var (credential, source, clock) = Create(TimeSpan.FromMinutes(60));
        await credential.GetHeaderAsync(false, default);
        clock.Advance(TimeSpan.FromMinutes(50));
        source.FailWith = new ClaudeException(new ClaudeError("ClaudePS.TokenEndpointUnavailable", ClaudeErrorCategory.ResourceUnavailable, "down"));
        Assert.Equal("Bearer token-1", (await credential.GetHeaderAsync(false, default)).Value);
        await WaitUntil(() => Task.FromResult(source.Requests), n => n == 2);

        clock.Advance(TimeSpan.FromMinutes(11)); // now expired
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => credential.GetHeaderAsync(false, default).AsTask());
        Assert.Equal("ClaudePS.TokenEndpointUnavailable", ex.Error.ErrorId);
        source.FailWith = null;
        Assert.StartsWith("Bearer token-", (await credential.GetHeaderAsync(false, default)).Value);
    }

    [Fact]
    public async Task Connections_with_the_same_identity_share_one_cached_token()
    {
        var clock = new FakeClock(T0);
        var source = new ScriptedTokenSource(clock, TimeSpan.FromHours(1));
        var cache = new TokenCache();
        var a = new TokenCredential(source, new TokenCredentialOptions { Cache = cache, Clock = clock.Func });
        var b = new TokenCredential(source, new TokenCredentialOptions { Cache = cache, Clock = clock.Func });
        Assert.Equal((await a.GetHeaderAsync(false, default)).Value, (await b.GetHeaderAsync(false, default)).Value);
        Assert.Equal(1, source.Requests);
    }

    [Fact]
    public void Header_and_token_ToString_never_show_the_value()
    {
        Assert.DoesNotContain("secret-value", new AuthHeader("Authorization", "Bearer secret-value").ToString());
        Assert.DoesNotContain("secret-value", new AccessToken("secret-value", T0, T0.AddHours(1)).ToString());
    }

    internal static async Task<T> WaitUntil<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        for (int i = 0; i < 500; i++)
        {
            var value = await probe();
            if (done(value)) return value;
            await Task.Delay(10);
        }
        throw new TimeoutException("The condition was not reached.");
    }
}
