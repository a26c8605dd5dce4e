using System.Net;
using System.Text.Json;
using ClaudePS.Engine.Prompting;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

public sealed class ConversationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("claudeps-conv-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A streamed reply with a thinking block (text + signature in deltas) and a text block.
    private static string ThinkingStream(string thinking, string signature, string text) =>
        Frame("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"usage\":{\"input_tokens\":40,\"output_tokens\":1,\"cache_read_input_tokens\":7}}}") +
        Frame("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}") +
        Frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":" + JsonSerializer.Serialize(thinking) + "}}") +
        Frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"" + signature + "\"}}") +
        Frame("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}") +
        Frame("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") +
        Frame("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":" + JsonSerializer.Serialize(text) + "}}") +
        Frame("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}") +
        Frame("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":30}}") +
        Frame("message_stop", "{\"type\":\"message_stop\"}");

    private static string Frame(string name, string data) => $"event: {name}\ndata: {data}\n\n";

    [Fact]
    public async Task Each_turn_sends_the_history_and_appends_the_reply_with_its_signed_thinking()
    {
        int turn = 0;
        var api = new FakeApi((_, _) => ++turn == 1
            ? (HttpStatusCode.OK, ThinkingStream("Let me think.", "sig_AAA", "Paris."), "text/event-stream")
            : (HttpStatusCode.OK, FakeApi.TextMessage("About 2.1 million."), null));
        using var connection = api.Connect();
        var conversation = Conversations.Create("You are terse.", "claude-opus-4-5");
        var runner = new PromptRunner(connection);

        var first = await runner.RunAsync(new PromptOptions { Prompt = "Capital of France?", Conversation = conversation, Stream = true, ThinkingBudget = 2048, MaxTokens = 4096 }, new CollectingSink(), default);
        Assert.Equal("Paris.", first.Text);
        Assert.Equal("Let me think.", first.Thinking);
        var second = await runner.RunAsync(new PromptOptions { Prompt = "Population?", Conversation = conversation, ThinkingBudget = 2048, MaxTokens = 4096 }, new CollectingSink(), default);
        Assert.Equal("About 2.1 million.", second.Text);

        var bodies = api.Bodies();
        Assert.Equal("claude-opus-4-5", bodies[1].GetProperty("model").GetString());
        Assert.Equal("You are terse.", bodies[1].GetProperty("system").GetString());
        var sent = bodies[1].GetProperty("messages");
        Assert.Equal(3, sent.GetArrayLength());
        var thinking = sent[1].GetProperty("content")[0];
        Assert.Equal("thinking", thinking.GetProperty("type").GetString());
        Assert.Equal("Let me think.", thinking.GetProperty("thinking").GetString());
        Assert.Equal("sig_AAA", thinking.GetProperty("signature").GetString());
        Assert.Equal("Paris.", sent[1].GetProperty("content")[1].GetProperty("text").GetString());
        Assert.Equal(2048, bodies[1].GetProperty("thinking").GetProperty("budget_tokens").GetInt32());

        Assert.Equal(4, conversation.Messages.Count);
        Assert.Equal(new[] { "user", "assistant", "user", "assistant" }, conversation.Messages.Select(m => m.Role));
        Assert.Equal(50, conversation.TotalUsage.InputTokens);
        Assert.Equal(35, conversation.TotalUsage.OutputTokens);
        Assert.Equal(7, conversation.TotalUsage.CacheReadTokens);
    }

    [Fact]
    public async Task A_failed_turn_leaves_the_conversation_unchanged()
    {
        var api = new FakeApi((_, _) => (HttpStatusCode.BadRequest, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}", null));
        using var connection = api.Connect();
        var conversation = Conversations.Create(null, null);
        await Assert.ThrowsAsync<ClaudeException>(() => new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "x", Conversation = conversation }, new CollectingSink(), default));
        Assert.Empty(conversation.Messages);
    }

    [Fact]
    public async Task Cache_breakpoints_placed_on_a_turn_are_not_stored_in_the_conversation()
    {
        var api = new FakeApi((_, _) => (HttpStatusCode.OK, FakeApi.TextMessage("ok"), null));
        using var connection = api.Connect();
        var conversation = Conversations.Create(null, null);
        await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = new string('w', 20_000), Conversation = conversation }, new CollectingSink(), default);
        Assert.True(api.Bodies()[0].GetProperty("messages")[0].GetProperty("content")[0].TryGetProperty("cache_control", out _));
        Assert.All(conversation.Messages.SelectMany(m => m.Content), b => Assert.Null(b.CacheTtl));
    }

    [Fact]
    public void Export_then_import_gives_the_same_conversation()
    {
        var c = Conversations.Create("sys", "claude-haiku-4-5");
        c.Messages.Add(new ClaudeMessage("user", "héllo 🌍"));
        c.Messages[0].Content.Add(ClaudeContentBlock.FromBase64("image", "image/png", "iVBORw0KGgo="));
        c.Messages.Add(new ClaudeMessage { Role = "assistant", Content = { new ClaudeContentBlock { Type = "thinking", Text = "hmm", Signature = "sig" }, ClaudeContentBlock.FromText("hi") } });
        c.TotalUsage = new ClaudeUsage { InputTokens = 3, OutputTokens = 4, CacheWriteTokens = 5, CacheWrite1hTokens = 2, CacheReadTokens = 6, ServiceTier = "standard" };
        var path = Path.Combine(_dir, "chat.json");
        Conversations.Save(c, path);
        Conversations.Save(c, path); // overwriting works too

        var back = Conversations.Load(path);
        Assert.Equal(c.Id, back.Id);
        Assert.Equal("sys", back.System);
        Assert.Equal("claude-haiku-4-5", back.Model);
        Assert.Equal(c.CreatedAt, back.CreatedAt);
        Assert.Equal(Conversations.ToJson(c), Conversations.ToJson(back));
        Assert.Equal("sig", back.Messages[1].Content[0].Signature);
        Assert.Equal("image/png", back.Messages[0].Content[1].MediaType);
        Assert.Equal(6, back.TotalUsage.CacheReadTokens);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Theory]
    [InlineData("{\"messages\":[]}", "not a ClaudePS conversation")]
    [InlineData("{\"format\":\"ClaudePS.Conversation\",\"version\":99}", "newer ClaudePS")]
    [InlineData("{\"format\":\"ClaudePS.Conversation\",\"version\":1,\"messages\":[{\"role\":\"system\"}]}", "role 'system'")]
    [InlineData("not json", "not valid JSON")]
    public void Foreign_or_future_files_are_refused_with_a_reason(string json, string reason)
    {
        var ex = Assert.Throws<ClaudeException>(() => Conversations.FromJson(json, "x.json"));
        Assert.Equal("ClaudePS.InvalidConversationFile", ex.Error.ErrorId);
        Assert.Contains(reason, ex.Message);
        Assert.Contains("x.json", ex.Message);
    }

    [Fact]
    public void Loading_a_missing_file_is_object_not_found() =>
        Assert.Equal("ClaudePS.ConversationNotFound", Assert.Throws<ClaudeException>(() => Conversations.Load(Path.Combine(_dir, "none.json"))).Error.ErrorId);
}
