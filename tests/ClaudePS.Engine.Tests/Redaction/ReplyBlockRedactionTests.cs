using System.Net;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Tests.Batching;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>
/// Thinking text and tool-use input get the same redaction as the reply text, everywhere a reply goes:
/// the output object, its content blocks, -Raw JSON, a conversation and its exported file, batch rows
/// and checkpoints. Replies come from a scripted handler (exact blocks) or the in-process emulator.
/// </summary>
public sealed class ReplyBlockRedactionTests
{
    // Canary secrets: an Anthropic key (checked by the Secrets profile), an AWS key id, a Luhn-valid card.
    private const string Key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";
    private const string AwsKeyId = "AKIAZQ7VLK2P4MWN3SYD";
    private const string CardDigits = "4340547730387959";
    private static readonly string[] Secrets = { Key, AwsKeyId, CardDigits, "4340 5477", "sk-ant-api03-Zq8v" };

    private const string Thinking = "The config holds " + Key + ", so the answer must not repeat it.";
    private const string Signature = "sig_original_AAAA";
    private static readonly string ToolInput = JsonSerializer.Serialize(new
    {
        command = "curl -H 'x-api-key: " + Key + "' https://example.invalid/v1",
        aws = new { access_key_id = AwsKeyId },
        note = "line one\nline \"two\" é ✓",
        count = 2,
    }).Replace("\"count\":2", "\"card\":" + CardDigits + ",\"count\":2"); // a card as a bare JSON number
    private const string ReplyText = "Done. The key was " + Key + ".";

    private static void AssertNoSecret(string? text, string where)
    {
        if (text is null) return;
        foreach (var s in Secrets) Assert.False(text.Contains(s, StringComparison.Ordinal), $"{where} still holds '{s}': {text}");
    }

