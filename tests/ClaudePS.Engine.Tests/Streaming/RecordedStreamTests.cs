using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Streaming;

/// <summary>
/// Streams recorded from the documented event shapes (Recordings/*.sse) replayed through the engine: every block
/// is kept on .Content (the ones the engine does not model as they came), citations deltas are kept, cut-off tool
/// input is recovered, and pause_turn / refusal are handled as the docs describe.
/// </summary>
public class RecordedStreamTests
{
    private static string Recording(string name, [CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "Recordings", name));

    private static (Connections.ClaudeConnection Connection, FakeApi Api) Replaying(params string[] recordings)
    {
        var clock = new TestClock();
        var api = new FakeApi((_, i) => FakeApi.Stream(Recording(recordings[Math.Min(i, recordings.Length - 1)])), clock);
        return (TestConnections.Create(api, clock, o => o.DefaultModel = "claude-sonnet-5-5"), api);
    }

    private static async Task<ClaudeResponse> Stream(string recording)
    {
        var (c, _) = Replaying(recording);
        using (c) return await c.Client.StreamMessageAsync(MessageRequest.ForPrompt("q"), null);
    }

    private static JsonElement Sent(FakeApi api, int index) => JsonDocument.Parse(api.Seen.ElementAt(index).Body).RootElement;

    [Fact]
    public async Task Server_tool_blocks_and_citations_are_kept_in_order()
    {
        var r = await Stream("web-search-citations.sse");
        Assert.Equal(new[] { "text", "server_tool_use", "web_search_tool_result", "text" }, r.Content.Select(b => b.Type));
        Assert.Equal("I'll look that up.High tide is at 06:12.", r.Text);

        var call = JsonDocument.Parse(r.Content[1].RawJson!).RootElement;
        Assert.Equal("srvtoolu_rec01", call.GetProperty("id").GetString());
        Assert.Equal("harbour tide tables", call.GetProperty("input").GetProperty("query").GetString()); // input_json_delta joined

        var result = JsonDocument.Parse(r.Content[2].RawJson!).RootElement;
        Assert.Equal("RW5jcnlwdGVkUGFnZQ==", result.GetProperty("content")[0].GetProperty("encrypted_content").GetString());

        var citations = JsonDocument.Parse(r.Content[3].CitationsJson!).RootElement;
        Assert.Equal("web_search_result_location", citations[0].GetProperty("type").GetString());
        Assert.Equal("RW5jSW5kZXg=", citations[0].GetProperty("encrypted_index").GetString());
        Assert.Equal("end_turn", r.StopReason);
    }

