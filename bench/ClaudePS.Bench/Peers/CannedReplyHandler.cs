using System.Net;
using System.Net.Http.Headers;

namespace ClaudePS.Bench.Peers;

/// <summary>
/// Replaces the socket with a reply recorded from the emulator, so a phase measures only what runs in
/// the client: building and serialising the request, the HTTP pipeline above the connection, and
/// reading the reply. The request body is copied out, as a socket would, so lazily serialised content
/// is paid for.
/// </summary>
public sealed class CannedReplyHandler : HttpMessageHandler
{
    private readonly byte[] _body;
    private readonly string _mediaType;

    public CannedReplyHandler(byte[] body, string mediaType)
    {
        _body = body;
        _mediaType = mediaType;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null) await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(_body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(_mediaType);
        response.Headers.TryAddWithoutValidation("request-id", "req_canned");
        return response;
    }

    /// <summary>Another handler with the same reply (each peer owns and disposes its own).</summary>
    public CannedReplyHandler Copy() => new(_body, _mediaType);

    /// <summary>Records one reply from the emulator: the JSON or the whole SSE stream.</summary>
    public static async Task<CannedReplyHandler> RecordAsync(Uri baseUri, bool stream, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "v1/messages")) { Content = new ByteArrayContent(Workload.JsonBody(stream)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", Workload.ApiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", Workload.AnthropicVersion);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new CannedReplyHandler(body, stream ? "text/event-stream" : "application/json");
    }
}
