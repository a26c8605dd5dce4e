using System.Collections;
using System.Net;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Tests.Shared;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

/// <summary>
/// redacted_thinking blocks (encrypted thinking) are kept as content blocks, type and data, whole or
/// streamed; they go back unchanged on later turns, survive export/import, are never shown as text and
/// never touched by output redaction.
/// </summary>
public sealed class RedactedThinkingTests
{
    // Opaque base64 that happens to hold an AWS key id between '/' separators, so a redactor that scanned
    // it would change it (checked below): the block must come through untouched all the same.
    private const string Data = "EmwKAhgBEgy3va3pzix/AKIAZQ7VLK2P4MWN3SYD/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP+Q=";
    private const string ReplyText = "Here is my answer.";

    private static string Json() => FakeApi.MessageJson(
        "[{\"type\":\"redacted_thinking\",\"data\":\"" + Data + "\"},{\"type\":\"text\",\"text\":\"" + ReplyText + "\"}]");

    /// <summary>As the API streams it: the redacted block whole in content_block_start, no deltas.</summary>
    private static string Sse()
    {
        var sse = new StringBuilder();
        void Event(string type, object data) => sse.Append("event: ").Append(type).Append("\ndata: ").Append(JsonSerializer.Serialize(data)).Append("\n\n");
        Event("message_start", new { type = "message_start", message = new { id = "msg_s", type = "message", role = "assistant", model = "claude-sonnet-4-5", content = Array.Empty<object>(), stop_reason = (string?)null, usage = new { input_tokens = 10, output_tokens = 1 } } });
        Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "redacted_thinking", data = Data } });
        Event("ping", new { type = "ping" });
        Event("content_block_stop", new { type = "content_block_stop", index = 0 });
        Event("content_block_start", new { type = "content_block_start", index = 1, content_block = new { type = "text", text = "" } });
        Event("content_block_delta", new { type = "content_block_delta", index = 1, delta = new { type = "text_delta", text = "Here is " } });
        Event("content_block_delta", new { type = "content_block_delta", index = 1, delta = new { type = "text_delta", text = "my answer." } });
        Event("content_block_stop", new { type = "content_block_stop", index = 1 });
        Event("message_delta", new { type = "message_delta", delta = new { stop_reason = "end_turn", stop_sequence = (string?)null }, usage = new { output_tokens = 30 } });
        Event("message_stop", new { type = "message_stop" });
        return sse.ToString();
    }

    private static FakeApi Scripted() => new((_, body) => body is not null && body.Contains("\"stream\":true")
        ? (HttpStatusCode.OK, Sse(), "text/event-stream")
        : (HttpStatusCode.OK, Json(), null));

    private static PromptOptions Turn(string prompt, ClaudeConversation conversation, bool stream) => new()
    {
        Prompt = prompt, Conversation = conversation, Stream = stream, ThinkingBudget = 1024, MaxTokens = 2048,
        Redaction = RedactionOptions.Standard,
    };

    /// <summary>A message's content blocks as (property, value) lists: the JSON as the API reads it
    /// (escapes decoded), with nothing added or left out.</summary>
    private static List<List<(string, string?)>> Blocks(JsonElement body, int index) =>
        body.GetProperty("messages")[index].GetProperty("content").EnumerateArray()
            .Select(b => b.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToList()).ToList();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_redacted_thinking_block_is_kept_whole_not_shown_and_sent_back_unchanged(bool stream)
    {
        Assert.NotEqual(Data, Redactor.For(RedactionOptions.Standard).Redact(Data).Text); // the redactor would change it

        var api = Scripted();
        using var connection = api.Connect();
        var runner = new PromptRunner(connection);
        var conversation = Conversations.Create(null, null);
        var sink = new CollectingSink();
        var r = await runner.RunAsync(Turn("Plan the trip.", conversation, stream), sink, default);

        var block = r.Content[0];
        Assert.Equal(("redacted_thinking", Data, null, null), (block.Type, block.Data, block.Text, block.Signature));
        Assert.Equal(new[] { "redacted_thinking", "text" }, r.Content.Select(b => b.Type));
        Assert.Equal(ReplyText, r.Text);
        Assert.Null(r.Thinking);
        Assert.Empty(r.Redactions);
        Assert.DoesNotContain("EmwKAhgB", r.ToString());

        // The next turn sends the block back exactly: type and data, nothing else.
        await runner.RunAsync(Turn("And the budget?", conversation, stream), new CollectingSink(), default);
        var second = api.Bodies()[1];
        var sent = Blocks(second, 1);
        Assert.Equal(new List<(string, string?)> { ("type", "redacted_thinking"), ("data", Data) }, sent[0]);
        Assert.Equal(new List<(string, string?)> { ("type", "text"), ("text", ReplyText) }, sent[1]);
    }

    [Fact]
    public async Task Export_and_import_keep_a_redacted_thinking_block_so_the_next_request_is_the_same()
    {
        var api = Scripted();
        using var connection = api.Connect();
        var runner = new PromptRunner(connection);
        var conversation = Conversations.Create(null, null);
        await runner.RunAsync(Turn("Plan the trip.", conversation, stream: false), new CollectingSink(), default);

        var json = Conversations.ToJson(conversation);
        var imported = Conversations.FromJson(json);
        var block = imported.Messages[1].Content[0];
        Assert.Equal(("redacted_thinking", Data), (block.Type, block.Data));
        Assert.Equal(json, Conversations.ToJson(imported));

        await runner.RunAsync(Turn("And the budget?", conversation, stream: false), new CollectingSink(), default);
        await runner.RunAsync(Turn("And the budget?", imported, stream: false), new CollectingSink(), default);
        var bodies = api.Bodies();
        Assert.Equal(bodies[1].GetProperty("messages").GetRawText(), bodies[2].GetProperty("messages").GetRawText());
        Assert.Equal(new List<(string, string?)> { ("type", "redacted_thinking"), ("data", Data) }, Blocks(bodies[2], 1)[0]);
    }
}

