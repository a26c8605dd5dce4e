using System.Collections;
using System.Text;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

public class CacheAndSettingsTests
{
    private static MessageRequest Prompt(string text = "hi", double? temperature = 0) =>
        new() { MaxTokens = 100, Temperature = temperature, Messages = { new ClaudeMessage("user", text) } };

    private static (ClaudePS.Engine.Connections.ClaudeConnection c, FakeApi api, CountingRecorder rec, TestClock clock) Cached(Action<ResilienceOptions>? more = null)
    {
        var clock = new TestClock();
        int n = 0;
        var api = new FakeApi((_, _) => FakeApi.Message("reply " + Interlocked.Increment(ref n)), clock);
        var rec = new CountingRecorder();
        var c = TestConnections.Create(api, clock, o =>
        {
            o.UsageRecorder = rec;
            // temperature 0 (what makes a reply cacheable without -Cache Force) exists only before API version 2026-10-21.
            o.AnthropicVersion = ClaudePS.Engine.Connections.ApiVersion.Legacy;
            o.Resilience.CacheTtl = TimeSpan.FromMinutes(5);
            more?.Invoke(o.Resilience);
        });
        return (c, api, rec, clock);
    }

    [Fact]
    public async Task A_repeated_temperature_zero_request_is_served_from_the_cache_and_not_billed()
    {
        var (c, api, rec, _) = Cached();
        using var _c = c;
        var first = await c.Client.CreateMessageAsync(Prompt());
        var second = await c.Client.CreateMessageAsync(Prompt());
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(first.Text, second.Text);
        Assert.Null(second.CostUsd);
        Assert.Equal(0, second.Attempts);
        Assert.Equal(1, api.Count);
        Assert.Single(rec.Events);
    }

    [Fact]
    public async Task Other_temperatures_are_not_cached_unless_forced()
    {
        var (c, api, _, _) = Cached();
        using var _c = c;
        await c.Client.CreateMessageAsync(Prompt(temperature: null));
        var again = await c.Client.CreateMessageAsync(Prompt(temperature: null));
        Assert.False(again.FromCache);
        Assert.Equal(2, api.Count);

        var force = new CallOptions { Cache = CacheMode.Force };
        await c.Client.CreateMessageAsync(Prompt("t", temperature: 0.7), force);
        Assert.True((await c.Client.CreateMessageAsync(Prompt("t", temperature: 0.7), force)).FromCache);
        Assert.Equal(3, api.Count);
    }

    [Fact]
    public async Task Streams_are_never_cached_and_bypass_skips_the_cache()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseText("s") + FakeApi.SseEnd()), clock);
        using var c = TestConnections.Create(api, clock, o => { o.Resilience.CacheTtl = TimeSpan.FromMinutes(5); o.AnthropicVersion = ClaudePS.Engine.Connections.ApiVersion.Legacy; });
        await c.Client.StreamMessageAsync(Prompt(), null);
        Assert.False((await c.Client.StreamMessageAsync(Prompt(), null)).FromCache);
        Assert.Equal(2, api.Count);
        Assert.Equal(0, c.Transport.Cache!.Count);

        var (c2, api2, _, _) = Cached();
        using var _c2 = c2;
        await c2.Client.CreateMessageAsync(Prompt());
        Assert.False((await c2.Client.CreateMessageAsync(Prompt(), new CallOptions { Cache = CacheMode.Bypass })).FromCache);
        Assert.Equal(2, api2.Count);
    }

    [Fact]
    public async Task Entries_expire_after_the_ttl()
    {
        var (c, api, _, clock) = Cached();
        using var _c = c;
        await c.Client.CreateMessageAsync(Prompt());
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False((await c.Client.CreateMessageAsync(Prompt())).FromCache);
        Assert.Equal(2, api.Count);
    }

    [Fact]
    public async Task The_least_recently_used_entry_goes_first()
    {
        var (c, api, _, _) = Cached(r => r.CacheMaxEntries = 2);
        using var _c = c;
        await c.Client.CreateMessageAsync(Prompt("a"));
        await c.Client.CreateMessageAsync(Prompt("b"));
        await c.Client.CreateMessageAsync(Prompt("a")); // a is now the most recent
        await c.Client.CreateMessageAsync(Prompt("c")); // evicts b
        Assert.Equal(3, api.Count);
        Assert.True((await c.Client.CreateMessageAsync(Prompt("a"))).FromCache);
        Assert.False((await c.Client.CreateMessageAsync(Prompt("b"))).FromCache);
        Assert.Equal(2, c.Transport.Cache!.Count);
    }

    [Fact]
    public void The_key_ignores_property_order_but_not_content()
    {
        var a = ResponseCache.Key("/v1/messages", Encoding.UTF8.GetBytes("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        var b = ResponseCache.Key("/v1/messages", Encoding.UTF8.GetBytes("{\"messages\":[{\"content\":\"x\",\"role\":\"user\"}],\"max_tokens\":5,\"model\":\"m\"}"));
        var c = ResponseCache.Key("/v1/messages", Encoding.UTF8.GetBytes("{\"messages\":[{\"content\":\"y\",\"role\":\"user\"}],\"max_tokens\":5,\"model\":\"m\"}"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Environment_fills_what_the_options_leave_unset_and_explicit_values_win()
    {
        var env = new Hashtable { ["CLAUDEPS_MAX_RETRIES"] = "2", ["CLAUDEPS_MAX_RPM"] = "50", ["CLAUDEPS_CACHE_TTL_SEC"] = "30", ["CLAUDEPS_ADAPTIVE_RATE_LIMIT"] = "off" };
        var fromEnv = new ResilienceOptions().Resolve(env);
        Assert.Equal(2, fromEnv.MaxRetries);
        Assert.Equal(50, fromEnv.MaxRequestsPerMinute);
        Assert.Equal(TimeSpan.FromSeconds(30), fromEnv.CacheTtl);
        Assert.False(fromEnv.AdaptiveRateLimit);
        var explicitWins = new ResilienceOptions { MaxRetries = 5 }.Resolve(env);
        Assert.Equal(5, explicitWins.MaxRetries);
        var defaults = new ResilienceOptions().Resolve(new Hashtable());
        Assert.Equal(8, defaults.MaxRetries);
        Assert.Equal(TimeSpan.FromMinutes(3), defaults.RetryBudget);
        Assert.Null(defaults.CacheTtl);
    }

    [Fact]
    public void A_bad_environment_value_is_an_error_that_names_the_variable()
    {
        var ex = Assert.Throws<ClaudeException>(() => new ResilienceOptions().Resolve(new Hashtable { ["CLAUDEPS_MAX_RETRIES"] = "many" }));
        Assert.Equal("ClaudePS.InvalidSetting", ex.Error.ErrorId);
        Assert.Contains("CLAUDEPS_MAX_RETRIES", ex.Error.Message);
        Assert.Throws<ClaudeException>(() => new ResilienceOptions { MaxConcurrency = 0 }.Resolve(null));
    }
}
