using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Tests.Http;

/// <summary>One request as the fake server saw it.</summary>
public sealed record SeenRequest(Uri Uri, string? Auth, string? RetryCount, DateTimeOffset At, string Body);

/// <summary>
/// An in-memory Claude API: each request is answered by the script (a function of the request and its
/// index). Records what it saw and the clock time it saw it at.
/// </summary>
public sealed class FakeApi : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> _script;
    private readonly TimeProvider _clock;
    private int _count;
    private int _inFlight;

    public FakeApi(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> script, TimeProvider clock)
    {
        _script = script;
        _clock = clock;
    }

    public FakeApi(Func<HttpRequestMessage, int, HttpResponseMessage> script, TimeProvider clock)
        : this((r, i, _) => Task.FromResult(script(r, i)), clock) { }

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
            string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Enqueue(new SeenRequest(request.RequestUri!, auth, retry, _clock.GetUtcNow(), body));
            var response = await _script(request, index, cancellationToken);
            response.RequestMessage = request;
            return response;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // ---- replies ----

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

/// <summary>Collects verbose lines.</summary>
public sealed class LogSink : IClaudeOutputSink
{
    public ConcurrentQueue<string> Verbose { get; } = new();
    public void WriteObject(object item) { }
    public void WriteError(ClaudeError error) { }
    public void WriteWarning(string text) { }
    public void WriteVerbose(string text) => Verbose.Enqueue(text);
    public void WriteDebug(string text) { }
    public void WriteProgress(ProgressInfo progress) { }
    public void WriteHostText(string text) { }
}

/// <summary>Counts usage events.</summary>
public sealed class CountingRecorder : IUsageRecorder
{
    public ConcurrentQueue<UsageEvent> Events { get; } = new();
    public decimal? Record(UsageEvent usage) { Events.Enqueue(usage); return 0.01m; }
}

/// <summary>Builds connections over a <see cref="FakeApi"/> with a <see cref="TestClock"/>.</summary>
public static class TestConnections
{
    public const string Key = "sk-ant-test-SECRET-0123456789";

    public static ClaudeConnection Create(FakeApi api, TestClock clock, Action<ClaudeConnectionOptions>? configure = null,
        int endpoints = 1, IDictionary? environment = null, ICredentialProvider? credential = null)
    {
        var options = new ClaudeConnectionOptions
        {
            Credential = credential ?? new ApiKeyCredential(Key),
            DefaultModel = "claude-sonnet-4-5",
        };
        for (int i = 0; i < endpoints; i++) options.BaseUris.Add(new Uri($"http://127.0.0.1:{9001 + i}"));
        options.Resilience.Clock = clock;
        options.Resilience.Jitter = () => 1.0;
        configure?.Invoke(options);
        return ClaudeConnection.Create(options, environment ?? new Hashtable(), api);
    }
}
