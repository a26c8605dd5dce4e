using System.Diagnostics;
using System.Text;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace ClaudePS.Bench.Peers;

/// <summary>The official Anthropic .NET SDK (NuGet Anthropic) with its defaults, as its README shows it.</summary>
public sealed class AnthropicSdkPeer : IMessagePeer
{
    public static readonly string Version =
        typeof(AnthropicClient).Assembly.GetName().Version?.ToString(3) ?? "?";

    private readonly AnthropicClient _client;
    private readonly HttpClient? _http;

    /// <param name="handler">Null: the SDK's own HttpClient. Otherwise an HttpClient over this handler
    /// (the canned-reply mode).</param>
    public AnthropicSdkPeer(Uri baseUri, HttpMessageHandler? handler = null)
    {
        var options = new ClientOptions
        {
            BaseUrl = baseUri.ToString().TrimEnd('/'),
            ApiKey = Workload.ApiKey,
        };
        if (handler is not null)
        {
            _http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            options.HttpClient = _http;
        }
        _client = new AnthropicClient(options);
    }

    public string Name => "Anthropic SDK " + Version;

    private static MessageCreateParams Params() => new()
    {
        Model = Workload.Model,
        MaxTokens = Workload.MaxTokens,
        Messages = [new UserMessageParam(Workload.Prompt)],
    };

    public async Task<int> CreateAsync(CancellationToken cancellationToken)
    {
        var message = await _client.Messages.Create(Params(), cancellationToken).ConfigureAwait(false);
        int length = 0;
        foreach (var block in message.Content)
            if (block.TryPickText(out var text)) length += text.Text.Length;
        return length;
    }

    public async Task<StreamSample> StreamAsync(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long first = 0;
        int deltas = 0, length = 0;
        await foreach (var ev in _client.Messages.CreateStreaming(Params(), cancellationToken).ConfigureAwait(false))
        {
            if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text))
            {
                if (deltas++ == 0) first = Stopwatch.GetTimestamp() - start;
                length += text.Text.Length;
            }
        }
        return new StreamSample(first, Stopwatch.GetTimestamp() - start, deltas, length);
    }

    public async Task<string> ReplyTextAsync(bool stream, CancellationToken cancellationToken)
    {
        var all = new StringBuilder();
        if (stream)
        {
            await foreach (var ev in _client.Messages.CreateStreaming(Params(), cancellationToken).ConfigureAwait(false))
                if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var text)) all.Append(text.Text);
            return all.ToString();
        }
        var message = await _client.Messages.Create(Params(), cancellationToken).ConfigureAwait(false);
        foreach (var block in message.Content)
            if (block.TryPickText(out var text)) all.Append(text.Text);
        return all.ToString();
    }

    public void Dispose()
    {
        _client.Dispose();
        _http?.Dispose();
    }
}
