using System.Net;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Streaming;

/// <summary>Replies and stream events are read in one forward pass: JSON does not promise property
/// order, so these put every property where a forward reader would find it last.</summary>
public class MessageReadingTests
{
    private static ClaudeResponse Read(string json)
    {
        var builder = new MessageBuilder();
        builder.ReadMessage(Encoding.UTF8.GetBytes(json));
        return builder.Build("req_1", null, TimeSpan.Zero, null, 1);
    }

    [Fact]
    public void Usage_names_are_read_escaped_or_not_and_unknown_ones_skipped()
    {
        var r = Read("{\"content\":[],\"usage\":{\"input\\u005ftokens\":7,\"future_counter\":{\"a\":[1]},\"output_tokens\":3," +
                     "\"cache_creation\\u005finput_tokens\":5,\"cache_read_input_tokens\":2,\"service\\u005Ftier\":\"batch\"," +
                     "\"cache_creation\":{\"ephemeral_1h_input_tokens\":4},\"input_tokens_x\":99}}");
        AssertUsage(r.Usage, input: 7, output: 3, cacheWrite: 5, cacheWrite1h: 4, cacheRead: 2, tier: "batch");
    }

    private static void AssertUsage(ClaudeUsage u, long input, long output, long cacheWrite, long cacheWrite1h, long cacheRead, string tier)
    {
        Assert.Equal(input, u.InputTokens);
        Assert.Equal(output, u.OutputTokens);
        Assert.Equal(cacheWrite, u.CacheWriteTokens);
        Assert.Equal(cacheWrite1h, u.CacheWrite1hTokens);
        Assert.Equal(cacheRead, u.CacheReadTokens);
        Assert.Equal(tier, u.ServiceTier);
    }

    [Fact]
    public void Values_every_reply_repeats_are_shared_and_new_or_escaped_values_read_exactly()
    {
        static string Reply(string model, string stop, string tier) =>
            "{\"model\":\"" + model + "\",\"stop_reason\":\"" + stop + "\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]," +
            "\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"service_tier\":\"" + tier + "\"}}";
        var first = Read(Reply("claude-test-model", "end_turn", "standard"));
        var second = Read(Reply("claude-test-model", "end_turn", "standard"));
        Assert.Same(first.StopReason, second.StopReason);
        Assert.Same(first.Usage.ServiceTier, second.Usage.ServiceTier);
        Assert.Same(first.Content[0].Type, second.Content[0].Type);

        // A stop reason this client has never heard of, an escaped known one, and another model.
        var other = Read(Reply("claude-other", "model_context_window_exceeded", "prior\\u0069ty"));
        Assert.Equal("claude-other", other.Model);
        Assert.Equal("model_context_window_exceeded", other.StopReason);
        Assert.Equal("priority", other.Usage.ServiceTier);
        var escaped = Read(Reply("claude-\\u0074est-model", "end\\u005fturn", "standard"));
        Assert.Equal("claude-test-model", escaped.Model);
        Assert.Equal("end_turn", escaped.StopReason);

        // Stream event names: the API's are shared, another is read as it is.
        var frames = new List<ClaudePS.Engine.Streaming.SseFrame>();
        var parser = new ClaudePS.Engine.Streaming.SseParser();
        foreach (var sse in new[] { "event: message_stop\ndata: {}\n\n", "event: message_stop\ndata: {}\n\n", "event: future_event\ndata: {}\n\n" })
            parser.Feed(Encoding.UTF8.GetBytes(sse), frames);
        Assert.Same(frames[0].EventName, frames[1].EventName);
        Assert.Equal("future_event", frames[2].EventName);

        // The model id is remembered (the builder's own memory is process-wide, so test one of its own).
        var models = new KnownValues(remember: true);
        string ModelOf(string json)
        {
            var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            r.Read();
            return models.Value(ref r)!;
        }
        var a = ModelOf("\"claude-test-model\"");
        Assert.Same(a, ModelOf("\"claude-test-model\""));
        var b = ModelOf("\"claude-other\"");
        Assert.Equal("claude-other", b);
        Assert.NotSame(a, ModelOf("\"claude-test-model\""));
        Assert.Null(ModelOf("null"));
    }

