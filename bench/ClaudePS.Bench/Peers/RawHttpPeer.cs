using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Bench.Peers;

/// <summary>
/// The floor: a bare <see cref="HttpClient"/> posting pre-serialised JSON and reading the reply bytes
/// (non-streaming) or the SSE lines (streaming) without parsing any JSON. No client can do less work
/// and still talk to the API.
/// </summary>
public sealed class RawHttpPeer : IMessagePeer
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _messages;
    private readonly byte[] _body = Workload.JsonBody(stream: false);
    private readonly byte[] _streamBody = Workload.JsonBody(stream: true);

    public RawHttpPeer(Uri baseUri, HttpMessageHandler? handler = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null);
        _messages = new Uri(baseUri, "v1/messages");
    }

    public string Name => "raw HttpClient";

    private HttpRequestMessage Request(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _messages) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.TryAddWithoutValidation("x-api-key", Workload.ApiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", Workload.AnthropicVersion);
        return request;
    }

    public async Task<int> CreateAsync(CancellationToken cancellationToken)
    {
        using var request = Request(_body);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return bytes.Length;
    }

    public async Task<StreamSample> StreamAsync(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long first = 0;
        int deltas = 0;
        using var request = Request(_streamBody);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            if (line.Contains("\"text_delta\"", StringComparison.Ordinal))
            {
                if (deltas++ == 0) first = Stopwatch.GetTimestamp() - start;
            }
            else if (line.Contains("\"message_stop\"", StringComparison.Ordinal)) break;
        }
        return new StreamSample(first, Stopwatch.GetTimestamp() - start, deltas, 0);
    }

    public async Task<string> ReplyTextAsync(bool stream, CancellationToken cancellationToken)
    {
        using var request = Request(stream ? _streamBody : _body);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        if (!stream)
        {
            using var doc = JsonDocument.Parse(body);
            foreach (var block in doc.RootElement.GetProperty("content").EnumerateArray())
                if (block.GetProperty("type").GetString() == "text") text.Append(block.GetProperty("text").GetString());
            return text.ToString();
        }
        foreach (var line in body.Split('\n'))
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal) || !line.Contains("\"text_delta\"", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(line["data:".Length..]);
            text.Append(doc.RootElement.GetProperty("delta").GetProperty("text").GetString());
        }
        return text.ToString();
    }

    public void Dispose() => _http.Dispose();
}
