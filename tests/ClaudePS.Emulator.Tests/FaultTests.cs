using System.Net;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>Every fault kind, scripted by scenario headers, plus seeded random injection.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private EmulatorHarness _emulator = null!;
    public async Task InitializeAsync() => _emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { FaultRetryAfterMs = 10 });
    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private static Dictionary<string, string> Scenario(string id, string faults) => new()
    {
        ["x-emulator-scenario"] = id, ["x-emulator-faults"] = faults,
    };

    [Theory(Timeout = 30_000)]
    [InlineData("429", "rate_limit_error", true)]
    [InlineData("529", "overloaded_error", true)]
    [InlineData("500", "api_error", false)]
    [InlineData("503", "api_error", true)]
    [InlineData("504", "timeout_error", false)]
    public async Task Status_faults_fail_the_first_attempt_in_the_real_shape_then_succeed(string fault, string type, bool retryAfter)
    {
        var headers = Scenario("status-" + fault, fault);
        var (failed, body) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("fault"), headers);
        var (ok, _) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("fault"), headers);

        Assert.Equal(int.Parse(fault), (int)failed.StatusCode);
        Assert.Equal(type, (string?)body!["error"]!["type"]);
        Assert.Equal((string?)body["request_id"], failed.Headers.GetValues("request-id").Single());
        Assert.Equal("true", failed.Headers.GetValues("x-should-retry").Single());
        Assert.Equal(retryAfter, failed.Headers.Contains("retry-after"));
        if (retryAfter) Assert.Equal("10", failed.Headers.GetValues("retry-after-ms").Single());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var records = _emulator.State.Accounting.Records;
        Assert.Equal(fault, records[0].Fault);
        Assert.Null(records[0].Usage);
        Assert.NotNull(records[1].Usage);
    }

    [Fact(Timeout = 30_000)]
    public async Task Faults_apply_in_order_one_per_attempt()
    {
        var headers = Scenario("ordered", "500,429,529");
        var statuses = new List<int>();
        for (int i = 0; i < 5; i++)
            statuses.Add((int)(await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("o"), headers)).Response.StatusCode);
        Assert.Equal(new[] { 500, 429, 529, 200, 200 }, statuses);
        Assert.Equal(5, _emulator.State.Faults.AttemptsOf("ordered"));
        Assert.Equal(3, _emulator.State.Accounting.FaultsInjected);
    }

    [Fact(Timeout = 30_000)]
    public async Task Spend_cap_is_a_429_without_retry_after_and_with_its_error_code()
    {
        var (response, body) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("cap"), Scenario("cap", "spend-cap"));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.False(response.Headers.Contains("retry-after"));
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
        Assert.Equal("rate_limit_error", (string?)body!["error"]!["type"]);
        Assert.Equal("enforced_spend_limit_reached", (string?)body["error"]!["details"]!["error_code"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Reset_drops_the_connection_before_any_response()
    {
        var headers = Scenario("reset", "reset");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("r"), headers));
        Assert.Equal(HttpStatusCode.OK, (await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("r"), headers)).Response.StatusCode);
        await WaitForRecordsAsync(2);
        var record = _emulator.State.Accounting.Records.Single(r => r.Fault == "reset");
        Assert.Equal(0, record.StatusCode);
        Assert.Null(record.Usage);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reset_mid_stream_cuts_a_started_response(bool stream)
    {
        var request = _emulator.Request("v1/messages", EmulatorHarness.UserBody("cut me", stream: stream), headers: Scenario("mid-" + stream, "reset-mid-stream"));
        // The emulator flushes the headers and some content, then drops the connection. On a loaded
        // machine the drop can reach the client before it has read the headers: then sending fails;
        // otherwise the headers say 200 and reading the body fails. Either way no whole reply arrives.
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var response = await _emulator.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
        });
        Assert.True(ex is HttpRequestException or IOException, ex.GetType().FullName);
        await WaitForRecordsAsync(1);
        Assert.Null(_emulator.State.Accounting.Records.Single().Usage);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stream_error_sends_an_error_event_after_content_and_no_message_stop()
    {
        var request = _emulator.Request("v1/messages", EmulatorHarness.UserBody("fail later", stream: true), headers: Scenario("se", "stream-error"));
        var response = await _emulator.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = EmulatorHarness.ParseSse(await response.Content.ReadAsStringAsync());
        var names = events.Select(e => e.Event).ToList();
        Assert.Equal("error", names[^1]);
        Assert.Equal("overloaded_error", (string?)events[^1].Data["error"]!["type"]);
        Assert.Contains("content_block_delta", names);
        Assert.DoesNotContain("message_stop", names);

        // Without a stream to break, the same fault is an overloaded reply.
        var (plain, body) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x"), Scenario("se-json", "stream-error"));
        Assert.Equal(529, (int)plain.StatusCode);
        Assert.Equal("overloaded_error", (string?)body!["error"]!["type"]);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stall_holds_the_reply_then_completes(bool stream)
    {
        var request = _emulator.Request("v1/messages", EmulatorHarness.UserBody("stall", stream: stream), headers: Scenario("stall-" + stream, "stall:0.2"));
        var response = await _emulator.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains(stream ? "event: message_stop" : "\"stop_reason\":\"end_turn\"", text);
        var record = _emulator.State.Accounting.Records.Single();
        Assert.Equal("stall:0.2", record.Fault);
        Assert.NotNull(record.Usage); // a stalled reply still completes and is billed
    }

    [Fact(Timeout = 30_000)]
    public async Task Slow_succeeds_and_is_recorded()
    {
        var headers = Scenario("slow", "slow");
        headers["x-emulator-reply-tokens"] = "4";
        var (response, body) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("slowly"), headers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, (int)body!["usage"]!["output_tokens"]!);
        Assert.Equal("slow", _emulator.State.Accounting.Records.Single().Fault);
    }

    [Fact(Timeout = 30_000)]
    public async Task Count_tokens_honours_status_faults_and_unknown_faults_are_rejected()
    {
        string body = """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"count"}]}""";
        var headers = Scenario("count", "429");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _emulator.PostAsync("v1/messages/count_tokens", body, headers)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _emulator.PostAsync("v1/messages/count_tokens", body, headers)).Response.StatusCode);

        var (bad, error) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x"), Scenario("bad", "teapot"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("teapot", (string?)error!["error"]!["message"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Random_faults_follow_the_rate_and_are_reproducible_by_seed()
    {
        async Task<List<string?>> RunAsync()
        {
            var options = new EmulatorOptions { FaultRate = 0.5, Seed = 7, RandomFaultKinds = { "429", "500" }, FaultRetryAfterMs = 1 };
            options.RandomFaultKinds.RemoveAll(k => k is not ("429" or "500"));
            await using var emulator = await EmulatorHarness.StartAsync(options);
            for (int i = 0; i < 30; i++) await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("r" + i));
            return emulator.State.Accounting.Records.Select(r => r.Fault).ToList();
        }
        var first = await RunAsync();
        var second = await RunAsync();
        Assert.Equal(first, second);
        int faults = first.Count(f => f != null);
        Assert.InRange(faults, 5, 25);
        Assert.All(first.Where(f => f != null), f => Assert.Contains(f, new[] { "429", "500" }));
    }

    /// <summary>A dropped connection is recorded when the server's handler finishes, which can trail the
    /// client seeing the drop a little (a completed reply is recorded before its last bytes go out).</summary>
    private async Task WaitForRecordsAsync(int count)
    {
        for (int i = 0; i < 200 && _emulator.State.Accounting.Records.Count < count; i++) await Task.Delay(10);
        Assert.Equal(count, _emulator.State.Accounting.Records.Count);
    }
}
