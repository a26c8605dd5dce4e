using System.Net;
using System.Text.Json;
using ClaudePS.Engine.Prompting;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

public class PromptRunnerFeatureTests
{
    public sealed class Triage
    {
        public string Team { get; set; } = "";
        public int Severity { get; set; }
    }

    private static FakeApi Replying(string message) => new((_, _) => (HttpStatusCode.OK, message, null));

    [Fact]
    public async Task OutputType_sends_the_types_schema_and_puts_the_typed_result_on_Data()
    {
        var api = Replying(FakeApi.TextMessage("{\"team\":\"network\",\"severity\":2}"));
        using var connection = api.Connect();
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "VPN down", OutputType = typeof(Triage) }, new CollectingSink(), default);
        var data = Assert.IsType<Triage>(response.Data);
        Assert.Equal("network", data.Team);
        Assert.Equal(2, data.Severity);
        var schema = api.Bodies()[0].GetProperty("output_config").GetProperty("format").GetProperty("schema");
        Assert.Equal("integer", schema.GetProperty("properties").GetProperty("Severity").GetProperty("type").GetString());
    }

    [Fact]
    public async Task JsonSchema_puts_a_plain_tree_on_Data()
    {
        var api = Replying(FakeApi.TextMessage("{\"ok\":true,\"n\":3}"));
        using var connection = api.Connect();
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "x", JsonSchema = "{\"type\":\"object\"}" }, new CollectingSink(), default);
        var tree = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(response.Data);
        Assert.Equal(new KeyValuePair<string, object?>("n", 3L), tree[1]);
    }

    [Fact]
    public async Task An_unparsable_structured_reply_fails_with_the_raw_text_and_the_input_as_target()
    {
        var api = Replying(FakeApi.TextMessage("I cannot do JSON today."));
        using var connection = api.Connect();
        var row = new { Prompt = "x" };
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => new PromptRunner(connection).RunAsync(
            new PromptOptions { Prompt = "x", OutputType = typeof(Triage), Input = row }, new CollectingSink(), default));
        Assert.Equal("ClaudePS.InvalidStructuredOutput", ex.Error.ErrorId);
        Assert.Equal("I cannot do JSON today.", ex.Error.PartialText);
        Assert.Same(row, ex.Error.Target);
        Assert.Equal("req_fake_1", ex.Error.RequestId);
    }

    [Fact]
    public async Task Thinking_stays_out_of_Text_and_adaptive_thinking_is_sent_as_such()
    {
        var api = Replying(FakeApi.MessageJson("[{\"type\":\"thinking\",\"thinking\":\"step 1\",\"signature\":\"s1\"},{\"type\":\"text\",\"text\":\"42\"}]"));
        using var connection = api.Connect();
        var sink = new CollectingSink();
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "q", Model = "claude-sonnet-4-6", AdaptiveThinking = true }, sink, default);
        Assert.StartsWith("claude-sonnet-4-5: 10 in, 5 out, stop end_turn, ", sink.Verbose.Single());
        Assert.EndsWith("request req_fake_1", sink.Verbose.Single());
        Assert.Equal("42", response.Text);
        Assert.Equal("step 1", response.Thinking);
        Assert.Equal("s1", response.Content[0].Signature);
        Assert.Equal("adaptive", api.Bodies()[0].GetProperty("thinking").GetProperty("type").GetString());
    }

    [Fact]
    public void A_thinking_budget_and_adaptive_thinking_together_are_refused()
    {
        using var connection = Replying("{}").Connect();
        var ex = Assert.Throws<ClaudeException>(() => new PromptRunner(connection).BuildRequest(new PromptOptions { Prompt = "q", AdaptiveThinking = true, ThinkingBudget = 2000, MaxTokens = 4000 }));
        Assert.Contains("-AdaptiveThinking", ex.Message);
    }

    [Fact]
    public async Task Attachments_go_first_as_base64_blocks_and_the_question_last()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, "%PDF-1.4 tiny"u8.ToArray());
            var api = Replying(FakeApi.TextMessage("It is tiny."));
            using var connection = api.Connect();
            await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "What is this?", Attachments = new[] { path } }, new CollectingSink(), default);
            var content = api.Bodies()[0].GetProperty("messages")[0].GetProperty("content");
            Assert.Equal("document", content[0].GetProperty("type").GetString());
            var source = content[0].GetProperty("source");
            Assert.Equal("base64", source.GetProperty("type").GetString());
            Assert.Equal("application/pdf", source.GetProperty("media_type").GetString());
            Assert.Equal("%PDF-1.4 tiny", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(source.GetProperty("data").GetString()!)));
            Assert.Equal("What is this?", content[1].GetProperty("text").GetString());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task A_bad_attachment_fails_the_prompt_before_anything_is_sent()
    {
        var api = Replying(FakeApi.TextMessage("never"));
        using var connection = api.Connect();
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => new PromptRunner(connection).RunAsync(
            new PromptOptions { Prompt = "p", Attachments = new[] { "/nonexistent/claudeps/x.png" } }, new CollectingSink(), default));
        Assert.Equal("ClaudePS.AttachmentNotFound", ex.Error.ErrorId);
        Assert.Equal("p", ex.Error.Target);
        Assert.Empty(api.Seen);
    }

    [Fact]
    public async Task Token_counting_builds_the_same_request_without_max_tokens()
    {
        var api = new FakeApi((req, _) => (HttpStatusCode.OK, "{\"input_tokens\":1234}", null));
        using var connection = api.Connect();
        var count = await new TokenCounter(connection).CountAsync(new PromptOptions { Prompt = "hello", System = "be brief", Model = "claude-haiku-4-5", Input = "row" }, new CollectingSink(), default);
        Assert.Equal(1234, count.InputTokens);
        Assert.Equal("claude-haiku-4-5", count.Model);
        Assert.Equal("row", count.Input);
        var body = api.Bodies("/v1/messages/count_tokens")[0];
        Assert.False(body.TryGetProperty("max_tokens", out _));
        Assert.Equal("be brief", body.GetProperty("system").GetString());
    }
}
