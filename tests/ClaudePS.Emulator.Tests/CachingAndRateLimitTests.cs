using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>Prompt caching usage fields and per-key token-bucket rate limits, on a hand-moved clock.</summary>
public sealed class CachingAndRateLimitTests
{
    private static readonly string LongSystem = string.Join(" ", Enumerable.Repeat("You are a careful assistant for the harbour office.", 20));

    private static string CachedBody(string prompt, string ttl = "5m", string? system = null, int maxTokens = 100) => new JsonObject
    {
        ["model"] = EmulatorHarness.Model,
        ["max_tokens"] = maxTokens,
        ["system"] = new JsonArray(new JsonObject
        {
            ["type"] = "text",
            ["text"] = system ?? LongSystem,
            ["cache_control"] = new JsonObject { ["type"] = "ephemeral", ["ttl"] = ttl },
        }),
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
    }.ToJsonString();

    private static (int Input, int Create, int Read, int Create5m, int Create1h) Usage(JsonNode message)
    {
        var u = message["usage"]!;
        return ((int)u["input_tokens"]!, (int)u["cache_creation_input_tokens"]!, (int)u["cache_read_input_tokens"]!,
            (int)u["cache_creation"]!["ephemeral_5m_input_tokens"]!, (int)u["cache_creation"]!["ephemeral_1h_input_tokens"]!);
    }

    [Fact(Timeout = 30_000)]
    public async Task By_default_a_prefix_below_the_models_minimum_is_not_cached()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        // About 250 tokens: below every model's minimum, so nothing is written (and it is all plain input).
        var small = Usage((await emulator.PostAsync("v1/messages", CachedBody("q1"))).Json!);
        Assert.Equal((0, 0), (small.Create, small.Read));
        // About 1,300 tokens: enough for Sonnet (1,024), not for Opus 4.6 (4,096).
        string longer = string.Join(" ", Enumerable.Repeat(LongSystem, 5));
        var sonnet = Usage((await emulator.PostAsync("v1/messages", CachedBody("q1", system: longer))).Json!);
        Assert.True(sonnet.Create > 1024, $"wrote {sonnet.Create}");
        string opusBody = CachedBody("q1", system: longer).Replace(EmulatorHarness.Model, "claude-opus-4-6");
        var opus = Usage((await emulator.PostAsync("v1/messages", opusBody)).Json!);
        Assert.Equal(0, opus.Create);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cached_prefix_is_written_then_read_within_its_ttl_and_written_again_after()
    {
        var clock = new ManualClock();
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { Clock = clock, CacheMinTokens = 0 });
        var (_, counted) = await emulator.PostAsync("v1/messages/count_tokens", CachedBody("What are the opening hours?"));
        int total = (int)counted!["input_tokens"]!;

        var first = Usage((await emulator.PostAsync("v1/messages", CachedBody("What are the opening hours?"))).Json!);
        Assert.True(first.Create > 100);
        Assert.Equal(first.Create, first.Create5m);
        Assert.Equal(0, first.Read);
        Assert.Equal(total, first.Input + first.Create + first.Read);
        Assert.True(first.Input < 20); // only what follows the breakpoint

        clock.Advance(TimeSpan.FromMinutes(4));
        var second = Usage((await emulator.PostAsync("v1/messages", CachedBody("Where is the ferry terminal?"))).Json!);
        Assert.Equal(first.Create, second.Read);
        Assert.Equal(0, second.Create);

        clock.Advance(TimeSpan.FromMinutes(4)); // the read refreshed the entry: still alive
        Assert.Equal(first.Create, Usage((await emulator.PostAsync("v1/messages", CachedBody("again"))).Json!).Read);

