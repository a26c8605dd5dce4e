using System.Net;
using System.Text.Json;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>
/// -Raw JSON is redacted string by string, but a redacted_thinking block's data and a thinking block's
/// signature are opaque base64 the API wants back byte for byte: they are never scanned or changed, in a
/// message and in the other reply shapes (message_start, batch result row, stream block events), while
/// secrets elsewhere in the same JSON are still removed, including in a tool input shaped like a block.
/// </summary>
public sealed class RawJsonOpaqueValueTests
{
    // An AWS key id between '/' separators inside base64-looking text: scanned as text, Standard removes it.
    private const string AwsKeyId = "AKIAZQ7VLK2P4MWN3SYD";
    private const string Opaque = "EmwKAhgBEgy3va3pzix/" + AwsKeyId + "/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP+Q=";
    private const string Signature = "ErUBCkYIBRgCIkD3q9/" + AwsKeyId + "/xY2kPz7Qm0V4sNf8LwB1cJ6dRtH5gUaE3oKiY9nM2==";
    private const string Key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";

    private static readonly Redactor Standard = Redactor.For(RedactionOptions.Standard);

    private static string Blocks() =>
        "[{\"type\":\"thinking\",\"thinking\":\"Let me think.\",\"signature\":\"" + Signature + "\"}," +
        "{\"type\":\"redacted_thinking\",\"data\":\"" + Opaque + "\"}," +
        "{\"type\":\"text\",\"text\":\"The key is " + Key + " and the id " + AwsKeyId + ".\"}]";

