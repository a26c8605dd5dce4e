using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>Raw HTTP: headers, auth, validation, size limit, SSE framing.</summary>
public sealed class HttpWireTests : IAsyncLifetime
{
    private EmulatorHarness _emulator = null!;
    public async Task InitializeAsync() => _emulator = await EmulatorHarness.StartAsync();
    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Every_response_has_a_request_id_and_error_bodies_repeat_it()
    {
        var (ok, _) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("hi there"));
        var (unauthorised, body401) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("hi"), key: "wrong");
        var (missing, body404) = await _emulator.SendAsync(_emulator.Request("v1/nowhere", null));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        foreach (var (response, body) in new[] { (unauthorised, body401), (missing, body404) })
        {
            string id = response.Headers.GetValues("request-id").Single();
            Assert.StartsWith("req_", id);
            Assert.Equal(id, (string?)body!["request_id"]);
            Assert.Equal("error", (string?)body["type"]);
        }
        Assert.StartsWith("req_", ok.Headers.GetValues("request-id").Single());
        Assert.Equal("authentication_error", (string?)body401!["error"]!["type"]);
        Assert.Equal("not_found_error", (string?)body404!["error"]!["type"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Whole_json_replies_declare_their_length_instead_of_chunking_and_aliases_match_in_any_case()
    {
        var (ok, body) = await _emulator.PostAsync("v1/messages", """{"model":"CLAUDE-Sonnet-4-5","max_tokens":50,"messages":[{"role":"user","content":"length please"}]}""");
        var (invalid, _) = await _emulator.PostAsync("v1/messages", """{"model":"claude-sonnet-4-5","messages":[]}""");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("claude-sonnet-4-5-20250929", (string?)body!["model"]);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        foreach (var response in new[] { ok, invalid })
        {
            Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
            Assert.True(response.Content.Headers.ContentLength > 0);
            Assert.Equal(response.Content.Headers.ContentLength, (await response.Content.ReadAsByteArrayAsync()).Length);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Missing_anthropic_version_is_an_invalid_request()
    {
        var (response, body) = await _emulator.SendAsync(_emulator.Request("v1/messages", EmulatorHarness.UserBody("hi"), version: false));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", (string?)body!["error"]!["type"]);
        Assert.Contains("anthropic-version", (string?)body["error"]!["message"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Beta_query_stainless_and_beta_headers_are_accepted()
    {
        var headers = new Dictionary<string, string>
        {
            ["x-stainless-lang"] = "dotnet", ["x-stainless-unknown-thing"] = "whatever", ["anthropic-beta"] = "a-2025-01-01,b",
        };
        var (response, body) = await _emulator.PostAsync("v1/messages?beta=true", EmulatorHarness.UserBody("beta call"), headers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message", (string?)body!["type"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Bearer_tokens_use_the_key_rule_by_default_and_the_pluggable_check_when_set()
    {
        HttpRequestMessage Bearer(string token)
        {
            var request = _emulator.Request("v1/messages", EmulatorHarness.UserBody("bearer"), key: null);
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            return request;
        }
        Assert.Equal(HttpStatusCode.OK, (await _emulator.SendAsync(Bearer("sk-ant-bearer-1"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _emulator.SendAsync(Bearer("opaque-token"))).Response.StatusCode);

        _emulator.State.BearerValidator = token => token == "oauth-good"
            ? BearerCheck.Accept("oauth_user_42")
            : BearerCheck.Reject("OAuth token has expired");
        Assert.Equal(HttpStatusCode.OK, (await _emulator.SendAsync(Bearer("oauth-good"))).Response.StatusCode);
        var (expired, body) = await _emulator.SendAsync(Bearer("oauth-old"));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("OAuth token has expired", (string?)body!["error"]!["message"]);
        Assert.Contains(_emulator.State.Accounting.Records, r => r.ApiKeyId == "oauth_user_42" && r.StatusCode == 200);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_configured_key_list_replaces_the_prefix_rule()
    {
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { ApiKeys = { "custom-key-1" } });
        Assert.Equal(HttpStatusCode.OK, (await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x"), key: "custom-key-1")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x"), key: EmulatorHarness.Key)).Response.StatusCode);
    }

    public static TheoryData<string, int, string> InvalidBodies => new()
    {
        { """{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", 400, "model: Field required" },
        { """{"model":"claude-nope","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", 404, "model: claude-nope" },
        { """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""", 400, "max_tokens: Field required" },
        { """{"model":"claude-sonnet-4-5","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", 400, "max_tokens: Input should be greater than or equal to 1" },
        { """{"model":"claude-sonnet-4-5","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}""", 400, "max_tokens: Input should be a valid integer" },
        { """{"model":"claude-sonnet-4-5","max_tokens":64001,"messages":[{"role":"user","content":"hi"}]}""", 400, "max_tokens: 64001 > 64000" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[]}""", 400, "messages: at least one message is required" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"system","content":"hi"}]}""", 400, "messages.0.role: Input should be 'user' or 'assistant'" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user"}]}""", 400, "messages.0.content: Field required" },
        // API version 2026-10-21 (what the harness sends): sampling parameters are extra inputs, whatever their value.
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"temperature":1.0,"messages":[{"role":"user","content":"hi"}]}""", 400, "temperature: Extra inputs are not permitted" },
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"top_k":5,"messages":[{"role":"user","content":"hi"}]}""", 400, "top_k: Extra inputs are not permitted" },
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]},{"role":"user","content":"and?"}]}""", 400, "messages.1.content.0: document blocks are not allowed in assistant messages" },
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"hi","citations":[{"type":"char_location","cited_text":"h","document_index":0,"start_char_index":0,"end_char_index":1}]}]}]}""", 400, "messages.0.content.0.citations" },
        // Per-model rules, whatever the version.
        { """{"model":"claude-sonnet-5-5","max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"}]}""", 400, "\"thinking.type.enabled\" is not supported for this model" },
        { """{"model":"claude-sonnet-4-5","max_tokens":4000,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"hi"}]}""", 400, "thinking.type: 'adaptive' is not supported for claude-sonnet-4-5-20250929" },
        { """{"model":"claude-sonnet-4-6","max_tokens":4000,"thinking":{"type":"adaptive"},"tools":[{"name":"t","input_schema":{"type":"object"}}],"tool_choice":{"type":"any"},"messages":[{"role":"user","content":"hi"}]}""", 400, "Thinking may not be enabled when tool_choice forces tool use." },
        { """{"model":"claude-opus-4-6","max_tokens":100,"output_config":{"effort":"xhigh"},"messages":[{"role":"user","content":"hi"}]}""", 400, "output_config.effort: 'xhigh' is not supported by claude-opus-4-6" },
        { """{"model":"claude-haiku-4-5","max_tokens":100,"output_config":{"effort":"low"},"messages":[{"role":"user","content":"hi"}]}""", 400, "output_config.effort: effort is not supported by claude-haiku-4-5-20251001" },
        { """{"model":"claude-sonnet-4-6","max_tokens":100,"output_config":{"effort":"extreme"},"messages":[{"role":"user","content":"hi"}]}""", 400, "output_config.effort: Input should be" },
        { """{"model":"claude-sonnet-4-0","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""", 404, "model: claude-sonnet-4-0 has been retired" },
        { """{"model":"claude-sonnet-4-5","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":100},"messages":[{"role":"user","content":"hi"}]}""", 400, "thinking.enabled.budget_tokens" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral","ttl":"2h"}}],"messages":[{"role":"user","content":"hi"}]}""", 400, "system.0.cache_control.ttl" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]""", 400, "not valid JSON" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"yes"}]},{"role":"user","content":"and?"}]}""", 400, "messages.1.content.0.thinking.signature: Field required" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"edited","signature":"c2lnbmVk"},{"type":"text","text":"yes"}]},{"role":"user","content":"and?"}]}""", 400, "messages.1.content.0: Invalid `signature` in `thinking` block" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"redacted_thinking"},{"type":"text","text":"yes"}]},{"role":"user","content":"and?"}]}""", 400, "messages.1.content.0.redacted_thinking.data: Field required" },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"redacted_thinking","data":"RW5jcnlwdGVkIGJ5IG5vYm9keQ=="},{"type":"text","text":"yes"}]},{"role":"user","content":"and?"}]}""", 400, "messages.1.content.0: Invalid `data` in `redacted_thinking` block" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_requests_get_the_real_status_and_a_message_naming_the_field(string body, int status, string message)
    {
        var (response, json) = await _emulator.PostAsync("v1/messages", body);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(status == 404 ? "not_found_error" : "invalid_request_error", (string?)json!["error"]!["type"]);
        Assert.Contains(message, (string?)json["error"]!["message"]);
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
    }

    public static TheoryData<string, int, string?> LegacyVersionBodies => new()
    {
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"temperature":0.3,"messages":[{"role":"user","content":"hi"}]}""", 200, null },
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]}""", 400, "temperature: Input should be less than or equal to 1" },
        { """{"model":"claude-opus-4-7","max_tokens":10,"temperature":0.3,"messages":[{"role":"user","content":"hi"}]}""", 400, "`temperature` is deprecated for this model." },
        { """{"model":"claude-sonnet-4-5","max_tokens":10,"temperature":0.3,"top_p":0.9,"messages":[{"role":"user","content":"hi"}]}""", 400, "`temperature` and `top_p` cannot both be specified for this model" },
        { """{"model":"claude-sonnet-4-6","max_tokens":10,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]},{"role":"user","content":"and?"}]}""", 200, null },
    };

    /// <summary>anthropic-version 2023-06-01 keeps sampling parameters (with the per-model rules) and documents in assistant turns.</summary>
    [Theory(Timeout = 30_000)]
    [MemberData(nameof(LegacyVersionBodies))]
    public async Task The_2023_version_keeps_its_rules(string body, int status, string? message)
    {
        var (response, json) = await _emulator.PostAsync("v1/messages", body, new Dictionary<string, string> { ["anthropic-version"] = "2023-06-01" });
        Assert.Equal(status, (int)response.StatusCode);
        if (message is not null) Assert.Contains(message, (string?)json!["error"]!["message"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_body_over_32_MB_is_request_too_large()
    {
        string prompt = new('a', 33 * 1024 * 1024);
        var (response, json) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody(prompt));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (string?)json!["error"]!["type"]);
        Assert.StartsWith("req_", (string?)json["request_id"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Streaming_follows_the_documented_event_order_with_cumulative_usage()
    {
        string prompt = "Explain tides, moons and oceans";
        var (plain, message) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody(prompt));
        var request = _emulator.Request("v1/messages", EmulatorHarness.UserBody(prompt, stream: true));
        var response = await _emulator.Http.SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("req_", response.Headers.GetValues("request-id").Single());
        var events = EmulatorHarness.ParseSse(await response.Content.ReadAsStringAsync());

        var names = events.Select(e => e.Event).ToList();
        Assert.Equal("message_start", names[0]);
        Assert.Equal("content_block_start", names[1]);
        Assert.Contains("ping", names);
        Assert.Equal(new[] { "content_block_stop", "message_delta", "message_stop" }, names.TakeLast(3));
        Assert.All(events, e => Assert.Equal(e.Event, (string?)e.Data["type"]));
        var start = events[0].Data["message"]!;
        Assert.Null((string?)start["stop_reason"]);
        Assert.Empty(start["content"]!.AsArray());
        Assert.Equal((int)message!["usage"]!["input_tokens"]!, (int)start["usage"]!["input_tokens"]!);

        string text = string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]!["text"]));
        Assert.Equal(EmulatorHarness.Text(message), text);
        var delta = events.Single(e => e.Event == "message_delta").Data;
        Assert.Equal("end_turn", (string?)delta["delta"]!["stop_reason"]);
        Assert.Equal((int)message["usage"]!["output_tokens"]!, (int)delta["usage"]!["output_tokens"]!);
        Assert.Equal((int)message["usage"]!["input_tokens"]!, (int)delta["usage"]!["input_tokens"]!);
    }

    [Fact(Timeout = 30_000)]
    public async Task Reply_length_and_pacing_headers_are_honoured()
    {
        var headers = new Dictionary<string, string> { ["x-emulator-reply-tokens"] = "17", ["x-emulator-ttft-ms"] = "5", ["x-emulator-tokens-per-second"] = "5000" };
        var (response, json) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("exact length"), headers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(17, (int)json!["usage"]!["output_tokens"]!);
        Assert.Equal(17, TokenCounter.Count(EmulatorHarness.Text(json)));

        var (bad, error) = await _emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x"), new Dictionary<string, string> { ["x-emulator-ttft-ms"] = "soon" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("x-emulator-ttft-ms", (string?)error!["error"]!["message"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Models_pages_with_after_and_before_ids_and_unknown_ids_are_not_found()
    {
        var (first, page1) = await _emulator.SendAsync(_emulator.Request("v1/models?limit=2", null));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True((bool)page1!["has_more"]!);
        string last = (string)page1["last_id"]!;
        var (_, page2) = await _emulator.SendAsync(_emulator.Request($"v1/models?limit=2&after_id={last}", null));
        Assert.Equal(ClaudePS.Engine.Wire.KnownModels.All[2].Id, (string?)page2!["first_id"]);
        var (_, back) = await _emulator.SendAsync(_emulator.Request($"v1/models?limit=2&before_id={(string)page2["first_id"]!}", null));
        Assert.Equal((string?)page1["first_id"], (string?)back!["first_id"]);
        Assert.False((bool)back["has_more"]!);

        var (missing, body) = await _emulator.SendAsync(_emulator.Request("v1/models/claude-nope", null));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found_error", (string?)body!["error"]!["type"]);
    }
}