        clock.Advance(TimeSpan.FromMinutes(6));
        var expired = Usage((await emulator.PostAsync("v1/messages", CachedBody("later"))).Json!);
        Assert.Equal(0, expired.Read);
        Assert.Equal(first.Create, expired.Create);
    }

    [Fact(Timeout = 30_000)]
    public async Task One_hour_entries_report_1h_creation_and_outlive_five_minutes()
    {
        var clock = new ManualClock();
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { Clock = clock, CacheMinTokens = 0 });
        var first = Usage((await emulator.PostAsync("v1/messages", CachedBody("q1", ttl: "1h"))).Json!);
        Assert.Equal(first.Create, first.Create1h);
        Assert.Equal(0, first.Create5m);
        clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(first.Create, Usage((await emulator.PostAsync("v1/messages", CachedBody("q2", ttl: "1h"))).Json!).Read);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_cache_is_per_api_key_and_per_prefix()
    {
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { CacheMinTokens = 0 });
        await emulator.PostAsync("v1/messages", CachedBody("q1"));
        var otherKey = Usage((await emulator.PostAsync("v1/messages", CachedBody("q1"), key: "sk-ant-other-key")).Json!);
        Assert.Equal(0, otherKey.Read);
        var otherPrefix = Usage((await emulator.PostAsync("v1/messages", CachedBody("q1", system: LongSystem + " Extra."))).Json!);
        Assert.Equal(0, otherPrefix.Read);
        Assert.True(otherPrefix.Create > 0);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_conversation_moving_its_breakpoint_reads_the_earlier_prefix()
    {
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { CacheMinTokens = 0 });
        JsonObject Turn(string text, bool cache) => new()
        {
            ["role"] = "user",
            ["content"] = new JsonArray(cache
                ? new JsonObject { ["type"] = "text", ["text"] = text, ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }
                : new JsonObject { ["type"] = "text", ["text"] = text }),
        };
        string longTurn = LongSystem;
        var body1 = new JsonObject { ["model"] = EmulatorHarness.Model, ["max_tokens"] = 50, ["messages"] = new JsonArray(Turn(longTurn, true)) };
        var one = Usage((await emulator.PostAsync("v1/messages", body1.ToJsonString())).Json!);
        var body2 = new JsonObject
        {
            ["model"] = EmulatorHarness.Model, ["max_tokens"] = 50,
            ["messages"] = new JsonArray(Turn(longTurn, false), new JsonObject { ["role"] = "assistant", ["content"] = "Noted." }, Turn("And the tides?", true)),
        };
        var two = Usage((await emulator.PostAsync("v1/messages", body2.ToJsonString())).Json!);
        Assert.Equal(one.Create, two.Read);
        Assert.True(two.Create > 0);
        Assert.Equal(0, two.Input);
    }

    [Fact(Timeout = 30_000)]
    public async Task Request_limit_sends_headers_then_429_with_retry_after_and_refills_continuously()
    {
        var clock = new ManualClock();
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { Clock = clock, RequestsPerMinute = 2 });

        var (r1, _) = await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("one"));
        var (r2, _) = await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("two"));
        var (r3, body) = await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("three"));

        Assert.Equal("2", r1.Headers.GetValues("anthropic-ratelimit-requests-limit").Single());
        Assert.Equal("1", r1.Headers.GetValues("anthropic-ratelimit-requests-remaining").Single());
        Assert.Equal("0", r2.Headers.GetValues("anthropic-ratelimit-requests-remaining").Single());
        Assert.True(DateTimeOffset.TryParse(r2.Headers.GetValues("anthropic-ratelimit-requests-reset").Single(), out var reset));
        Assert.Equal(clock.GetUtcNow().AddMinutes(1), reset);
        Assert.Equal(HttpStatusCode.TooManyRequests, r3.StatusCode);
        Assert.Equal("rate_limit_error", (string?)body!["error"]!["type"]);
        Assert.Equal("30", r3.Headers.GetValues("retry-after").Single());
        Assert.Equal("true", r3.Headers.GetValues("x-should-retry").Single());
        Assert.True(r3.Headers.Contains("anthropic-ratelimit-requests-remaining"));

        clock.Advance(TimeSpan.FromSeconds(30)); // one request's worth refilled
        Assert.Equal(HttpStatusCode.OK, (await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("four"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("five"))).Response.StatusCode);
        Assert.Equal(2, emulator.State.Accounting.RateLimitedResponses);
        // Another key has its own buckets.
        Assert.Equal(HttpStatusCode.OK, (await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("six"), key: "sk-ant-second")).Response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Token_limits_bind_on_input_and_output_and_cache_reads_are_free()
    {
        var clock = new ManualClock();
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { Clock = clock, CacheMinTokens = 0, InputTokensPerMinute = 500, OutputTokensPerMinute = 1000 });
        var (first, message) = await emulator.PostAsync("v1/messages", CachedBody("q1"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var usage = Usage(message!);
        Assert.True(usage.Create + usage.Input > 150);
        Assert.Equal("500", first.Headers.GetValues("anthropic-ratelimit-input-tokens-limit").Single());
        Assert.Equal((500 - usage.Create - usage.Input).ToString(), first.Headers.GetValues("anthropic-ratelimit-input-tokens-remaining").Single());
        Assert.True(first.Headers.Contains("anthropic-ratelimit-tokens-limit"));
        Assert.True(first.Headers.Contains("anthropic-ratelimit-output-tokens-reset"));

        // The same prefix again: only the uncached tail counts, so it fits.
        Assert.Equal(HttpStatusCode.OK, (await emulator.PostAsync("v1/messages", CachedBody("q2"))).Response.StatusCode);
        // A different long prompt does not fit in what is left.
        var (limited, body) = await emulator.PostAsync("v1/messages", CachedBody("q3", system: LongSystem + " Different."));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("input tokens", (string?)body!["error"]!["message"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_limits_there_are_no_rate_limit_headers()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var (response, _) = await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("free"));
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("anthropic-ratelimit", StringComparison.Ordinal));
    }
}