    [Fact]
    public void A_whole_reply_is_read_whatever_the_order_of_its_properties()
    {
        const string input = "{\"path\":\"C:\\\\temp\\\\a \\\"b\\\".txt\",\"lines\":[1,2,{\"x\":null}],\"ok\":true}";
        var r = Read(
            "{\"usage\":{\"service_tier\":\"priority\",\"cache_creation\":{\"ephemeral_5m_input_tokens\":3,\"ephemeral_1h_input_tokens\":40}," +
            "\"server_tool_use\":{\"web_search_requests\":2},\"output_tokens\":7,\"cache_read_input_tokens\":11,\"cache_creation_input_tokens\":43,\"input_tokens\":5}," +
            "\"stop_sequence\":\"END\",\"content\":[" +
            "{\"signature\":\"sig==\",\"thinking\":\"Let me see.\",\"type\":\"thinking\"}," +
            "{\"data\":\"b3BhcXVl\",\"type\":\"redacted_thinking\"}," +
            "{\"citations\":[{\"type\":\"char_location\",\"cited_text\":\"x\"}],\"text\":\"Hello \",\"type\":\"text\"}," +
            "{\"input\":" + input + ",\"name\":\"read_file\",\"id\":\"toolu_1\",\"type\":\"tool_use\"}," +
            "{\"type\":\"text\",\"text\":\"world\"}]," +
            "\"future_field\":{\"nested\":[{\"deep\":[1,2,3]}]},\"stop_reason\":\"tool_use\",\"model\":\"claude-sonnet-4-5\",\"id\":\"msg_9\",\"type\":\"message\"}");

        Assert.Equal("Hello world", r.Text);
        Assert.Equal("Let me see.", r.Thinking);
        Assert.Equal("msg_9", r.MessageId);
        Assert.Equal("claude-sonnet-4-5", r.Model);
        Assert.Equal("tool_use", r.StopReason);
        Assert.Equal("END", r.StopSequence);
        var tool = Assert.Single(r.ToolUses);
        Assert.Equal("toolu_1", tool.Id);
        Assert.Equal("read_file", tool.Name);
        Assert.Equal(input, tool.InputJson); // the raw text, escapes and all
        Assert.Equal(new[] { "thinking", "redacted_thinking", "text", "tool_use", "text" }, r.Content.Select(b => b.Type));
        Assert.Equal("sig==", r.Content[0].Signature);
        Assert.Equal("b3BhcXVl", r.Content[1].Data);
        AssertUsage(r.Usage, input: 5, output: 7, cacheWrite: 43, cacheWrite1h: 40, cacheRead: 11, tier: "priority");
    }

