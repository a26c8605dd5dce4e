using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

public class RetryTests
{
    private static MessageRequest Prompt(string text = "hi") => MessageRequest.ForPrompt(text);

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(529)]
    public async Task Retryable_statuses_are_retried(int status)
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0 ? FakeApi.Error(status) : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        var r = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal("Hello", r.Text);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(2, api.Count);
        Assert.Equal(new[] { "0", "1" }, api.Seen.Select(s => s.RetryCount));
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "ClaudePS.InvalidRequest")]
    [InlineData(401, "authentication_error", "ClaudePS.AuthenticationFailed")]
    [InlineData(403, "permission_error", "ClaudePS.PermissionDenied")]
    [InlineData(404, "not_found_error", "ClaudePS.NotFound")]
    [InlineData(413, "request_too_large", "ClaudePS.RequestTooLarge")]
    public async Task Client_errors_are_not_retried(int status, string type, string errorId)
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Error(status, type), clock);
        using var c = TestConnections.Create(api, clock);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal(errorId, ex.Error.ErrorId);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task The_spend_cap_429_is_not_retried()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Error(429, "rate_limit_error", extraJson: ",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}"), clock);
        using var c = TestConnections.Create(api, clock);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal("ClaudePS.SpendLimitReached", ex.Error.ErrorId);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task X_should_retry_false_wins_over_a_retryable_status()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.With(FakeApi.Error(529, "overloaded_error"), "x-should-retry", "false"), clock);
        using var c = TestConnections.Create(api, clock);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal("ClaudePS.Overloaded", ex.Error.ErrorId);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task X_should_retry_true_wins_over_a_final_status()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0 ? FakeApi.With(FakeApi.Error(400, "invalid_request_error"), "x-should-retry", "true") : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        var r = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(2, r.Attempts);
    }

    [Fact]
    public async Task Retry_after_ms_wins_over_retry_after()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0
            ? FakeApi.With(FakeApi.With(FakeApi.Error(529, "overloaded_error"), "retry-after-ms", "1500"), "retry-after", "7")
            : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(1500) }, clock.Waits);
    }

    [Fact]
    public async Task Retry_after_seconds_wins_over_backoff()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0 ? FakeApi.With(FakeApi.Error(503), "retry-after", "7") : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, clock.Waits);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_waits_until_then()
    {
        var clock = new TestClock();
        var when = clock.GetUtcNow().AddSeconds(20).ToString("r");
        var api = new FakeApi((_, i) => i == 0 ? FakeApi.With(FakeApi.Error(503), "retry-after", when) : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(new[] { TimeSpan.FromSeconds(20) }, clock.Waits);
    }

    [Fact]
    public async Task Without_hints_the_backoff_doubles()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i < 3 ? FakeApi.Error(500) : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        var r = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(4, r.Attempts);
        // Jitter is fixed at 1.0 in tests: 0.5 s, 1 s, 2 s.
        Assert.Equal(new[] { 0.5, 1.0, 2.0 }, clock.Waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void Backoff_jitter_stays_between_half_and_full_and_is_capped()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), Engine.Resilience.RetryRules.Backoff(1, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), 0));
        Assert.Equal(TimeSpan.FromSeconds(30), Engine.Resilience.RetryRules.Backoff(20, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), 1));
    }

    [Fact]
    public async Task A_server_wait_beyond_the_budget_fails_at_once_and_says_so()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.With(FakeApi.Error(429, "rate_limit_error"), "retry-after", "600"), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.RetryBudget = TimeSpan.FromMinutes(3));
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal("ClaudePS.RateLimited", ex.Error.ErrorId);
        Assert.Contains("asked to wait 10 min", ex.Error.Message);
        Assert.Contains("retry budget", ex.Error.Message);
        Assert.Equal(1, api.Count);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task Retries_stop_at_MaxRetries_with_a_message()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Error(500), clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxRetries = 3);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal(4, api.Count);
        Assert.Equal("ClaudePS.ServerError", ex.Error.ErrorId);
        Assert.StartsWith("Gave up after 4 attempts", ex.Error.Message);
    }

    [Fact]
    public async Task A_per_call_override_replaces_the_connection_setting()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Error(500), clock);
        using var c = TestConnections.Create(api, clock);
        var call = new CallOptions { Resilience = new Engine.Resilience.ResilienceOptions { MaxRetries = 0 } };
        await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt(), call));
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task Connection_errors_are_retried()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0 ? throw new HttpRequestException("Connection refused") : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        var r = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal(2, r.Attempts);
    }

    [Fact]
    public async Task A_401_with_a_refreshable_credential_refreshes_once_and_retries_once()
    {
        var clock = new TestClock();
        var credential = new RefreshingCredential();
        var api = new FakeApi((r, _) => r.Headers.Authorization?.Parameter == "token-1" ? FakeApi.Message() : FakeApi.Error(401, "authentication_error"), clock);
        using var c = TestConnections.Create(api, clock, credential: credential);
        var response = await c.Client.CreateMessageAsync(Prompt());
        Assert.Equal("Hello", response.Text);
        Assert.Equal(1, credential.ForcedRefreshes);
        Assert.Equal(new[] { "Bearer token-0", "Bearer token-1" }, api.Seen.Select(s => s.Auth));
    }

    [Fact]
    public async Task A_second_401_after_the_refresh_fails()
    {
        var clock = new TestClock();
        var credential = new RefreshingCredential();
        var api = new FakeApi((_, _) => FakeApi.Error(401, "authentication_error"), clock);
        using var c = TestConnections.Create(api, clock, credential: credential);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(Prompt()));
        Assert.Equal("ClaudePS.AuthenticationFailed", ex.Error.ErrorId);
        Assert.Equal(1, credential.ForcedRefreshes);
        Assert.Equal(2, api.Count);
    }

    [Fact]
    public async Task Verbose_lines_name_attempt_reason_wait_request_id_and_endpoint_but_never_the_key()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => i == 0 ? FakeApi.With(FakeApi.Error(529, "overloaded_error", id: "req_fault_1"), "retry-after-ms", "250") : FakeApi.Message(), clock);
        using var c = TestConnections.Create(api, clock);
        var log = new CollectingSink();
        await c.Client.CreateMessageAsync(Prompt(), new CallOptions { Log = log });
        var line = Assert.Single(log.Verbose);
        Assert.Contains("Attempt 1", line);
        Assert.Contains("ClaudePS.Overloaded", line);
        Assert.Contains("HTTP 529", line);
        Assert.Contains("req_fault_1", line);
        Assert.Contains("250 ms", line);
        Assert.Contains("retry-after-ms", line);
        Assert.Contains("http://127.0.0.1:9001", line);
        Assert.DoesNotContain("SECRET", line);
    }

    [Fact]
    public async Task The_Date_header_feeds_the_server_clock_and_the_skew_is_logged_once()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) =>
        {
            var res = FakeApi.Message();
            res.Headers.Date = DateTimeOffset.UtcNow.AddMinutes(10);
            return res;
        }, clock);
        using var c = TestConnections.Create(api, clock);
        var log = new CollectingSink();
        await c.Client.CreateMessageAsync(Prompt(), new CallOptions { Log = log });
        await c.Client.CreateMessageAsync(Prompt(), new CallOptions { Log = log });
        Assert.Single(log.Verbose, l => l.Contains("clock differs"));
        Assert.True(c.ServerClock.Skew > TimeSpan.FromMinutes(9));
    }

    [Fact]
    public async Task Count_tokens_and_json_calls_are_retried_too()
    {
        var clock = new TestClock();
        var api = new FakeApi((r, i) => i % 2 == 0 ? FakeApi.Error(503)
            : new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("{\"input_tokens\":42,\"data\":[]}") }, clock);
        using var c = TestConnections.Create(api, clock);
        Assert.Equal(42, await c.Client.CountTokensAsync(Prompt()));
        using var doc = await c.Client.SendJsonAsync(HttpMethod.Get, "v1/models", null, new CallOptions(), default);
        Assert.Equal(4, api.Count);
        Assert.EndsWith("/v1/models", api.Seen.Last().Uri.AbsolutePath);
    }

    /// <summary>A token credential whose forced refresh yields a new token.</summary>
    private sealed class RefreshingCredential : ICredentialProvider
    {
        private int _generation;
        public int ForcedRefreshes;
        public string AuthKind => "Bearer";
        public string Source => "test";
        public bool CanRefresh => true;
        public ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            if (forceRefresh) { Interlocked.Increment(ref ForcedRefreshes); Interlocked.Increment(ref _generation); }
            return new(new AuthHeader("Authorization", "Bearer token-" + Volatile.Read(ref _generation)));
        }
        public ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken) =>
            GetHeaderAsync(forceRefresh: true, cancellationToken);
        public ServerClock? ServerClock => null;
        public ValueTask ValidateAsync(CancellationToken cancellationToken) => default;
        public ValueTask<BearerToken?> GetBearerTokenAsync(bool forceRefresh, CancellationToken cancellationToken) => new((BearerToken?)null);
        public System.Collections.Generic.IReadOnlyList<string> DrainNotices() => System.Array.Empty<string>();
        public void Forget()
        {
        }
    }
}
