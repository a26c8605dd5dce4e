using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Tests.Http;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

/// <summary>
/// A response-cache hit is the reply it stands for: the same content blocks (thinking with its signature,
/// redacted thinking, text, tool use), so a conversation continued from a hit has the same history as one
/// continued from the fresh reply; and no hit shares mutable state with the cache entry or another hit.
/// </summary>
public sealed class CacheHitContentTests
{
    private const string Blocks =
        "[{\"type\":\"thinking\",\"thinking\":\"The user wants the weather.\",\"signature\":\"sig_weather_1\"}," +
        "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP\"}," +
        "{\"type\":\"text\",\"text\":\"Let me look that up.\"}," +
        "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\",\"days\":2}}]";

    private static HttpResponseMessage Reply()
    {
        var json = "{\"id\":\"msg_c1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":" + Blocks +
                   ",\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":40}}";
        var res = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        res.Headers.TryAddWithoutValidation("request-id", "req_cache_1");
        return res;
    }

    private static (ClaudePS.Engine.Connections.ClaudeConnection Connection, FakeApi Api) Cached()
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => Reply(), clock);
        return (TestConnections.Create(api, clock, o => { o.Resilience.CacheTtl = TimeSpan.FromMinutes(5); o.AnthropicVersion = ClaudePS.Engine.Connections.ApiVersion.Legacy; }), api);
    }

    private static string Describe(IEnumerable<ClaudeContentBlock> blocks) =>
        string.Join("\n", blocks.Select(b => $"{b.Type}|{b.Text}|{b.Data}|{b.Signature}|{b.ToolUseId}|{b.ToolName}|{b.InputJson}|{b.MediaType}|{b.CacheTtl}"));

    private static string History(ClaudeConversation c) =>
        string.Join("\n---\n", c.Messages.Select(m => m.Role + "\n" + Describe(m.Content)));

    [Fact]
    public async Task A_hit_carries_the_replys_blocks_and_continues_a_conversation_exactly_as_the_reply_did()
    {
        var (connection, api) = Cached();
        using var _ = connection;
        var runner = new PromptRunner(connection);
        var fresh = Conversations.Create(null, null);
        var fromCache = Conversations.Create(null, null);

        var original = await runner.RunAsync(new PromptOptions { Prompt = "Weather in Oslo?", Temperature = 0, Conversation = fresh }, new CollectingSink(), default);
        var hit = await runner.RunAsync(new PromptOptions { Prompt = "Weather in Oslo?", Temperature = 0, Conversation = fromCache }, new CollectingSink(), default);

        Assert.False(original.FromCache);
        Assert.True(hit.FromCache);
        Assert.Equal(1, api.Count);
        Assert.Equal(new[] { "thinking", "redacted_thinking", "text", "tool_use" }, hit.Content.Select(b => b.Type));
        Assert.Equal(Describe(original.Content), Describe(hit.Content));
        Assert.Equal(original.Thinking, hit.Thinking);
        Assert.Equal(original.Text, hit.Text);
        Assert.Equal(original.ToolUses.Select(t => (t.Id, t.Name, t.InputJson)), hit.ToolUses.Select(t => (t.Id, t.Name, t.InputJson)));
        Assert.Equal("tool_use", hit.StopReason);

        // Same history either way: thinking keeps its signature, redacted thinking its data, the tool call its input.
        Assert.Equal(History(fresh), History(fromCache));
        var reply = fromCache.Messages[1];
        Assert.Equal("sig_weather_1", reply.Content.Single(b => b.Type == "thinking").Signature);
        Assert.Contains(reply.Content, b => b.Type == "redacted_thinking" && b.Data!.StartsWith("EmwKAhgB", StringComparison.Ordinal));
    }

    [Fact]
    public void Changing_a_hit_never_changes_the_cache_entry_or_the_next_hit()
    {
        var stored = Fresh();
        var first = ResponseCache.AsHit(stored, TimeSpan.FromMilliseconds(1));
        string before = Describe(stored.Content);

        first.Content[0].Text = "edited";
        first.Content[1].Data = "edited";
        ((List<ClaudeContentBlock>)first.Content).Clear();
        ((List<ClaudeToolUse>)first.ToolUses).Clear();
        ((Dictionary<string, int>)first.Redactions)["Email"] = 99;

        var second = ResponseCache.AsHit(stored, TimeSpan.FromMilliseconds(1));
        Assert.Equal(before, Describe(stored.Content));
        Assert.Equal(before, Describe(second.Content));
        Assert.Single(second.ToolUses);
        Assert.Equal(1, second.Redactions["Email"]);
        Assert.NotSame(stored.Content[0], second.Content[0]);
    }

    /// <summary>Guards against the next field added to ClaudeResponse being forgotten by the cache: every
    /// public property of a hit equals the reply's, except those a hit sets on purpose.</summary>
    [Fact]
    public void A_hit_copies_every_property_except_the_ones_that_describe_the_call()
    {
        var exempt = new HashSet<string>
        {
            nameof(ClaudeResponse.Duration), nameof(ClaudeResponse.TimeToFirstToken), nameof(ClaudeResponse.Attempts),
            nameof(ClaudeResponse.FromCache), nameof(ClaudeResponse.CostUsd), // a hit is not billed
            nameof(ClaudeResponse.Data), nameof(ClaudeResponse.Input),       // set per call after the client returns
            nameof(ClaudeResponse.ToolCalls), nameof(ClaudeResponse.Turns), nameof(ClaudeResponse.ToolLoopStatus), // the prompt's tool loop, set by the runner
        };
        var stored = Fresh();
        var hit = ResponseCache.AsHit(stored, TimeSpan.FromMilliseconds(3));
        foreach (var p in typeof(ClaudeResponse).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (exempt.Contains(p.Name)) continue;
            var want = JsonSerializer.Serialize(p.GetValue(stored));
            Assert.False(want is "null" or "[]" or "{}" or "\"\"", $"the test reply should set {p.Name}");
            Assert.True(want == JsonSerializer.Serialize(p.GetValue(hit)), $"a cache hit lost or changed {p.Name}");
        }
        Assert.True(hit.FromCache);
        Assert.Equal(0, hit.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(3), hit.Duration);
    }

    private static ClaudeResponse Fresh()
    {
        var blocks = new List<ClaudeContentBlock>
        {
            new() { Type = "thinking", Text = "Think.", Signature = "sig_1" },
            new() { Type = "redacted_thinking", Data = "RW5jcnlwdGVk" },
            ClaudeContentBlock.FromText("Answer with a@example.com."),
            new() { Type = "tool_use", ToolUseId = "toolu_1", ToolName = "run", InputJson = "{\"x\":1}" },
        };
        return new ClaudeResponse
        {
            Text = "Answer with a@example.com.",
            Thinking = "Think.",
            Model = "claude-sonnet-4-5",
            StopReason = "tool_use",
            StopSequence = "END",
            Usage = new ClaudeUsage { InputTokens = 3, OutputTokens = 4 },
            MessageId = "msg_1",
            RequestId = "req_1",
            Endpoint = "http://127.0.0.1:9001/",
            ToolUses = new List<ClaudeToolUse> { new() { Id = "toolu_1", Name = "run", InputJson = "{\"x\":1}" } },
            Redactions = new Dictionary<string, int> { ["Email"] = 1 },
            Content = blocks,
            RawJson = "{\"id\":\"msg_1\"}",
        };
    }
}
