using System.Text.Json;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Models;
using ClaudePS.Engine.Tests.Batching;
using ClaudePS.Engine.Tests.Http;
using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Models;

/// <summary>The API version and the model's capabilities are checked before anything is sent.</summary>
public class ModelGuardTests
{

    private static (ClaudeConnection Connection, FakeApi Api) Connect(Action<ClaudeConnectionOptions>? configure = null)
    {
        var clock = new TestClock();
        var api = new FakeApi((_, _) => FakeApi.Message("ok"), clock);
        return (TestConnections.Create(api, clock, configure), api);
    }

    private static MessageRequest Prompt(string model) => MessageRequest.ForPrompt("hi", model, 4096);

    private static JsonElement LastBody(FakeApi api) => JsonDocument.Parse(api.Seen.Last().Body).RootElement;

    [Fact]
    public async Task Temperature_under_the_current_version_fails_before_sending_and_names_the_parameter_and_model()
    {
        var (c, api) = Connect();
        using var scope = c;
        var request = Prompt("claude-sonnet-4-6");
        request.Temperature = 0.2;
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(request));
        Assert.Equal(ModelGuard.ErrorId, ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.InvalidArgument, ex.Error.Category);
        Assert.Contains("-Temperature", ex.Error.Message);
        Assert.Contains("claude-sonnet-4-6", ex.Error.Message);
        Assert.Contains("-AnthropicVersion 2023-06-01", ex.Error.Message);
        Assert.Equal(0, api.Count);
    }

    [Fact]
    public async Task A_connection_pinned_to_2023_06_01_sends_that_version_and_temperature_where_the_model_takes_it()
    {
        var (c, api) = Connect(o => o.AnthropicVersion = ApiVersion.Legacy);
        using var scope = c;
        var request = Prompt("claude-sonnet-4-6");
        request.Temperature = 0.2;
        await c.Client.CreateMessageAsync(request);
        Assert.Equal(0.2, LastBody(api).GetProperty("temperature").GetDouble());

        var opus = Prompt("claude-opus-4-7");
        opus.Temperature = 0.2;
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(opus));
        Assert.Contains("claude-opus-4-7 does not take temperature", ex.Error.Message);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task A_thinking_budget_on_an_adaptive_only_model_is_refused_with_the_alternative()
    {
        var (c, api) = Connect();
        using var scope = c;
        var request = Prompt("claude-sonnet-5-5");
        request.ThinkingBudgetTokens = 2048;
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(request));
        Assert.Contains("-ThinkingBudget", ex.Error.Message);
        Assert.Contains("-AdaptiveThinking", ex.Error.Message);
        Assert.Equal("claude-sonnet-5-5", ex.Error.Target);

        var old = Prompt("claude-haiku-4-5");
        old.AdaptiveThinking = true;
        ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(old));
        Assert.Contains("does not take adaptive thinking", ex.Error.Message);
        Assert.Equal(0, api.Count);
    }

    [Fact]
    public async Task Effort_is_sent_as_output_config_and_checked_against_the_models_levels()
    {
        var (c, api) = Connect();
        using var scope = c;
        var request = Prompt("claude-sonnet-5-5");
        request.Effort = "xhigh";
        await c.Client.CreateMessageAsync(request);
        Assert.Equal("xhigh", LastBody(api).GetProperty("output_config").GetProperty("effort").GetString());

        var opus46 = Prompt("claude-opus-4-6");
        opus46.Effort = "xhigh";
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(opus46));
        Assert.Contains("-Effort low, medium, high, max", ex.Error.Message);

        var bad = Prompt("claude-sonnet-5-5");
        bad.Effort = "extreme";
        Assert.Equal("ClaudePS.InvalidArgument", (await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(bad))).Error.ErrorId);
        Assert.Equal(1, api.Count);
    }

    [Fact]
    public async Task The_connection_effort_goes_only_to_models_that_take_effort()
    {
        var (c, api) = Connect(o => o.DefaultEffort = "low");
        using var scope = c;
        await c.Client.CreateMessageAsync(Prompt("claude-opus-4-6"));
        Assert.Equal("low", LastBody(api).GetProperty("output_config").GetProperty("effort").GetString());
        await c.Client.CreateMessageAsync(Prompt("claude-haiku-4-5"));
        Assert.False(LastBody(api).TryGetProperty("output_config", out _));
    }

    [Fact]
    public async Task No_model_anywhere_means_the_current_recommended_sonnet()
    {
        var (c, api) = Connect(o => o.DefaultModel = null);
        using var scope = c;
        await c.Client.CreateMessageAsync(MessageRequest.ForPrompt("hi"));
        var body = LastBody(api);
        Assert.Equal("claude-sonnet-5-5", body.GetProperty("model").GetString());
        Assert.Equal(4096, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task A_deprecated_model_warns_once_per_connection_and_an_unknown_model_is_not_checked()
    {
        var (c, api) = Connect();
        using var scope = c;
        var sink = new CollectingSink();
        for (int i = 0; i < 3; i++) await c.Client.CreateMessageAsync(Prompt("claude-sonnet-4-5"), new CallOptions { Log = sink });
        var warning = Assert.Single(sink.Warnings);
        Assert.Contains("claude-sonnet-4-5-20250929 is deprecated", warning);
        Assert.Contains("overdue", warning);

        var unknown = Prompt("claude-next-9");
        unknown.ThinkingBudgetTokens = 2048;
        await c.Client.CreateMessageAsync(unknown, new CallOptions { Log = sink });
        Assert.Equal(4, api.Count);
        Assert.Single(sink.Warnings);
    }

    [Fact]
    public async Task Budget_thinking_where_adaptive_is_available_is_sent_with_one_deprecation_warning()
    {
        var (c, api) = Connect();
        using var scope = c;
        var sink = new CollectingSink();
        for (int i = 0; i < 2; i++)
        {
            var request = Prompt("claude-sonnet-4-6");
            request.ThinkingBudgetTokens = 2048;
            await c.Client.CreateMessageAsync(request, new CallOptions { Log = sink });
        }
        Assert.Equal("enabled", LastBody(api).GetProperty("thinking").GetProperty("type").GetString());
        var warning = Assert.Single(sink.Warnings);
        Assert.Contains("-ThinkingBudget (thinking.budget_tokens) is deprecated on claude-sonnet-4-6", warning);
        Assert.Contains("-AdaptiveThinking", warning);
    }

    [Fact]
    public void Version_rules_cover_documents_in_assistant_turns_and_citations_on_user_text()
    {
        var request = Prompt("claude-sonnet-4-6");
        request.Messages.Add(new ClaudeMessage { Role = "assistant", Content = { ClaudeContentBlock.FromBase64("document", "application/pdf", "JVBER") } });
        request.Messages.Add(new ClaudeMessage("user", "and?"));
        var model = ModelCatalog.BuiltIn("claude-sonnet-4-6")!;
        Assert.Contains("document block in an assistant turn", Assert.Throws<ClaudeException>(() => ModelGuard.Check(request, ApiVersion.Current, model, null)).Error.Message);
        ModelGuard.Check(request, ApiVersion.Legacy, model, null);

        var cited = Prompt("claude-sonnet-4-6");
        cited.Messages[0].Content[0].CitationsJson = "[{\"type\":\"char_location\"}]";
        Assert.Contains("citations on text in a user turn", Assert.Throws<ClaudeException>(() => ModelGuard.Check(cited, ApiVersion.Current, model, null)).Error.Message);
    }

    [Fact]
    public void A_bad_api_version_is_refused_when_the_connection_is_made()
    {
        var ex = Assert.Throws<ClaudeException>(() => Connect(o => o.AnthropicVersion = "latest"));
        Assert.Contains("AnthropicVersion", ex.Error.Message);
        Assert.Contains(ApiVersion.Current, ex.Error.Message);
    }

    [Fact]
    public async Task A_batch_whose_shared_parameters_the_model_rejects_fails_once_before_any_row_is_sent()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var rows = BatchTest.Rows(50);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() =>
            BatchRunner.RunAsync(connection, new BatchOptions { Temperature = 0.3 }, rows, new CollectingSink(), CancellationToken.None));
        Assert.Equal(ModelGuard.ErrorId, ex.Error.ErrorId);
        Assert.Contains("-Temperature", ex.Error.Message);
        Assert.Contains(BatchTest.Model, ex.Error.Message);
        Assert.Empty(handler.Sent);
    }

    [Fact]
    public async Task Shared_parameters_the_default_model_rejects_are_fine_when_every_row_names_a_model_that_takes_them()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler); // its default model takes no effort level
        var rows = Enumerable.Range(1, 5).Select(i => BatchTest.Row(("Prompt", "p" + i), ("Model", "claude-sonnet-5-5")));
        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { Effort = "max" }, rows, sink, CancellationToken.None);
        Assert.All(sink.Results, r => Assert.Equal(ClaudeBatchRowStatus.Succeeded, r.Status));
        Assert.Equal(5, handler.Sent.Count);
    }

    [Fact]
    public async Task A_batch_row_whose_own_column_the_model_rejects_ends_the_run_at_that_row()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var rows = Enumerable.Range(1, 20).Select(i => BatchTest.Row(("Prompt", "p" + i), ("Model", "claude-sonnet-5-5"), ("Effort", "max"), ("Temperature", "0.5")));
        var ex = await Assert.ThrowsAsync<ClaudeException>(() =>
            BatchRunner.RunAsync(connection, new BatchOptions(), rows, new CollectingSink(), CancellationToken.None));
        Assert.Equal(ModelGuard.ErrorId, ex.Error.ErrorId);
        Assert.Contains("claude-sonnet-5-5", ex.Error.Message);
        Assert.Empty(handler.Sent);
    }

    [Fact]
    public async Task The_fetched_model_list_drives_the_check_when_there_is_one()
    {
        // A live list that says claude-sonnet-4-6 takes no effort wins over the built-in catalogue.
        var clock = new TestClock();
        var model = System.Text.Json.Nodes.JsonNode.Parse(ModelCatalog.BuiltInJson("claude-sonnet-4-6")!)!;
        model["capabilities"]!["effort"]!["supported"] = false;
        foreach (var level in MessageRequest.EffortLevels) model["capabilities"]!["effort"]![level]!["supported"] = false;
        string list = "{\"data\":[" + model.ToJsonString() + "],\"has_more\":false}";
        var api = new FakeApi((r, _) => r.RequestUri!.AbsolutePath.EndsWith("/v1/models")
            ? new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(list, System.Text.Encoding.UTF8, "application/json") }
            : FakeApi.Message("ok"), clock);
        using var c = TestConnections.Create(api, clock);
        var request = Prompt("claude-sonnet-4-6");
        request.Effort = "low";
        var fetched = await ModelCatalog.ListAsync(c);
        Assert.Equal(new[] { "adaptive", "enabled", "disabled" }, fetched[0].Capabilities!.ThinkingTypes);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => c.Client.CreateMessageAsync(request));
        Assert.Contains("does not take an effort level", ex.Error.Message);
    }
}