/// <summary>The same against the emulator, which answers Anthropic's documented trigger string with a
/// redacted_thinking block and rejects one sent back changed: the conversation continues only if the
/// block went back exactly.</summary>
public sealed class RedactedThinkingEmulatorTests : EmulatorConnectionTest
{
    private const string Trigger = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253D5E2D82641AC0E52CC2876CB";

    public RedactedThinkingEmulatorTests() : base("sk-ant-emulator-redacted-thinking") { }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_conversation_with_redacted_thinking_continues_live_and_after_export_and_import(bool stream)
    {
        var runner = new PromptRunner(Connection);
        var conversation = Conversations.Create(null, null);
        PromptOptions Turn(string prompt, ClaudeConversation c) => new()
        {
            Prompt = prompt, Conversation = c, Stream = stream, ThinkingBudget = 1024, MaxTokens = 3000, Redaction = RedactionOptions.Standard,
        };

        var first = await runner.RunAsync(Turn("Think about volcanoes " + Trigger, conversation), new CollectingSink(), default);
        var block = first.Content[0];
        Assert.Equal("redacted_thinking", block.Type);
        Assert.False(string.IsNullOrEmpty(block.Data));
        Assert.Null(first.Thinking);
        Assert.DoesNotContain(block.Data!, first.Text);

        // The emulator checks the data: these turns fail with 400 if the block came back changed.
        var second = await runner.RunAsync(Turn("And then?", conversation), new CollectingSink(), default);
        Assert.False(string.IsNullOrEmpty(second.Text));
        var imported = Conversations.FromJson(Conversations.ToJson(conversation));
        var third = await runner.RunAsync(Turn("And after that?", imported), new CollectingSink(), default);
        Assert.False(string.IsNullOrEmpty(third.Text));
        Assert.Equal(block.Data, imported.Messages[1].Content[0].Data);
    }
}