    private static string BlocksJson(string toolInput) =>
        "[{\"type\":\"thinking\",\"thinking\":" + JsonSerializer.Serialize(Thinking) + ",\"signature\":\"" + Signature + "\"}," +
        "{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(ReplyText) + "}," +
        "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"run\",\"input\":" + toolInput + "}]";

    /// <summary>The same reply as SSE, each part cut into small deltas so secrets arrive split.</summary>
    private static string BlocksStream()
    {
        var sse = new StringBuilder();
        void Event(string type, object data) => sse.Append("event: ").Append(type).Append("\ndata: ").Append(JsonSerializer.Serialize(data)).Append("\n\n");
        IEnumerable<string> Pieces(string s) { for (int i = 0; i < s.Length; i += 7) yield return s.Substring(i, Math.Min(7, s.Length - i)); }
        Event("message_start", new { type = "message_start", message = new { id = "msg_s", type = "message", role = "assistant", model = "claude-sonnet-4-5", content = Array.Empty<object>(), stop_reason = (string?)null, usage = new { input_tokens = 10, output_tokens = 1 } } });
        Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "thinking", thinking = "", signature = "" } });
        foreach (var p in Pieces(Thinking)) Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "thinking_delta", thinking = p } });
        Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "signature_delta", signature = Signature } });
        Event("content_block_stop", new { type = "content_block_stop", index = 0 });
        Event("content_block_start", new { type = "content_block_start", index = 1, content_block = new { type = "text", text = "" } });
        foreach (var p in Pieces(ReplyText)) Event("content_block_delta", new { type = "content_block_delta", index = 1, delta = new { type = "text_delta", text = p } });
        Event("content_block_stop", new { type = "content_block_stop", index = 1 });
        Event("content_block_start", new { type = "content_block_start", index = 2, content_block = new { type = "tool_use", id = "toolu_1", name = "run", input = new { } } });
        foreach (var p in Pieces(ToolInput)) Event("content_block_delta", new { type = "content_block_delta", index = 2, delta = new { type = "input_json_delta", partial_json = p } });
        Event("content_block_stop", new { type = "content_block_stop", index = 2 });
        Event("message_delta", new { type = "message_delta", delta = new { stop_reason = "tool_use", stop_sequence = (string?)null }, usage = new { output_tokens = 40 } });
        Event("message_stop", new { type = "message_stop" });
        return sse.ToString();
    }

    private static FakeApi Scripted() => new((_, body) => body is not null && body.Contains("\"stream\":true")
        ? (HttpStatusCode.OK, BlocksStream(), "text/event-stream")
        : (HttpStatusCode.OK, FakeApi.MessageJson(BlocksJson(ToolInput), "tool_use"), null));

    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), "claudeps-redact-tests", Guid.NewGuid().ToString("N"), name);

    [Fact]
    public void Tool_input_stays_valid_json_and_loses_only_the_secrets()
    {
        var (json, counts) = JsonRedaction.Redact(Redactor.For(RedactionOptions.Standard), ToolInput);
        AssertNoSecret(json, "tool input");
        using var before = JsonDocument.Parse(ToolInput);
        using var after = JsonDocument.Parse(json); // still JSON
        var a = after.RootElement;
        Assert.Equal("curl -H 'x-api-key: [REDACTED:AnthropicApiKey]' https://example.invalid/v1", a.GetProperty("command").GetString());
        Assert.StartsWith("[REDACTED:", a.GetProperty("aws").GetProperty("access_key_id").GetString());
        Assert.Equal("[REDACTED:CreditCard]", a.GetProperty("card").GetString());
        // Everything without a secret is unchanged, escapes and all.
        Assert.Equal(before.RootElement.GetProperty("note").GetString(), a.GetProperty("note").GetString());
        Assert.Equal(2, a.GetProperty("count").GetInt32());
        Assert.Contains("\"count\":2}", json);
        Assert.Equal(3, counts.Values.Sum());

        const string clean = "{\"q\": \"weather in Paris\", \"n\": [1, 2.5e3]}";
        Assert.Same(clean, JsonRedaction.Redact(Redactor.For(RedactionOptions.Standard), clean).Json);
        // A value is judged with its property name as context, as in prose: 9 bare digits are an SSN only after "ssn".
        Assert.Equal("{\"ssn\":\"[REDACTED:SSN]\"}", JsonRedaction.Redact(Redactor.For(RedactionOptions.Standard), "{\"ssn\":\"219551234\"}").Json);
        Assert.Equal("{\"order\":\"219551234\"}", JsonRedaction.Redact(Redactor.For(RedactionOptions.Standard), "{\"order\":\"219551234\"}").Json);
        // Input cut short by max_tokens is not JSON: it is redacted as text rather than passed through.
        string cut = ToolInput.Substring(0, ToolInput.IndexOf("aws", StringComparison.Ordinal));
        AssertNoSecret(JsonRedaction.Redact(Redactor.For(RedactionOptions.Standard), cut).Json, "cut tool input");
    }

    [Fact]
    public void A_secret_split_across_blocks_is_removed_from_each_block_and_counted_once()
    {
        var parts = new JoinedText();
        parts.Add("Card 4340 5477 ");
        parts.Add("3038 7959 on file.");
        var result = Redactor.For(RedactionOptions.Standard).RedactJoined(parts);
        Assert.Equal("Card [REDACTED:CreditCard]", result.Pieces[0]);
        Assert.Equal("[REDACTED:CreditCard] on file.", result.Pieces[1]);
        Assert.Equal(Redactor.For(RedactionOptions.Standard).Redact("Card 4340 5477 3038 7959 on file.").Text, result.Whole);
        Assert.Equal(1, result.Counts["CreditCard"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Thinking_and_tool_input_are_redacted_in_the_object_raw_json_and_an_exported_conversation(bool stream)
    {
        var api = Scripted();
        using var connection = api.Connect();
        var conversation = Conversations.Create(null, null);
        var r = await new PromptRunner(connection).RunAsync(new PromptOptions
        {
            Prompt = "Check the config.", Stream = stream, Raw = !stream, Conversation = conversation, ThinkingBudget = 1024, MaxTokens = 2048,
        }, new CollectingSink(), default);

        AssertNoSecret(r.Text, "Text");
        AssertNoSecret(r.Thinking, "Thinking");
        Assert.Contains("[REDACTED:AnthropicApiKey]", r.Thinking);
        var tool = Assert.Single(r.ToolUses);
        AssertNoSecret(tool.InputJson, "ToolUses[0].InputJson");
        JsonDocument.Parse(tool.InputJson).Dispose();
        foreach (var b in r.Content)
        {
            AssertNoSecret(b.Text, "Content " + b.Type);
            AssertNoSecret(b.InputJson, "Content tool_use");
        }
        var thinkingBlock = r.Content.Single(b => b.Type == "thinking");
        Assert.Null(thinkingBlock.Signature); // it vouched for the original text
        Assert.Equal(r.Thinking, thinkingBlock.Text);
        Assert.Equal(tool.InputJson, r.Content.Single(b => b.Type == "tool_use").InputJson);
        Assert.Equal(3, r.Redactions["AnthropicApiKey"]); // text, thinking, tool input: each counted once
        Assert.Equal(1, r.Redactions["CreditCard"]);
        AssertNoSecret(r.ToString(), "ToString");

        if (!stream)
        {
            AssertNoSecret(r.RawJson, "RawJson");
            using var raw = JsonDocument.Parse(r.RawJson!);
            var content = raw.RootElement.GetProperty("content");
            Assert.Equal(r.Thinking, content[0].GetProperty("thinking").GetString());
            Assert.Equal(JsonDocument.Parse(tool.InputJson).RootElement.GetRawText(), content[2].GetProperty("input").GetRawText());
        }

        // The conversation keeps the redacted reply without the unsendable thinking block; its file holds no secret.
        var reply = conversation.Messages[1];
        Assert.DoesNotContain(reply.Content, b => b.Type == "thinking");
        Assert.Contains(reply.Content, b => b.Type == "tool_use");
        var path = TempFile("chat.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            Conversations.Save(conversation, path);
            AssertNoSecret(File.ReadAllText(path), "exported conversation");
            AssertNoSecret(Conversations.ToJson(Conversations.Load(path)), "imported conversation");
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public async Task Profile_None_leaves_thinking_tool_input_raw_json_and_signatures_intact()
    {
        var api = Scripted();
        using var connection = api.Connect();
        var conversation = Conversations.Create(null, null);
        var r = await new PromptRunner(connection).RunAsync(new PromptOptions
        {
            Prompt = "Check the config.", Raw = true, Conversation = conversation, Redaction = RedactionOptions.None, ThinkingBudget = 1024, MaxTokens = 2048,
        }, new CollectingSink(), default);
        Assert.Equal(ReplyText, r.Text);
        Assert.Equal(Thinking, r.Thinking);
        Assert.Equal(ToolInput, r.ToolUses[0].InputJson);
        Assert.Contains(Key, r.RawJson);
        Assert.Contains(CardDigits, r.RawJson);
        Assert.Empty(r.Redactions);
        var thinking = conversation.Messages[1].Content[0];
        Assert.Equal(("thinking", Thinking, Signature), (thinking.Type, thinking.Text, thinking.Signature));
        Assert.Same(r, ResponseRedaction.Apply(Redactor.For(RedactionOptions.None), r));
    }

    [Fact]
    public async Task A_batch_row_and_its_checkpoint_hold_no_secret_from_thinking_or_tool_input()
    {
        var api = Scripted();
        using var connection = BatchTest.Connect(api);
        var sink = new CollectingSink();
        var checkpoint = BatchTest.TempPath("blocks.jsonl");
        await BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 1, CheckpointPath = checkpoint }, BatchTest.Rows(2), sink, default);
        Assert.Equal(2, sink.Results.Count);
        foreach (var row in sink.Results)
        {
            Assert.Equal(ClaudeBatchRowStatus.Succeeded, row.Status);
            AssertNoSecret(row.Text, "row Text");
            AssertNoSecret(row.ToString(), "row");
            AssertNoSecret(JsonSerializer.Serialize(row), "row as JSON");
            Assert.Equal(3, row.Redactions["AnthropicApiKey"]);
        }
        AssertNoSecret(File.ReadAllText(checkpoint), "checkpoint");
    }
}
