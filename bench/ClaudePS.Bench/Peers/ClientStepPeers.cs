using System.Collections;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;

namespace ClaudePS.Bench.Peers;

/// <summary>
/// The raw floor plus what every real client does on top of it: a handler configured like ClaudePS's
/// (pooled lifetime, decompression, connection cap), the Accept and User-Agent headers, a per-call
/// timeout, and parsing the reply with <see cref="JsonDocument"/>. Separates the cost of HTTP hygiene
/// from the cost of ClaudePS's own code.
/// </summary>
public sealed class HygienicHttpPeer : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _messages;
    private readonly byte[] _body = Workload.JsonBody(stream: false);

    public HygienicHttpPeer(Uri baseUri)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 256,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            EnableMultipleHttp2Connections = true,
        }) { Timeout = Timeout.InfiniteTimeSpan };
        _messages = new Uri(baseUri, "v1/messages");
    }

    public string Name => "raw + parse, headers, timeout";

    public async Task<int> CreateAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(10));
        using var request = new HttpRequestMessage(HttpMethod.Post, _messages) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.TryAddWithoutValidation("x-api-key", Workload.ApiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", Workload.AnthropicVersion);
        request.Headers.TryAddWithoutValidation("user-agent", "ClaudePS.Bench/1.0");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(stream, default, deadline.Token).ConfigureAwait(false);
        return doc.RootElement.GetProperty("content").GetArrayLength();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>ClaudePS's untyped path, <see cref="ClaudeClient.SendJsonAsync"/>, posting the same
/// pre-serialised body: the connection's transport and error handling without the Messages path's
/// request model, reply builder, budget and metrics.</summary>
public sealed class ClaudePsSendJsonPeer : IDisposable
{
    private readonly ClaudeConnection _connection;
    private readonly byte[] _body = Workload.JsonBody(stream: false);

    public ClaudePsSendJsonPeer(Uri baseUri)
    {
        _connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            Name = "bench-json",
            BaseUris = { baseUri },
            Credential = new ApiKeyCredential(Workload.ApiKey, "bench"),
            DefaultModel = Workload.Model,
            AnthropicVersion = Workload.AnthropicVersion,
        }, new Hashtable());
    }

    public string Name => "ClaudePS SendJsonAsync";

    public async Task<int> CreateAsync(CancellationToken cancellationToken)
    {
        using var doc = await _connection.Client.SendJsonAsync(HttpMethod.Post, "v1/messages", _body, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        return doc.RootElement.GetProperty("content").GetArrayLength();
    }

    public void Dispose() => _connection.Dispose();
}
