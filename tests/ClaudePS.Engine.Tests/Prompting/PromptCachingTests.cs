using System.Text.Json;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

public class PromptCachingTests
{
    private static MessageRequest Request(string prompt, string model = "claude-sonnet-4-5", string? system = null)
    {
        var r = MessageRequest.ForPrompt(prompt, model);
        r.System = system;
        return r;
    }

    private static JsonElement Body(MessageRequest r) => JsonDocument.Parse(MessageRequestWriter.Write(r, stream: false)).RootElement;

    [Fact]
    public void CacheSystemPrompt_marks_the_system_block_with_the_chosen_ttl()
    {
        var r = Request("hi", system: "You triage tickets.");
        PromptCaching.Apply(r, new PromptOptions { CacheSystemPrompt = true, CacheTtl = "1h" }, inConversation: false);
        var system = Body(r).GetProperty("system")[0];
        Assert.Equal("You triage tickets.", system.GetProperty("text").GetString());
        Assert.Equal("ephemeral", system.GetProperty("cache_control").GetProperty("type").GetString());
        Assert.Equal("1h", system.GetProperty("cache_control").GetProperty("ttl").GetString());
    }

    [Fact]
    public void CacheSystemPrompt_without_a_system_prompt_is_an_error()
    {
        var ex = Assert.Throws<ClaudeException>(() => PromptCaching.Apply(Request("hi"), new PromptOptions { CacheSystemPrompt = true }, false));
        Assert.Contains("-System", ex.Message);
    }

    [Fact]
    public void A_short_single_prompt_gets_no_breakpoint()
    {
        var r = Request("What is 2+2?");
        PromptCaching.Apply(r, new PromptOptions(), inConversation: false);
        Assert.Equal(JsonValueKind.String, Body(r).GetProperty("messages")[0].GetProperty("content").ValueKind);
    }

    [Fact]
    public void A_long_single_prompt_gets_a_breakpoint_on_its_block()
    {
        var r = Request(new string('a', PromptCaching.LargeBlockTokens * 4 + 100));
        PromptCaching.Apply(r, new PromptOptions(), inConversation: false);
        var block = Body(r).GetProperty("messages")[0].GetProperty("content")[0];
        Assert.Equal("ephemeral", block.GetProperty("cache_control").GetProperty("type").GetString());
        Assert.False(block.GetProperty("cache_control").TryGetProperty("ttl", out _)); // 5m is the API default
    }

    [Fact]
    public void With_a_document_first_and_the_question_last_the_document_carries_the_breakpoint()
    {
        var r = Request("Summarise section 3.", model: "claude-opus-4-5");
        r.Messages[0].Content.Insert(0, ClaudeContentBlock.FromBase64("document", "application/pdf", new string('A', 400_000)));
        PromptCaching.Apply(r, new PromptOptions(), inConversation: false);
        Assert.Equal("5m", r.Messages[0].Content[0].CacheTtl);
        Assert.Null(r.Messages[0].Content[1].CacheTtl);
    }

    [Fact]
    public void In_a_conversation_the_new_turn_is_marked_once_the_prompt_reaches_the_minimum()
    {
        var r = Request("And then?");
        r.Messages.InsertRange(0, new[] { new ClaudeMessage("user", new string('q', 3000)), new ClaudeMessage("assistant", new string('r', 3000)) });
        PromptCaching.Apply(r, new PromptOptions(), inConversation: true);
        Assert.Equal("5m", r.Messages[2].Content[^1].CacheTtl);
        Assert.Equal("5m", r.Messages[0].Content[^1].CacheTtl); // where the previous turn wrote its entry
        Assert.Null(r.Messages[1].Content[^1].CacheTtl);

        var small = Request("And then?");
        small.Messages.InsertRange(0, new[] { new ClaudeMessage("user", "hi"), new ClaudeMessage("assistant", "hello") });
        PromptCaching.Apply(small, new PromptOptions(), inConversation: true);
        Assert.Null(small.Messages[2].Content[^1].CacheTtl);
    }

    [Fact]
    public void NoAutoCache_places_no_breakpoint()
    {
        var r = Request(new string('a', 100_000));
        PromptCaching.Apply(r, new PromptOptions { AutoCacheBreakpoints = false }, inConversation: false);
        Assert.Null(r.Messages[0].Content[0].CacheTtl);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", 1024)]
    [InlineData("claude-opus-4-1-20250805", 1024)]
    [InlineData("claude-haiku-4-5", 4096)]
    [InlineData("claude-opus-4-6", 4096)]
    public void Minimum_cacheable_length_follows_the_model_family(string model, int minimum) =>
        Assert.Equal(minimum, PromptCaching.MinimumCacheableTokens(model));
}
