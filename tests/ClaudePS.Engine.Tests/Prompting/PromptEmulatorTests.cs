using System.Collections;
using System.ComponentModel;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ModelCatalog = ClaudePS.Engine.Models.ModelCatalog;
using ClaudePS.Engine.Prompting;
using TokenCounter = ClaudePS.Engine.Prompting.TokenCounter;
using ClaudePS.Engine.Tests.Shared;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

/// <summary>The prompt features end to end against the in-process emulator on 127.0.0.1.</summary>
public sealed class PromptEmulatorTests : EmulatorConnectionTest
{
    public PromptEmulatorTests() : base("sk-ant-emulator-prompt-tests") { }

    public enum Severity { Low, High }

    public sealed class Finding
    {
        [Description("What is wrong")]
        public string Title { get; set; } = "";
        public Severity Severity { get; set; }
        public int? Line { get; set; }
        public List<string> Tags { get; set; } = new();
        public Location Where { get; set; } = new();
    }

    public sealed class Location
    {
        public string File { get; set; } = "";
        public DateTime Seen { get; set; }
    }

    private PromptRunner Runner => new(Connection);

    [Fact]
    public async Task OutputType_round_trips_through_a_schema_theServer_accepts()
    {
        var response = await Runner.RunAsync(new PromptOptions { Prompt = "Review this diff.", OutputType = typeof(Finding) }, new CollectingSink(), default);
        var finding = Assert.IsType<Finding>(response.Data);
        Assert.NotNull(finding.Where);
        Assert.NotNull(finding.Tags);
        Assert.StartsWith("{", response.Text.Trim());
    }

    [Fact]
    public async Task JsonSchema_gives_a_tree_with_the_required_properties()
    {
        var schema = JsonSchemaBuilder.FromDictionary(new System.Collections.Specialized.OrderedDictionary
        {
            ["type"] = "object",
            ["properties"] = new Hashtable { ["answer"] = new Hashtable { ["type"] = "string" }, ["confidence"] = new Hashtable { ["type"] = "number" } },
            ["required"] = new[] { "answer", "confidence" },
            ["additionalProperties"] = false,
        });
        var response = await Runner.RunAsync(new PromptOptions { Prompt = "Is 7 prime?", JsonSchema = schema, Stream = true }, new CollectingSink(), default);
        var tree = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(response.Data);
        Assert.Contains(tree, kv => kv.Key == "answer" && kv.Value is string);
        Assert.Contains(tree, kv => kv.Key == "confidence" && kv.Value is long or double);
    }

    [Fact]
    public async Task A_conversation_with_thinking_continues_and_the_history_is_read_from_the_cache()
    {
        var conversation = Conversations.Create("You are a patient tutor. " + new string('x', 10), "claude-sonnet-4-5");
        string context = string.Join(" ", Enumerable.Repeat("The mitochondria is the powerhouse of the cell.", 400));
        var first = await Runner.RunAsync(new PromptOptions { Prompt = context + " Explain.", Conversation = conversation, ThinkingBudget = 1024, MaxTokens = 3000, Stream = true }, new CollectingSink(), default);
        Assert.False(string.IsNullOrEmpty(first.Thinking));
        Assert.DoesNotContain(first.Thinking!, first.Text);
        Assert.True(first.Usage.CacheWriteTokens > 0, "the long first turn is written to the cache");

        var second = await Runner.RunAsync(new PromptOptions { Prompt = "Shorter, please.", Conversation = conversation, ThinkingBudget = 1024, MaxTokens = 3000 }, new CollectingSink(), default);
        Assert.True(second.Usage.CacheReadTokens > 0, "the second turn reads the history from the cache");
        Assert.Equal(4, conversation.Messages.Count);
        Assert.Equal("thinking", conversation.Messages[1].Content[0].Type);
        Assert.False(string.IsNullOrEmpty(conversation.Messages[1].Content[0].Signature));
        Assert.Equal(first.Usage.InputTokens + second.Usage.InputTokens, conversation.TotalUsage.InputTokens);

        // Export, import and continue: the restored conversation is accepted as history.
        var restored = Conversations.FromJson(Conversations.ToJson(conversation));
        var third = await Runner.RunAsync(new PromptOptions { Prompt = "Thanks!", Conversation = restored }, new CollectingSink(), default);
        Assert.False(string.IsNullOrEmpty(third.Text));
        Assert.Equal(6, restored.Messages.Count);
    }

    [Fact]
    public async Task CacheSystemPrompt_writes_once_and_reads_on_the_next_call()
    {
        string system = "Classify the ticket. " + string.Join(" ", Enumerable.Repeat("Rule: be precise and cite the policy.", 300));
        var a = await Runner.RunAsync(new PromptOptions { Prompt = "Printer on fire", System = system, CacheSystemPrompt = true, CacheTtl = "1h" }, new CollectingSink(), default);
        var b = await Runner.RunAsync(new PromptOptions { Prompt = "VPN is slow", System = system, CacheSystemPrompt = true, CacheTtl = "1h" }, new CollectingSink(), default);
        Assert.True(a.Usage.CacheWrite1hTokens > 0);
        Assert.Equal(0, a.Usage.CacheReadTokens);
        Assert.True(b.Usage.CacheReadTokens > 0);
        Assert.Equal(0, b.Usage.CacheWriteTokens);
    }

    [Fact]
    public async Task An_image_attachment_is_accepted_and_counted()
    {
        var path = Path.Combine(Path.GetTempPath(), "claudeps-" + Guid.NewGuid().ToString("N") + ".bin");
        var png = new byte[20_000];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        File.WriteAllBytes(path, png);
        try
        {
            var withImage = await new TokenCounter(Connection).CountAsync(new PromptOptions { Prompt = "Describe it.", Attachments = new[] { path } }, new CollectingSink(), default);
            var without = await new TokenCounter(Connection).CountAsync(new PromptOptions { Prompt = "Describe it." }, new CollectingSink(), default);
            Assert.True(withImage.InputTokens > without.InputTokens);
            var reply = await Runner.RunAsync(new PromptOptions { Prompt = "Describe it.", Attachments = new[] { path } }, new CollectingSink(), default);
            Assert.False(string.IsNullOrEmpty(reply.Text));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task The_models_list_and_one_model_come_from_the_endpoint()
    {
        var models = await ModelCatalog.ListAsync(Connection, refresh: true);
        Assert.Contains(models, m => m.Id == "claude-sonnet-4-5-20250929");
        var one = await ModelCatalog.GetAsync(Connection, models[0].Id);
        Assert.Equal(models[0].DisplayName, one.DisplayName);
        Assert.Equal("ClaudePS.ModelNotFound", (await Assert.ThrowsAsync<ClaudeException>(() => ModelCatalog.GetAsync(Connection, "claude-nonexistent-1"))).Error.ErrorId);
    }
}
