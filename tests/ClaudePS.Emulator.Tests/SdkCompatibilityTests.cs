using System.Collections.Concurrent;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models;
using Anthropic.Models.Messages;
using Anthropic.Models.Models;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>The official Anthropic .NET SDK (newest served), unchanged and with strict response validation, against
/// the emulator: proof of wire compatibility.</summary>
public sealed class SdkCompatibilityTests : IAsyncLifetime
{
    private EmulatorHarness _emulator = null!;
    private readonly HeaderInjector _injector = new();

    public async Task InitializeAsync() =>
        _emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { FaultRetryAfterMs = 10 });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    /// <summary>Adds test-control headers to the SDK's requests and counts its attempts.</summary>
    private sealed class HeaderInjector : DelegatingHandler
    {
        public ConcurrentDictionary<string, string> Headers { get; } = new();
        public ConcurrentQueue<string?> RetryCounts { get; } = new();
        public HeaderInjector() : base(new SocketsHttpHandler()) { }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            foreach (var pair in Headers) request.Headers.TryAddWithoutValidation(pair.Key, pair.Value);
            RetryCounts.Enqueue(request.Headers.TryGetValues("x-stainless-retry-count", out var v) ? v.First() : null);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private AnthropicClient Client(string key = EmulatorHarness.Key) => new(new ClientOptions
    {
        BaseUrl = _emulator.Server.BaseUri.ToString().TrimEnd('/'),
        ApiKey = key,
        MaxRetries = 2,
        // Strict: every reply must have every field the SDK's models mark required.
        ResponseValidation = true,
        Timeout = TimeSpan.FromSeconds(30),
        HttpClient = new HttpClient(_injector, disposeHandler: false),
    });

    private static MessageCreateParams Params(string prompt, long maxTokens = 200) => new()
    {
        Model = EmulatorHarness.Model,
        MaxTokens = maxTokens,
        Messages = [new UserMessageParam(prompt)],
    };

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact(Timeout = 60_000)]
    public async Task Create_returns_a_message_that_mentions_the_prompt()
    {
        var client = Client();
        var message = await client.Messages.Create(Params("Tell me about lighthouses and harbours"), Bounded());

        Assert.StartsWith("msg_", message.ID);
        string text = string.Concat(message.Content.Select(b => b.TryPickText(out var t) ? t.Text : ""));
        Assert.Contains("lighthouses", text);
        Assert.Equal("end_turn", message.StopReason!.Raw());
        Assert.True(message.Usage.InputTokens > 0);
        Assert.Equal(TokenCounter.Count(text), message.Usage.OutputTokens);
    }

    [Fact(Timeout = 60_000)]
    public async Task Streaming_yields_text_deltas_that_add_up_to_the_message()
    {
        var client = Client();
        var text = new System.Text.StringBuilder();
        long? outputTokens = null;
        int events = 0;
        await foreach (var ev in client.Messages.CreateStreaming(Params("Stream a note about glaciers"), Bounded()))
        {
            events++;
            if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t)) text.Append(t.Text);
            if (ev.TryPickDelta(out var messageDelta)) outputTokens = messageDelta.Usage.OutputTokens;
        }

        Assert.Contains("glaciers", text.ToString());
        Assert.True(events > 5);
        Assert.Equal(TokenCounter.Count(text.ToString()), outputTokens);
        var record = _emulator.State.Accounting.Records.Single(r => r.Endpoint == "messages");
        Assert.True(record.Streamed);
        Assert.Equal(outputTokens, record.Usage!.OutputTokens);
    }

    [Fact(Timeout = 60_000)]
    public async Task Count_tokens_equals_the_input_tokens_of_the_same_request()
    {
        var client = Client();
        string prompt = "Count the tokens of this sentence, with punctuation; and numbers 12345!";
        var counted = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = EmulatorHarness.Model,
            Messages = [new UserMessageParam(prompt)],
        }, Bounded());
        var message = await client.Messages.Create(Params(prompt), Bounded());

        Assert.True(counted.InputTokens > 10);
        Assert.Equal(counted.InputTokens, message.Usage.InputTokens);
    }

    [Fact(Timeout = 60_000)]
    public async Task Models_list_pages_and_retrieve_resolves_aliases()
    {
        var client = Client();
        var page = await client.Models.List(new ModelListParams { Limit = 5 }, Bounded());
        var ids = page.Items.Select(m => m.ID).ToList();
        int pages = 1;
        while (page.HasNext() && pages < 20)
        {
            page = await page.Next(Bounded());
            ids.AddRange(page.Items.Select(m => m.ID));
            pages++;
        }

        // Retired models are listed only on request, as the API does.
        Assert.Equal(ClaudePS.Engine.Wire.KnownModels.All.Where(m => m.Lifecycle != "retired").Select(m => m.Id), ids);
        Assert.True(pages > 1);
        var model = await client.Models.Retrieve("claude-sonnet-4-5", new ModelRetrieveParams(), Bounded());
        Assert.Equal("claude-sonnet-4-5-20250929", model.ID);
        Assert.Equal("deprecated", model.Lifecycle!.Raw());
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), model.RetiresAt);
        Assert.False(model.Capabilities!.Thinking.Types.Adaptive.Supported);
        Assert.True(model.Capabilities.Thinking.Types.Enabled.Supported);
        var current = await client.Models.Retrieve("claude-sonnet-5-5", new ModelRetrieveParams(), Bounded());
        Assert.Equal("active", current.Lifecycle!.Raw());
        Assert.Null(current.RetiresAt);
        Assert.True(current.Capabilities!.Effort.Xhigh!.Supported);
        Assert.False(current.Capabilities.Thinking.Types.Enabled.Supported);
        Assert.Equal(128_000, current.MaxTokens);
    }

    [Fact(Timeout = 60_000)]
    public async Task Web_search_blocks_citations_and_effort_pass_strict_validation_streamed_and_not()
    {
        var client = Client();
        var parameters = Params("Find the harbour tide tables", 2000) with
        {
            Model = "claude-sonnet-5-5",
            Tools = [new WebSearchTool20250305()],
            OutputConfig = new OutputConfig { Effort = Effort.Low },
        };
        var message = await client.Messages.Create(parameters, Bounded());
        Assert.Equal(3, message.Content.Count);
        Assert.Equal("end_turn", message.StopReason!.Raw());

        int starts = 0, citations = 0;
        await foreach (var ev in client.Messages.CreateStreaming(parameters, Bounded()))
        {
            if (ev.TryPickContentBlockStart(out _)) starts++;
            if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickCitations(out _)) citations++;
        }
        Assert.Equal(3, starts);
        Assert.Equal(1, citations);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_scripted_429_is_retried_by_the_sdk_and_then_succeeds()
    {
        _injector.Headers["x-emulator-scenario"] = "sdk-429";
        _injector.Headers["x-emulator-faults"] = "429,529";
        var client = Client();

        var message = await client.Messages.Create(Params("retry please"), Bounded());

        Assert.NotEmpty(message.Content);
        Assert.Equal(3, _emulator.State.Faults.AttemptsOf("sdk-429"));
        Assert.Equal(new[] { "429", "529", null }, _emulator.State.Accounting.Records.Select(r => r.Fault));
        Assert.Equal(1, _emulator.State.Accounting.RateLimitedResponses);
        Assert.Equal(new[] { "0", "1", "2" }, _injector.RetryCounts.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task Unknown_model_is_a_not_found_error()
    {
        var client = Client();
        var parameters = Params("hello") with { Model = "claude-unknown-9" };
        var ex = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Messages.Create(parameters, Bounded()));
        Assert.Equal(ErrorType.NotFoundError, ex.Type!.Value());
        Assert.StartsWith("req_", ex.RequestID);
        Assert.Contains("claude-unknown-9", ex.ApiMessage);
    }

    [Fact(Timeout = 60_000)]
    public async Task Max_tokens_out_of_range_is_an_invalid_request_naming_the_field()
    {
        var client = Client();
        var ex = await Assert.ThrowsAsync<AnthropicBadRequestException>(() => client.Messages.Create(Params("hello", maxTokens: 1_000_000), Bounded()));
        Assert.Equal(ErrorType.InvalidRequestError, ex.Type!.Value());
        Assert.StartsWith("max_tokens", ex.ApiMessage);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_key_is_an_authentication_error()
    {
        var client = Client("not-a-real-key");
        var ex = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => client.Messages.Create(Params("hello"), Bounded()));
        Assert.Equal(ErrorType.AuthenticationError, ex.Type!.Value());
        Assert.Single(_injector.RetryCounts); // 401 is not retried
    }

    [Fact(Timeout = 60_000)]
    public async Task The_spend_cap_429_is_recognised_and_not_retried()
    {
        _injector.Headers["x-emulator-scenario"] = "sdk-spend";
        _injector.Headers["x-emulator-faults"] = "spend-cap";
        var client = Client();
        var ex = await Assert.ThrowsAnyAsync<AnthropicServiceException>(() => client.Messages.Create(Params("hello"), Bounded()));
        Assert.Equal("enforced_spend_limit_reached", ex.ErrorCode);
        Assert.Equal(ErrorType.RateLimitError, ex.Type!.Value());
        Assert.Single(_injector.RetryCounts);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_error_event_inside_a_stream_surfaces_as_an_exception()
    {
        _injector.Headers["x-emulator-scenario"] = "sdk-stream-error";
        _injector.Headers["x-emulator-faults"] = "stream-error";
        var client = Client();
        int deltas = 0;
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var ev in client.Messages.CreateStreaming(Params("stream then fail"), Bounded()))
                if (ev.TryPickContentBlockDelta(out _)) deltas++;
        });
        Assert.True(deltas >= 1);
        Assert.Contains("verloaded", ex.ToString());
    }
}
