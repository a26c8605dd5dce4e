using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>Stop sequences, max_tokens, extended thinking, structured output and forced tool use.</summary>
public sealed class ReplyTests : IAsyncLifetime
{
    private EmulatorHarness _emulator = null!;
    public async Task InitializeAsync() => _emulator = await EmulatorHarness.StartAsync();
    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private static JsonObject Body(string prompt, int maxTokens = 300) => new()
    {
        ["model"] = EmulatorHarness.Model,
        ["max_tokens"] = maxTokens,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
    };

    [Fact(Timeout = 30_000)]
    public async Task Replies_are_deterministic_for_the_same_request()
    {
        var a = (await _emulator.PostAsync("v1/messages", Body("same question").ToJsonString())).Json!;
        var b = (await _emulator.PostAsync("v1/messages", Body("same question").ToJsonString())).Json!;
        Assert.Equal(EmulatorHarness.Text(a), EmulatorHarness.Text(b));
        Assert.Equal(a["usage"]!.ToJsonString(), b["usage"]!.ToJsonString());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stop_sequence_ends_the_reply_before_it()
    {
        var body = Body("Compare apples, bananas and cherries");
        body["stop_sequences"] = new JsonArray("zzz", "bananas");
        var message = (await _emulator.PostAsync("v1/messages", body.ToJsonString())).Json!;
        string text = EmulatorHarness.Text(message);
        Assert.Equal("stop_sequence", (string?)message["stop_reason"]);
        Assert.Equal("bananas", (string?)message["stop_sequence"]);
        Assert.EndsWith("apples, ", text);
        Assert.DoesNotContain("bananas", text);
        Assert.Equal(TokenCounter.Count(text) + TokenCounter.Count("bananas"), (int)message["usage"]!["output_tokens"]!);

        body["stream"] = true;
        var response = await _emulator.Http.SendAsync(_emulator.Request("v1/messages", body.ToJsonString()));
        var delta = EmulatorHarness.ParseSse(await response.Content.ReadAsStringAsync()).Single(e => e.Event == "message_delta").Data;
        Assert.Equal("stop_sequence", (string?)delta["delta"]!["stop_reason"]);
        Assert.Equal("bananas", (string?)delta["delta"]!["stop_sequence"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Max_tokens_truncates_the_reply()
    {
        var message = (await _emulator.PostAsync("v1/messages", Body("A long answer please about rivers", maxTokens: 5).ToJsonString())).Json!;
        Assert.Equal("max_tokens", (string?)message["stop_reason"]);
        Assert.Null((string?)message["stop_sequence"]);
        Assert.Equal(5, (int)message["usage"]!["output_tokens"]!);
        Assert.Equal(5, TokenCounter.Count(EmulatorHarness.Text(message)));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"type":"enabled","budget_tokens":1024}""")]
    [InlineData("""{"type":"adaptive"}""")]
    public async Task Thinking_comes_first_with_a_signature_then_text(string thinking)
    {
        var body = Body("Think about volcanoes", maxTokens: 2048);
        body["thinking"] = JsonNode.Parse(thinking);
        var message = (await _emulator.PostAsync("v1/messages", body.ToJsonString())).Json!;
        var content = message["content"]!.AsArray();
        Assert.Equal("thinking", (string?)content[0]!["type"]);
        Assert.False(string.IsNullOrEmpty((string?)content[0]!["signature"]));
        Assert.Contains("volcanoes", (string?)content[0]!["thinking"]);
        Assert.Equal("text", (string?)content[1]!["type"]);
        int thinkingTokens = TokenCounter.Count((string?)content[0]!["thinking"]);
        Assert.Equal(thinkingTokens + TokenCounter.Count((string?)content[1]!["text"]), (int)message["usage"]!["output_tokens"]!);

        body["stream"] = true;
        var response = await _emulator.Http.SendAsync(_emulator.Request("v1/messages", body.ToJsonString()));
        var deltas = EmulatorHarness.ParseSse(await response.Content.ReadAsStringAsync())
            .Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]!["type"]).ToList();
        int signature = deltas.IndexOf("signature_delta");
        Assert.True(deltas.IndexOf("thinking_delta") < signature && signature < deltas.IndexOf("text_delta"));
    }

    private const string RedactedTrigger = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253D5E2D82641AC0E52CC2876CB";

    [Fact(Timeout = 30_000)]
    public async Task The_documented_trigger_string_gets_redacted_thinking_that_must_come_back_unchanged()
    {
        var body = Body("Think about volcanoes " + RedactedTrigger, maxTokens: 2048);
        body["thinking"] = JsonNode.Parse("""{"type":"enabled","budget_tokens":1024}""");
        var message = (await _emulator.PostAsync("v1/messages", body.ToJsonString())).Json!;
        var content = message["content"]!.AsArray();
        var redacted = content[0]!.AsObject();
        Assert.Equal("redacted_thinking", (string?)redacted["type"]);
        Assert.Equal(new[] { "type", "data" }, redacted.Select(p => p.Key));
        string data = (string)redacted["data"]!;
        Assert.DoesNotContain("volcanoes", data); // opaque, not the thinking text
        Assert.Equal("text", (string?)content[1]!["type"]);
        Assert.True((int)message["usage"]!["output_tokens"]! > TokenCounter.Count((string?)content[1]!["text"])); // the hidden thinking is billed

        // Streamed: the block arrives whole in content_block_start, with no deltas of its own.
        body["stream"] = true;
        var response = await _emulator.Http.SendAsync(_emulator.Request("v1/messages", body.ToJsonString()));
        var events = EmulatorHarness.ParseSse(await response.Content.ReadAsStringAsync());
        var start = events.First(e => e.Event == "content_block_start").Data;
        Assert.Equal(0, (int)start["index"]!);
        Assert.Equal("redacted_thinking", (string?)start["content_block"]!["type"]);
        Assert.Equal(data, (string?)start["content_block"]!["data"]);
        Assert.DoesNotContain(events, e => e.Event == "content_block_delta" && (int)e.Data["index"]! == 0);

        // Sent back unchanged on the next turn it is accepted; one changed character is rejected.
        JsonObject NextTurn(string blockData)
        {
            var next = Body("Think about volcanoes " + RedactedTrigger, maxTokens: 2048);
            next["thinking"] = JsonNode.Parse("""{"type":"enabled","budget_tokens":1024}""");
            next["messages"]!.AsArray().Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "redacted_thinking", ["data"] = blockData }, content[1]!.DeepClone()),
            });
            next["messages"]!.AsArray().Add(new JsonObject { ["role"] = "user", ["content"] = "And then?" });
            return next;
        }
        var ok = await _emulator.PostAsync("v1/messages", NextTurn(data).ToJsonString());
        Assert.Equal(200, (int)ok.Response.StatusCode);
        string edited = (data[0] == 'A' ? "B" : "A") + data[1..];
        var bad = await _emulator.PostAsync("v1/messages", NextTurn(edited).ToJsonString());
        Assert.Equal(400, (int)bad.Response.StatusCode);
        Assert.Equal("messages.1.content.0: Invalid `data` in `redacted_thinking` block", (string?)bad.Json!["error"]!["message"]);
    }

    private const string Schema = """
    {"type":"object","properties":{
        "name":{"type":"string","minLength":3},
        "priority":{"type":"string","enum":["low","medium","high"]},
        "score":{"type":"number","minimum":2,"maximum":9},
        "count":{"type":"integer","minimum":10},
        "urgent":{"type":"boolean"},
        "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3},
        "owner":{"$ref":"#/$defs/person"},
        "due":{"type":["string","null"],"format":"date"}},
      "required":["name","priority","score","count","urgent","tags","owner"],
      "additionalProperties":false,
      "$defs":{"person":{"type":"object","properties":{"email":{"type":"string","format":"email"}},"required":["email"]}}}
    """;

    [Fact(Timeout = 30_000)]
    public async Task Structured_output_is_json_valid_against_the_schema()
    {
        var body = Body("Triage the printer ticket");
        body["output_config"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = JsonNode.Parse(Schema) } };
        var message = (await _emulator.PostAsync("v1/messages", body.ToJsonString())).Json!;
        using var schema = JsonDocument.Parse(Schema);
        using var reply = JsonDocument.Parse(EmulatorHarness.Text(message));
        Assert.Empty(MiniSchemaValidator.Validate(schema.RootElement, reply.RootElement, schema.RootElement));
        Assert.Equal("end_turn", (string?)message["stop_reason"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_forced_tool_gets_a_tool_use_block_with_valid_input()
    {
        var body = Body("Look up the weather in Oslo");
        body["tools"] = new JsonArray(new JsonObject { ["name"] = "get_weather", ["description"] = "Weather", ["input_schema"] = JsonNode.Parse(Schema) });
        body["tool_choice"] = new JsonObject { ["type"] = "tool", ["name"] = "get_weather" };
        var message = (await _emulator.PostAsync("v1/messages", body.ToJsonString())).Json!;
        Assert.Equal("tool_use", (string?)message["stop_reason"]);
        var block = message["content"]!.AsArray().Single()!;
        Assert.Equal("get_weather", (string?)block["name"]);
        Assert.StartsWith("toolu_", (string?)block["id"]);
        using var schema = JsonDocument.Parse(Schema);
        using var input = JsonDocument.Parse(block["input"]!.ToJsonString());
        Assert.Empty(MiniSchemaValidator.Validate(schema.RootElement, input.RootElement, schema.RootElement));

        body["stream"] = true;
        var response = await _emulator.Http.SendAsync(_emulator.Request("v1/messages", body.ToJsonString()));
        var events = EmulatorHarness.ParseSse(await response.Content.ReadAsStringAsync());
        string partial = string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]!["partial_json"]));
        using var streamed = JsonDocument.Parse(partial);
        Assert.Empty(MiniSchemaValidator.Validate(schema.RootElement, streamed.RootElement, schema.RootElement));
    }
}

/// <summary>Just enough JSON-schema validation to check the emulator's generated values independently.</summary>
internal static class MiniSchemaValidator
{
    public static List<string> Validate(JsonElement schema, JsonElement value, JsonElement root, string path = "$")
    {
        var errors = new List<string>();
        if (schema.TryGetProperty("$ref", out var r))
        {
            var target = root;
            foreach (var part in r.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
            return Validate(target, value, root, path);
        }
        if (schema.TryGetProperty("enum", out var e) && !e.EnumerateArray().Any(x => x.GetRawText() == value.GetRawText()))
            errors.Add($"{path}: not in enum");
        if (schema.TryGetProperty("type", out var t))
        {
            var types = t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!).ToList() : new List<string> { t.GetString()! };
            bool ok = types.Any(type => type switch
            {
                "object" => value.ValueKind == JsonValueKind.Object,
                "array" => value.ValueKind == JsonValueKind.Array,
                "string" => value.ValueKind == JsonValueKind.String,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "number" => value.ValueKind == JsonValueKind.Number,
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "null" => value.ValueKind == JsonValueKind.Null,
                _ => false,
            });
            if (!ok) errors.Add($"{path}: expected {string.Join("|", types)}");
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var min) && value.GetDouble() < min.GetDouble()) errors.Add($"{path}: below minimum");
            if (schema.TryGetProperty("maximum", out var max) && value.GetDouble() > max.GetDouble()) errors.Add($"{path}: above maximum");
        }
        if (value.ValueKind == JsonValueKind.String && schema.TryGetProperty("minLength", out var ml) && value.GetString()!.Length < ml.GetInt32())
            errors.Add($"{path}: too short");
        if (value.ValueKind == JsonValueKind.Object)
        {
            var props = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var req))
                foreach (var name in req.EnumerateArray())
                    if (!value.TryGetProperty(name.GetString()!, out _)) errors.Add($"{path}: missing {name.GetString()}");
            foreach (var prop in value.EnumerateObject())
            {
                if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(prop.Name, out var ps)) errors.AddRange(Validate(ps, prop.Value, root, path + "." + prop.Name));
                else if (schema.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False) errors.Add($"{path}: extra {prop.Name}");
            }
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            int n = value.GetArrayLength();
            if (schema.TryGetProperty("minItems", out var mi) && n < mi.GetInt32()) errors.Add($"{path}: too few items");
            if (schema.TryGetProperty("maxItems", out var ma) && n > ma.GetInt32()) errors.Add($"{path}: too many items");
            if (schema.TryGetProperty("items", out var items))
            {
                int i = 0;
                foreach (var item in value.EnumerateArray()) errors.AddRange(Validate(items, item, root, $"{path}[{i++}]"));
            }
        }
        return errors;
    }
}