    [Fact]
    public void Values_of_an_unexpected_kind_are_skipped_not_fatal()
    {
        var r = Read("{\"id\":42,\"model\":null,\"content\":[\"not a block\",{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":{\"odd\":1}," +
                     "\"usage\":{\"input_tokens\":\"12\",\"output_tokens\":3.5,\"cache_creation\":[1]}}");
        Assert.Equal("ok", r.Text);
        Assert.Null(r.MessageId);
        Assert.Equal("", r.Model);
        Assert.Null(r.StopReason);
        Assert.Equal(0, r.Usage.InputTokens);
        Assert.Equal(0, r.Usage.OutputTokens);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"message\"")]
    [InlineData("{\"id\":\"msg_1\",\"content\":[{\"type\":\"text\",\"text\":\"cut off")]
    public void A_reply_that_is_not_one_json_object_throws_JsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => new MessageBuilder().ReadMessage(Encoding.UTF8.GetBytes(json)));
    }

    private static string? Apply(MessageBuilder builder, string eventType, string data) => builder.Apply(eventType, Encoding.UTF8.GetBytes(data));

    [Fact]
    public void Stream_events_apply_when_their_index_comes_after_the_block_or_delta()
    {
        var b = new MessageBuilder();
        Apply(b, "message_start", "{\"message\":{\"usage\":{\"output_tokens\":1,\"input_tokens\":9},\"content\":[],\"model\":\"claude-haiku-4-5\",\"id\":\"msg_s\"},\"type\":\"message_start\"}");
        Assert.Null(Apply(b, "content_block_start", "{\"content_block\":{\"thinking\":\"\",\"type\":\"thinking\"},\"index\":0,\"type\":\"content_block_start\"}"));
        Assert.Null(Apply(b, "content_block_delta", "{\"delta\":{\"thinking\":\"Hmm.\",\"type\":\"thinking_delta\"},\"index\":0}"));
        Assert.Null(Apply(b, "content_block_delta", "{\"delta\":{\"signature\":\"s1\",\"type\":\"signature_delta\"},\"index\":0}"));
        Assert.Null(Apply(b, "content_block_start", "{\"content_block\":{\"input\":{},\"name\":\"lookup\",\"id\":\"toolu_2\",\"type\":\"tool_use\"},\"index\":2}"));
        Assert.Equal("Hi", Apply(b, "content_block_start", "{\"content_block\":{\"text\":\"Hi\",\"type\":\"text\"},\"index\":1}"));
        Assert.Equal(" there", Apply(b, "content_block_delta", "{\"delta\":{\"text\":\" there\",\"type\":\"text_delta\"},\"index\":1}"));
        Assert.Null(Apply(b, "content_block_delta", "{\"delta\":{\"partial_json\":\"{\\\"q\\\":\",\"type\":\"input_json_delta\"},\"index\":2}"));
        Assert.Null(Apply(b, "content_block_delta", "{\"delta\":{\"partial_json\":\"1}\",\"type\":\"input_json_delta\"},\"index\":2}"));
        Assert.Null(Apply(b, "ping", "not even json"));
        Assert.Null(Apply(b, "content_block_stop", "{\"index\":1}"));
        Apply(b, "message_delta", "{\"usage\":{\"output_tokens\":30},\"delta\":{\"stop_sequence\":null,\"stop_reason\":\"tool_use\"},\"type\":\"message_delta\"}");
        Assert.False(b.Stopped);
        Apply(b, "message_stop", "{\"type\":\"message_stop\"}");
        Assert.True(b.Stopped);

        var r = b.Build(null, null, TimeSpan.Zero, null, 1);
        Assert.Equal("Hi there", r.Text);
        Assert.Equal("Hmm.", r.Thinking);
        Assert.Equal("s1", r.Content[0].Signature);
        Assert.Equal("{\"q\":1}", Assert.Single(r.ToolUses).InputJson);
        Assert.Equal("msg_s", r.MessageId);
        Assert.Equal("tool_use", r.StopReason);
        Assert.Equal(9, r.Usage.InputTokens);
        Assert.Equal(30, r.Usage.OutputTokens);
    }

    [Fact]
    public void A_text_delta_costs_little_more_than_its_own_text()
    {
        // Every streamed delta goes through Apply, so anything it allocates besides the text itself is paid
        // a hundred times a reply. Session 5 found 184 B here: an error message built before any error, and
        // the delta's type read into a string.
        var b = new MessageBuilder();
        Apply(b, "content_block_start", "{\"content_block\":{\"text\":\"\",\"type\":\"text\"},\"index\":0}");
        var delta = Encoding.UTF8.GetBytes("{\"delta\":{\"text\":\"abc\",\"type\":\"text_delta\"},\"index\":0,\"type\":\"content_block_delta\"}");
        for (int i = 0; i < 100; i++) b.Apply("content_block_delta", delta);

        const int Deltas = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Deltas; i++) b.Apply("content_block_delta", delta);
        double perDelta = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Deltas;

        // The "abc" string is 32 B on 64-bit; the rest (8 B) is the block's text growing, amortised.
        Assert.True(perDelta < 48, $"{perDelta:0} B per delta");
        Assert.Equal(1100 * 3, b.Build(null, null, TimeSpan.Zero, null, 1).Text.Length);
    }

    [Fact]
    public async Task A_reply_that_is_not_a_json_object_is_an_InvalidResponse_error_with_its_request_id()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) =>
        {
            var res = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[\"not\",\"a\",\"message\"]", Encoding.UTF8, "application/json") };
            res.Headers.TryAddWithoutValidation("request-id", "req_array");
            return res;
        }, clock);
        using var c = TestConnections.Create(api, clock, o => o.Resilience.MaxRetries = 0);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(MessageRequest.ForPrompt("hi")));
        Assert.Equal("ClaudePS.InvalidResponse", ex.Error.ErrorId);
        Assert.Equal("req_array", ex.Error.RequestId);
        Assert.Contains("not a JSON object", ex.Error.Message);
    }

    [Fact]
    public async Task A_large_reply_is_read_whole_across_many_reads()
    {
        var clock = new TestClock();
        string text = new string('x', 200_000) + "é€😀";
        // Sent without a Content-Length, in pieces, so the buffer has to grow.
        string json = await FakeApi.Message(text).Content.ReadAsStringAsync();
        var api = new FakeApi((_, _) => FakeApi.Stream(json), clock);
        using var c = TestConnections.Create(api, clock);
        var r = await c.Client.CreateMessageAsync(MessageRequest.ForPrompt("hi"), new CallOptions { KeepRawJson = true });
        Assert.Equal(text, r.Text);
        Assert.Contains(text, r.RawJson);
        Assert.EndsWith("}}", r.RawJson);
    }
}