    private static string Message() =>
        "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":" + Blocks() +
        ",\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":20}}";

    private static string[] Texts(JsonElement content) => content.EnumerateArray()
        .Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString()!).ToArray();

    private static void AssertOpaqueKeptAndTextRedacted(JsonElement content)
    {
        Assert.Equal(Signature, content[0].GetProperty("signature").GetString());
        Assert.Equal(Opaque, content[1].GetProperty("data").GetString());
        string text = Assert.Single(Texts(content));
        Assert.DoesNotContain(Key, text);
        Assert.DoesNotContain(AwsKeyId, text);
        Assert.StartsWith("The key is ", text);
    }

    [Fact]
    public void The_canary_is_found_when_the_same_text_is_scanned_as_text()
    {
        // Guards the tests below: without the exemption the opaque values would be rewritten.
        Assert.DoesNotContain(AwsKeyId, Standard.Redact(Opaque).Text);
        Assert.DoesNotContain(AwsKeyId, Standard.Redact(Signature).Text);
        Assert.DoesNotContain(AwsKeyId, JsonRedaction.Redact(Standard, Message()).Json);
    }

    [Fact]
    public void Raw_json_of_a_reply_keeps_redacted_thinking_data_and_signatures_byte_for_byte()
    {
        var response = new ClaudeResponse
        {
            Text = "The key is " + Key + " and the id " + AwsKeyId + ".",
            Content = new[]
            {
                new ClaudeContentBlock { Type = "thinking", Text = "Let me think.", Signature = Signature },
                new ClaudeContentBlock { Type = "redacted_thinking", Data = Opaque },
                new ClaudeContentBlock { Type = "text", Text = "The key is " + Key + " and the id " + AwsKeyId + "." },
            },
            RawJson = Message(),
        };

        var redacted = ResponseRedaction.Apply(Standard, response);

        Assert.Contains("\"data\":\"" + Opaque + "\"", redacted.RawJson);
        Assert.Contains("\"signature\":\"" + Signature + "\"", redacted.RawJson);
        using var doc = JsonDocument.Parse(redacted.RawJson!);
        AssertOpaqueKeptAndTextRedacted(doc.RootElement.GetProperty("content"));
        // The blocks a conversation keeps: the redacted_thinking data unchanged too.
        Assert.Equal(Opaque, redacted.Content[1].Data);
        Assert.DoesNotContain(Key, redacted.Text);
    }

    [Fact]
    public async Task A_prompt_with_Raw_shows_the_opaque_values_as_sent_and_sends_them_back_unchanged()
    {
        var api = new FakeApi((_, _) => (HttpStatusCode.OK, FakeApi.MessageJson(Blocks()), null));
        using var connection = api.Connect();
        var conversation = Conversations.Create(null, null);
        var runner = new PromptRunner(connection);
        PromptOptions Turn(string prompt) => new()
        {
            Prompt = prompt, Raw = true, Conversation = conversation, ThinkingBudget = 1024, MaxTokens = 2048, Redaction = RedactionOptions.Standard,
        };

        var r = await runner.RunAsync(Turn("First."), new CollectingSink(), default);
        await runner.RunAsync(Turn("Second."), new CollectingSink(), default);

        using (var raw = JsonDocument.Parse(r.RawJson!)) AssertOpaqueKeptAndTextRedacted(raw.RootElement.GetProperty("content"));
        Assert.DoesNotContain(Opaque, r.Text);
        Assert.DoesNotContain(Opaque, r.Thinking ?? "");
        // The second request carries the first reply's blocks back exactly as the API sent them.
        var sent = api.Bodies()[1].GetProperty("messages")[1].GetProperty("content");
        Assert.Contains(sent.EnumerateArray(), b => b.GetProperty("type").GetString() == "redacted_thinking" && b.GetProperty("data").GetString() == Opaque);
        Assert.Contains(sent.EnumerateArray(), b => b.GetProperty("type").GetString() == "thinking" && b.GetProperty("signature").GetString() == Signature);
    }

    [Fact]
    public void Property_order_does_not_matter_type_may_come_after_the_opaque_value()
    {
        string json = "{\"content\":[{\"data\":\"" + Opaque + "\",\"type\":\"redacted_thinking\"}," +
            "{\"signature\":\"" + Signature + "\",\"thinking\":\"ok\",\"type\":\"thinking\"}," +
            "{\"text\":\"id " + AwsKeyId + "\",\"type\":\"text\"}]}";

        string redacted = JsonRedaction.Redact(Standard, json, reply: true).Json;

        Assert.Contains(Opaque, redacted);
        Assert.Contains(Signature, redacted);
        Assert.DoesNotContain("id " + AwsKeyId, redacted);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(redacted, AwsKeyId).Count); // the two opaque values only
    }

    [Theory]
    [InlineData("message_start")]
    [InlineData("batch_row")]
    public void A_message_inside_a_stream_event_or_a_batch_result_row_keeps_its_opaque_values(string shape)
    {
        string json = shape == "message_start"
            ? "{\"type\":\"message_start\",\"message\":" + Message() + "}"
            : "{\"custom_id\":\"row-1\",\"result\":{\"type\":\"succeeded\",\"message\":" + Message() + "}}";

        string redacted = JsonRedaction.Redact(Standard, json, reply: true).Json;

        using var doc = JsonDocument.Parse(redacted);
        var message = shape == "message_start" ? doc.RootElement.GetProperty("message") : doc.RootElement.GetProperty("result").GetProperty("message");
        AssertOpaqueKeptAndTextRedacted(message.GetProperty("content"));
    }

    [Theory]
    [InlineData("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"" + Opaque + "\"}}", Opaque)]
    [InlineData("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"" + Signature + "\"}}", Signature)]
    public void Stream_block_events_keep_their_opaque_value(string json, string opaque)
    {
        Assert.Equal(json, JsonRedaction.Redact(Standard, json, reply: true).Json);
        Assert.Contains(opaque, json);
    }

    [Fact]
    public void A_tool_input_shaped_like_a_redacted_thinking_block_is_still_redacted()
    {
        // The model writes tool input: a look-alike block there must not hide a secret.
        string input = "{\"content\":[{\"type\":\"redacted_thinking\",\"data\":\"" + Key + "\"}],\"type\":\"redacted_thinking\",\"data\":\"" + Key + "\"}";
        string message = "{\"type\":\"message\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"run\",\"input\":" + input + "}]}";

        Assert.DoesNotContain(Key, JsonRedaction.Redact(Standard, message, reply: true).Json);
        Assert.DoesNotContain(Key, JsonRedaction.Redact(Standard, input).Json);
    }

    [Fact]
    public void Data_of_other_block_types_is_still_redacted()
    {
        // Only redacted_thinking data is opaque; e.g. a tool result or unknown block's "data" is not.
        string json = "{\"content\":[{\"type\":\"something_else\",\"data\":\"" + Opaque + "\"},{\"type\":\"text\",\"signature\":\"" + Signature + "\"}]}";

        string redacted = JsonRedaction.Redact(Standard, json, reply: true).Json;

        Assert.DoesNotContain(AwsKeyId, redacted);
    }
}
