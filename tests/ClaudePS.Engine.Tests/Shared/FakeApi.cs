using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Engine.Tests.Shared;

/// <summary>One request as the fake server saw it.</summary>
public sealed record SeenRequest(Uri Uri, string? Auth, string? RetryCount, DateTimeOffset At, string Body)
{
    public string Method { get; init; } = "";
    public string PathAndQuery => Uri.PathAndQuery;
}

/// <summary>
/// An in-memory Claude API inside an HttpMessageHandler: each request is answered by the test's script
/// (a function of the request and its index, or of the request and its body) and recorded with the clock
/// time it was seen at. No sockets: nothing leaves the process.
/// </summary>
public sealed class FakeApi : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, string?, int, CancellationToken, Task<HttpResponseMessage>> _script;
    private readonly TimeProvider _clock;
    private int _count;
    private int _inFlight;

    private FakeApi(Func<HttpRequestMessage, string?, int, CancellationToken, Task<HttpResponseMessage>> script, TimeProvider clock)
    {
        _script = script;
        _clock = clock;
    }

    public FakeApi(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> script, TimeProvider clock)
        : this((r, _, i, ct) => script(r, i, ct), clock) { }

    public FakeApi(Func<HttpRequestMessage, int, HttpResponseMessage> script, TimeProvider clock)
        : this((r, _, i, _) => Task.FromResult(script(r, i)), clock) { }

    /// <summary>Answers each request from its body (null without one) with a status, a body and a content type (JSON by default).</summary>
    public FakeApi(Func<HttpRequestMessage, string?, (HttpStatusCode Status, string Body, string? ContentType)> respond)
        : this((r, body, i, _) => Task.FromResult(Reply(respond(r, body), "req_fake_" + (i + 1))), TimeProvider.System) { }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();
    public int Count => Volatile.Read(ref _count);
    public int MaxInFlight;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int index = Interlocked.Increment(ref _count) - 1;
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while ((max = Volatile.Read(ref MaxInFlight)) < now && Interlocked.CompareExchange(ref MaxInFlight, now, max) != max) { }
        try
        {
            string? auth = request.Headers.TryGetValues("x-api-key", out var k) ? k.First()
                : request.Headers.Authorization?.ToString();
            string? retry = request.Headers.TryGetValues("x-stainless-retry-count", out var rc) ? rc.First() : null;
            string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Enqueue(new SeenRequest(request.RequestUri!, auth, retry, _clock.GetUtcNow(), body ?? "") { Method = request.Method.Method });
            var response = await _script(request, body, index, cancellationToken);
            response.RequestMessage = request;
            return response;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The request bodies sent to paths ending with <paramref name="suffix"/>, parsed.</summary>
    public List<JsonElement> Bodies(string suffix = "/v1/messages") =>
        Seen.Where(r => r.Body.Length > 0 && r.PathAndQuery.Split('?')[0].EndsWith(suffix, StringComparison.Ordinal))
            .Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();

    /// <summary>A connection that sends everything here.</summary>
    public ClaudeConnection Connect(string? defaultModel = "claude-sonnet-4-5") =>
        ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri("http://127.0.0.1:9/") },
            Credential = new ApiKeyCredential("sk-ant-test-key"),
            DefaultModel = defaultModel,
        }, new Hashtable(), this);

    // ---- replies ----

    private static HttpResponseMessage Reply((HttpStatusCode Status, string Body, string? ContentType) reply, string requestId)
    {
        var res = new HttpResponseMessage(reply.Status) { Content = new StringContent(reply.Body, Encoding.UTF8, reply.ContentType ?? "application/json") };
        res.Headers.TryAddWithoutValidation("request-id", requestId);
        return res;
    }

    /// <summary>A non-streaming message reply body with the given content blocks (JSON array text).</summary>
    public static string MessageJson(string contentJson, string stopReason = "end_turn", string usageJson = "{\"input_tokens\":10,\"output_tokens\":5}") =>
        $"{{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":{contentJson},\"stop_reason\":\"{stopReason}\",\"stop_sequence\":null,\"usage\":{usageJson}}}";

    public static string TextMessage(string text, string stopReason = "end_turn") =>
        MessageJson("[{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(text) + "}]", stopReason);


    public static HttpResponseMessage Message(string text = "Hello", int input = 10, int output = 5, string id = "req_ok")
    {
        var json = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"" + text +
            "\"}],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + input + ",\"output_tokens\":" + output + "}}";
        var res = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        res.Headers.TryAddWithoutValidation("request-id", id);
        return res;
    }

    public static HttpResponseMessage Error(int status, string type = "api_error", string id = "req_err", string? extraJson = null)
    {
        var json = "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"fault " + status + "\"" + (extraJson ?? "") + "},\"request_id\":\"" + id + "\"}";
        var res = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        res.Headers.TryAddWithoutValidation("request-id", id);
        return res;
    }

    public static HttpResponseMessage With(HttpResponseMessage res, string name, string value)
    {
        res.Headers.TryAddWithoutValidation(name, value);
        return res;
    }

    public static string SseStart(int input = 10) =>
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + input + ",\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";

    public static string SseText(string text) =>
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n";

    public static string SseEnd(int output = 7) =>
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + output + "}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    public static string SseError(string type = "overloaded_error") =>
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"Overloaded\"}}\n\n";

    /// <summary>A streamed reply: <paramref name="text"/>, then (optionally) a stall that never ends.</summary>
    public static HttpResponseMessage Stream(string text, bool thenStall = false, string id = "req_stream")
    {
        var res = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new ScriptedStream(Encoding.UTF8.GetBytes(text), thenStall)) };
        res.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
        res.Headers.TryAddWithoutValidation("request-id", id);
        return res;
    }

    /// <summary>Serves fixed bytes, then either ends or stalls until canceled.</summary>
    private sealed class ScriptedStream : Stream
    {
        private readonly byte[] _data;
        private readonly bool _stall;
        private int _pos;

        public ScriptedStream(byte[] data, bool stall) { _data = data; _stall = stall; }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            await ReadAsync(buffer.AsMemory(offset, count), ct);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_pos < _data.Length)
            {
                int n = Math.Min(buffer.Length, _data.Length - _pos);
                _data.AsMemory(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            if (_stall) await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