    [Fact]
    public async Task A_conversation_sends_the_unmodelled_blocks_and_citations_back_unchanged()
    {
        var (c, api) = Replaying("web-search-citations.sse", "refusal.sse");
        using var _ = c;
        var conversation = Conversations.Create(null, "claude-sonnet-5-5");
        var runner = new PromptRunner(c);
        await runner.RunAsync(new PromptOptions { Prompt = "When is high tide?", Conversation = conversation, Stream = true, AutoCacheBreakpoints = false }, NullOutputSink.Instance, default);
        await runner.RunAsync(new PromptOptions { Prompt = "And tomorrow?", Conversation = conversation, Stream = true, AutoCacheBreakpoints = false }, NullOutputSink.Instance, default);

        var history = Sent(api, 1).GetProperty("messages");
        Assert.Equal(3, history.GetArrayLength());
        var assistant = history[1].GetProperty("content");
        Assert.Equal(new[] { "text", "server_tool_use", "web_search_tool_result", "text" }, assistant.EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("harbour tide tables", assistant[1].GetProperty("input").GetProperty("query").GetString());
        Assert.Equal("https://example.org/tides", assistant[2].GetProperty("content")[0].GetProperty("url").GetString());
        Assert.Equal("RW5jSW5kZXg=", assistant[3].GetProperty("citations")[0].GetProperty("encrypted_index").GetString());
    }

    [Fact]
    public async Task A_compaction_block_keeps_its_summary_and_encrypted_content()
    {
        var r = await Stream("compaction.sse");
        Assert.Equal(new[] { "compaction", "text" }, r.Content.Select(b => b.Type));
        var block = JsonDocument.Parse(r.Content[0].RawJson!).RootElement;
        Assert.Equal("Summary: the user is planning harbour works.", block.GetProperty("content").GetString());
        Assert.Equal("Q29tcGFjdGVk", block.GetProperty("encrypted_content").GetString());
        Assert.Equal("Summary: the user is planning harbour works.", r.Content[0].Text);
        Assert.Equal("Continuing from the summary.", r.Text);
    }

    [Fact]
    public async Task A_fallback_block_is_kept_and_the_reply_is_labelled_with_the_model_that_answered()
    {
        var r = await Stream("fallback.sse");
        Assert.Equal("fallback", r.Content[0].Type);
        Assert.Equal("claude-fable-5-1", JsonDocument.Parse(r.Content[0].RawJson!).RootElement.GetProperty("from").GetProperty("model").GetString());
        Assert.Equal("claude-opus-5-5", r.Model);
        Assert.Equal("Here is the answer from the fallback model.", r.Text);
    }

    [Fact]
    public async Task Tool_input_cut_off_by_max_tokens_is_recovered_as_a_partial_object_and_marked_incomplete()
    {
        var r = await Stream("incomplete-tool-input.sse");
        Assert.Equal("max_tokens", r.StopReason);
        var tool = Assert.Single(r.ToolUses);
        Assert.True(tool.InputIncomplete);
        var input = JsonDocument.Parse(tool.InputJson).RootElement;
        Assert.Equal("Crane 4 hydraulics", input.GetProperty("title").GetString());
        Assert.Equal(new[] { "urgent", "docks" }, input.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, input.GetProperty("priority").GetInt32());
        Assert.Equal("Leak at the ma", input.GetProperty("notes").GetString());
        Assert.Equal(tool.InputJson, r.Content[0].InputJson); // what a conversation would send back is valid JSON
    }

    [Theory]
    [InlineData("{\"a\": \"x", "{\"a\": \"x\"}")]
    [InlineData("{\"a\": 1, \"b", "{\"a\": 1}")]
    [InlineData("{\"a\": 1, \"b\":", "{\"a\": 1}")]
    [InlineData("{\"a\": [1, 2", "{\"a\": [1, 2]}")]
    [InlineData("{\"a\": {\"b\": tru", "{\"a\": {}}")]
    [InlineData("{\"a\": \"ends with \\", "{\"a\": \"ends with \"}")]
    [InlineData("{\"ok\": true}", "{\"ok\": true}")]
    [InlineData("", null)]
    public void Partial_json_keeps_every_complete_value(string partial, string? expected) =>
        Assert.Equal(expected, PartialJson.CompleteObject(partial));

    [Fact]
    public async Task A_paused_turn_is_sent_back_to_continue_and_the_history_keeps_both_parts()
    {
        var (c, api) = Replaying("pause-turn.sse", "web-search-citations.sse", "refusal.sse");
        using var _ = c;
        var conversation = Conversations.Create(null, "claude-sonnet-5-5");
        var sink = new CollectingSink();
        var r = await new PromptRunner(c).RunAsync(new PromptOptions { Prompt = "Ferry times?", Conversation = conversation, Stream = true, AutoCacheBreakpoints = false }, sink, default);

        Assert.Equal(2, api.Count);
        Assert.Equal("end_turn", r.StopReason);
        var resent = Sent(api, 1).GetProperty("messages");
        Assert.Equal(new[] { "user", "assistant" }, resent.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("server_tool_use", resent[1].GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Contains(sink.Verbose, v => v.Contains("pause_turn"));
        Assert.Equal(2, conversation.Messages.Count);
        Assert.Equal("server_tool_use", conversation.Messages[1].Content[0].Type);
        Assert.Equal(5, conversation.Messages[1].Content.Count);
        // The reply counts both requests: 900 + 2100 input, 20 + 95 output tokens.
        Assert.Equal(3000, r.Usage.InputTokens);
        Assert.Equal(115, r.Usage.OutputTokens);
    }

    [Fact]
    public async Task Paused_content_goes_back_to_the_API_as_it_came_and_into_the_conversation_redacted()
    {
        const string key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";
        var clock = new TestClock();
        var recordings = new[] { Recording("pause-turn.sse").Replace("ferry timetable", key), Recording("web-search-citations.sse") };
        var api = new FakeApi((_, i) => FakeApi.Stream(recordings[Math.Min(i, 1)]), clock);
        using var c = TestConnections.Create(api, clock, o => o.DefaultModel = "claude-sonnet-5-5");
        var conversation = Conversations.Create(null, "claude-sonnet-5-5");
        await new PromptRunner(c).RunAsync(new PromptOptions { Prompt = "Ferry times?", Conversation = conversation, Stream = true, AutoCacheBreakpoints = false }, new CollectingSink(), default);

        Assert.Contains(key, Sent(api, 1).GetProperty("messages")[1].GetRawText());
        Assert.DoesNotContain(key, Conversations.ToJson(conversation));
    }

    [Fact]
    public async Task A_refused_turn_warns_and_stays_out_of_the_conversation()
    {
        var (c, _) = Replaying("refusal.sse");
        using var scope = c;
        var conversation = Conversations.Create(null, "claude-sonnet-5-5");
        var sink = new CollectingSink();
        var r = await new PromptRunner(c).RunAsync(new PromptOptions { Prompt = "Something refused", Conversation = conversation, Stream = true }, sink, default);
        Assert.Equal("refusal", r.StopReason);
        Assert.Equal("I can", r.Text);
        Assert.Empty(conversation.Messages);
        Assert.Contains(sink.Warnings, w => w.Contains("refusal") && w.Contains("not added to the conversation"));
    }

    [Fact]
    public void A_whole_reply_keeps_unmodelled_blocks_and_citations_too()
    {
        var builder = new MessageBuilder();
        builder.ReadMessage(Encoding.UTF8.GetBytes("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-5-5","stop_reason":"end_turn",
             "content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},
                        {"type":"text","text":"Cited.","citations":[{"type":"char_location","cited_text":"C","document_index":0,"start_char_index":0,"end_char_index":1}]},
                        {"type":"future_block","payload":{"x":[1,2]}}],
             "usage":{"input_tokens":5,"output_tokens":2}}
            """));
        var r = builder.Build("req_1", null, TimeSpan.Zero, null, 1);
        Assert.Equal(new[] { "server_tool_use", "text", "future_block" }, r.Content.Select(b => b.Type));
        Assert.Equal("{\"x\":[1,2]}", JsonDocument.Parse(r.Content[2].RawJson!).RootElement.GetProperty("payload").GetRawText());
        Assert.True(r.Content[1].HasCitations);
        Assert.Equal("Cited.", r.Text);
    }
}
