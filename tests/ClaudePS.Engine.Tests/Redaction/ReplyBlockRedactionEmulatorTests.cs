using System.Collections;
using System.Text.Json;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Wire;
using ClaudePS.Engine.Tests.Shared;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>
/// Against the in-process emulator on 127.0.0.1: its thinking text and tool input name the prompt's words,
/// so a canary key in the prompt comes back in both. It also checks thinking signatures sent back, as
/// the API does, which is what proves a conversation with redacted thinking still continues.
/// </summary>
public sealed class ReplyBlockRedactionEmulatorTests : EmulatorConnectionTest
{
    private const string Key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";
    private const string Prompt = "Rotate " + Key + " tonight";

    public ReplyBlockRedactionEmulatorTests() : base("sk-ant-emulator-redaction-tests") { }

    private PromptOptions Turn(string prompt, ClaudeConversation conversation, bool raw = false, RedactionOptions? redaction = null) => new()
    {
        Prompt = prompt, Conversation = conversation, ThinkingBudget = 1024, MaxTokens = 3000, Raw = raw,
        Redaction = redaction ?? RedactionOptions.Standard,
    };

    [Fact]
    public async Task Redacted_thinking_never_reaches_the_user_and_the_conversation_still_continues()
    {
        var runner = new PromptRunner(Connection);
        var conversation = Conversations.Create(null, null);
        var first = await runner.RunAsync(Turn(Prompt, conversation, raw: true), new CollectingSink(), default);

        Assert.Contains("[REDACTED:AnthropicApiKey]", first.Thinking);
        Assert.DoesNotContain(Key, first.Thinking);
        Assert.DoesNotContain(Key, first.Text);
        Assert.DoesNotContain(Key, first.RawJson);
        Assert.DoesNotContain(Key, Conversations.ToJson(conversation).Replace(Prompt, "")); // only the user's own prompt holds it
        Assert.DoesNotContain(conversation.Messages[1].Content, b => b.Type == "thinking");

        // The emulator verifies signatures: the next turn is accepted, and so is one after export and import.
        var second = await runner.RunAsync(Turn("And after that?", conversation), new CollectingSink(), default);
        Assert.False(string.IsNullOrEmpty(second.Text));
        Assert.Equal("thinking", conversation.Messages[3].Content[0].Type); // nothing to redact: kept, signed
        var restored = Conversations.FromJson(Conversations.ToJson(conversation));
        var third = await runner.RunAsync(Turn("Thanks.", restored), new CollectingSink(), default);
        Assert.False(string.IsNullOrEmpty(third.Text));
    }

    [Fact]
    public async Task Redacted_thinking_sent_back_with_its_old_signature_is_rejected_which_is_why_it_is_dropped()
    {
        var runner = new PromptRunner(Connection);
        var first = await runner.RunAsync(Turn(Prompt, Conversations.Create(null, null), raw: true), new CollectingSink(), default);
        using var raw = JsonDocument.Parse(first.RawJson!);
        string signature = raw.RootElement.GetProperty("content")[0].GetProperty("signature").GetString()!;

        var forged = Conversations.Create(null, null);
        forged.Messages.Add(new ClaudeMessage("user", Prompt));
        forged.Messages.Add(new ClaudeMessage
        {
            Role = "assistant",
            Content = { new ClaudeContentBlock { Type = "thinking", Text = first.Thinking, Signature = signature }, ClaudeContentBlock.FromText(first.Text) },
        });
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => runner.RunAsync(Turn("Next?", forged), new CollectingSink(), default));
        Assert.Equal(400, ex.Error.HttpStatus);
        Assert.Contains("Invalid `signature` in `thinking` block", ex.Error.Message);
    }

    [Fact]
    public async Task Profile_None_keeps_the_thinking_and_its_signature()
    {
        var conversation = Conversations.Create(null, null);
        var first = await new PromptRunner(Connection).RunAsync(Turn(Prompt, conversation, redaction: RedactionOptions.None), new CollectingSink(), default);
        Assert.Contains(Key, first.Thinking);
        var block = conversation.Messages[1].Content[0];
        Assert.Equal("thinking", block.Type);
        Assert.Equal(first.Thinking, block.Text);
        Assert.False(string.IsNullOrEmpty(block.Signature));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Emulator_tool_input_is_redacted_and_stays_valid_json(bool stream)
    {
        var request = MessageRequest.ForPrompt(Prompt, "claude-sonnet-4-5", 1024);
        request.ToolsJson.Add("""{"name":"rotate","description":"Rotates a key.","input_schema":{"type":"object","properties":{"key":{"type":"string"},"reason":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}},"required":["key"]}}""");
        request.ToolChoiceJson = """{"type":"tool","name":"rotate"}""";
        var call = new CallOptions { KeepRawJson = !stream };
        var reply = stream
            ? await Connection.Client.StreamMessageAsync(request, null, call, default)
            : await Connection.Client.CreateMessageAsync(request, call, default);
        Assert.Contains(Key, reply.ToolUses[0].InputJson); // the emulator echoed it: the test has something to remove

        var redacted = ResponseRedaction.Apply(Redactor.For(RedactionOptions.Secrets), reply);
        var tool = Assert.Single(redacted.ToolUses);
        Assert.DoesNotContain(Key, tool.InputJson);
        using var input = JsonDocument.Parse(tool.InputJson);
        Assert.Contains("[REDACTED:AnthropicApiKey]", tool.InputJson);
        Assert.Equal(JsonValueKind.Array, input.RootElement.GetProperty("tags").ValueKind);
        Assert.Equal(tool.InputJson, redacted.Content.Single(b => b.Type == "tool_use").InputJson);
        Assert.True(redacted.Redactions["AnthropicApiKey"] >= 1);
        if (!stream)
        {
            Assert.DoesNotContain(Key, redacted.RawJson);
            JsonDocument.Parse(redacted.RawJson!).Dispose();
        }
    }
}
