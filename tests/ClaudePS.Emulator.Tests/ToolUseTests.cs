using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>tool_choice auto: when the emulated model calls tools, with what input, how it answers the
/// results, and the API's pairing rules for tool_use and tool_result.</summary>
public sealed class ToolUseTests : IAsyncLifetime
{
    private EmulatorHarness _emulator = null!;
    public async Task InitializeAsync() => _emulator = await EmulatorHarness.StartAsync();
    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private const string DiskSchema = """
        {"type":"object","properties":{"Drive":{"type":"string","enum":["C","D"]},"Top":{"type":"integer","minimum":1,"maximum":5},"Name":{"type":"string"}},"required":["Name"],"additionalProperties":false}
        """;

    private static JsonObject Body(params JsonNode[] messages) => new()
    {
        ["model"] = EmulatorHarness.Model,
        ["max_tokens"] = 500,
        ["tools"] = new JsonArray(
            new JsonObject { ["name"] = "Get-DiskReport", ["input_schema"] = JsonNode.Parse(DiskSchema) },
            new JsonObject { ["name"] = "get_event_log", ["input_schema"] = JsonNode.Parse("""{"type":"object","properties":{}}""") }),
        ["messages"] = new JsonArray(messages),
    };

    private static JsonObject User(string text) => new() { ["role"] = "user", ["content"] = text };

    private async Task<JsonNode> Post(JsonObject body)
    {
        var (response, json) = await _emulator.PostAsync("v1/messages", body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return json!;
    }

    private static List<JsonNode> ToolUses(JsonNode message) =>
        message["content"]!.AsArray().Where(b => (string?)b!["type"] == "tool_use").Select(b => b!).ToList();

    [Fact(Timeout = 30_000)]
    public async Task A_server_tool_is_never_called_as_a_client_tool()
    {
        var body = new JsonObject
        {
            ["model"] = EmulatorHarness.Model,
            ["max_tokens"] = 500,
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "web_search_20250305", ["name"] = "web_search" }),
            ["messages"] = new JsonArray(User("Please web_search the ferry timetable")),
        };
        var message = await Post(body);
        Assert.Empty(ToolUses(message));
        Assert.NotEqual("tool_use", (string?)message["stop_reason"]);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("Hello there")]
    [InlineData("How do I prevent logging?")] // "event log" inside a word does not name get_event_log
    public async Task A_prompt_that_names_no_tool_gets_text(string prompt)
    {
        var message = await Post(Body(User(prompt)));
        Assert.Equal("end_turn", (string?)message["stop_reason"]);
        Assert.Empty(ToolUses(message));
    }

    [Fact(Timeout = 30_000)]
    public async Task Named_tools_are_called_in_offered_order_with_schema_valid_input_from_the_prompt()
    {
        var message = await Post(Body(User("Check the event log and the disk report: Drive=D, Name='web 01', Top=9")));
        Assert.Equal("tool_use", (string?)message["stop_reason"]);
        var uses = ToolUses(message);
        Assert.Equal(new[] { "Get-DiskReport", "get_event_log" }, uses.Select(u => (string?)u["name"]));
        var input = uses[0]["input"]!.AsObject();
        Assert.Equal("D", (string?)input["Drive"]);
        Assert.Equal("web 01", (string?)input["Name"]);
        Assert.Equal(1, (int)input["Top"]!); // 9 is out of range: a schema-valid value instead
        using var schema = JsonDocument.Parse(DiskSchema);
        using var doc = JsonDocument.Parse(input.ToJsonString());
        Assert.Empty(MiniSchemaValidator.Validate(schema.RootElement, doc.RootElement, schema.RootElement));
    }

    [Fact(Timeout = 30_000)]
    public async Task Optional_properties_the_prompt_does_not_name_are_left_out()
    {
        var input = ToolUses(await Post(Body(User("Read the disk report"))))[0]["input"]!.AsObject();
        Assert.Equal(new[] { "Name" }, input.Select(p => p.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task After_the_results_the_reply_quotes_them_and_a_result_can_chain_another_call()
    {
        var first = await Post(Body(User("Read the disk report")));
        var use = ToolUses(first)[0];
        JsonObject Result(string text, bool error = false) => new()
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = (string?)use["id"], ["content"] = text, ["is_error"] = error }),
        };
        var answer = await Post(Body(User("Read the disk report"), first.DeepClone(), Result("C: 42 GB free")));
        Assert.Equal("end_turn", (string?)answer["stop_reason"]);
        Assert.Contains("Get-DiskReport said: C: 42 GB free", EmulatorHarness.Text(answer));

        var failed = await Post(Body(User("Read the disk report"), first.DeepClone(), Result("access denied", error: true)));
        Assert.Contains("Get-DiskReport failed: access denied", EmulatorHarness.Text(failed));

        var chained = await Post(Body(User("Read the disk report"), first.DeepClone(), Result("Partial; call get_event_log next")));
        Assert.Equal(new[] { "get_event_log" }, ToolUses(chained).Select(u => (string?)u["name"]));
    }

    [Fact(Timeout = 30_000)]
    public async Task Call_with_a_name_not_offered_invents_a_tool()
    {
        var uses = ToolUses(await Post(Body(User("Please call Remove-Everything now"))));
        Assert.Equal("Remove-Everything", (string?)Assert.Single(uses)["name"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Tool_choice_none_never_calls()
    {
        var body = Body(User("Read the disk report"));
        body["tool_choice"] = new JsonObject { ["type"] = "none" };
        Assert.Empty(ToolUses(await Post(body)));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tool_result_that_answers_no_tool_use_is_a_400()
    {
        var body = Body(User("hi"), new JsonObject { ["role"] = "assistant", ["content"] = "hello" }, new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_bogus", ["content"] = "x" }),
        });
        var (response, json) = await _emulator.PostAsync("v1/messages", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", (string?)json!["error"]!["type"]);
        Assert.Contains("unexpected `tool_use_id` found in `tool_result` blocks: toolu_bogus", (string?)json["error"]!["message"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tool_use_left_unanswered_is_a_400()
    {
        var first = await Post(Body(User("Read the disk report")));
        var body = Body(User("Read the disk report"), first.DeepClone(), User("never mind"));
        var (response, json) = await _emulator.PostAsync("v1/messages", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("`tool_use` ids were found without `tool_result` blocks", (string?)json!["error"]!["message"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Tool_blocks_in_a_request_without_tools_are_a_400()
    {
        var first = await Post(Body(User("Read the disk report")));
        var id = (string?)ToolUses(first)[0]["id"];
        var body = Body(User("Read the disk report"), first.DeepClone(), new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id, ["content"] = "ok" }),
        });
        body.Remove("tools");
        var (response, json) = await _emulator.PostAsync("v1/messages", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Requests which include `tool_use` or `tool_result` blocks must define tools.", (string?)json!["error"]!["message"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Tools_add_the_tool_use_system_prompt_to_the_input_tokens()
    {
        var withTools = Body(User("Hello there"));
        var plain = new JsonObject { ["model"] = EmulatorHarness.Model, ["messages"] = new JsonArray(User("Hello there")) };
        var (_, a) = await _emulator.PostAsync("v1/messages/count_tokens", plain.ToJsonString());
        withTools.Remove("max_tokens");
        var (_, b) = await _emulator.PostAsync("v1/messages/count_tokens", withTools.ToJsonString());
        int toolDefinitions = withTools["tools"]!.AsArray().Sum(t => TokenCounter.Count(t!.ToJsonString()));
        Assert.Equal((int)a!["input_tokens"]! + toolDefinitions + 346, (int)b!["input_tokens"]!);
    }
}
