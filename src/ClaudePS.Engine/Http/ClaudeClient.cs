using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.RateLimiting;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Streaming;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Http;

/// <summary>
/// The Messages API over one connection. Each public call validates, serialises once, then runs its
/// attempts through the connection's <see cref="ClaudeTransport"/> (retries, rate limits, failover);
/// every failure surfaces as <see cref="ClaudeException"/>. Replies are built here, billing is recorded here.
/// </summary>
public sealed class ClaudeClient
{
    private readonly ClaudeConnection _connection;

    internal ClaudeClient(ClaudeConnection connection) => _connection = connection;

    /// <summary>Sends one message and waits for the whole reply.</summary>
    public Task<ClaudeResponse> CreateMessageAsync(MessageRequest request, CallOptions? call = null, CancellationToken cancellationToken = default) =>
        SendMessageAsync(request, stream: false, onText: null, call ?? CallOptions.Default, cancellationToken);

    /// <summary>Streams one message: <paramref name="onText"/> gets each text delta as it arrives (on a
    /// worker thread); the returned response is the complete message, as the non-streaming call returns it.</summary>
    public Task<ClaudeResponse> StreamMessageAsync(MessageRequest request, Action<string>? onText, CallOptions? call = null, CancellationToken cancellationToken = default) =>
        SendMessageAsync(request, stream: true, onText, call ?? CallOptions.Default, cancellationToken);

    /// <summary>Counts the input tokens of <paramref name="request"/> (POST /v1/messages/count_tokens).</summary>
    public async Task<long> CountTokensAsync(MessageRequest request, CancellationToken cancellationToken = default)
    {
        ApplyDefaults(request);
        request.Validate();
        var body = MessageRequestWriter.Write(request, stream: false, forCounting: true);
        string model = request.Model!;
        var dialect = _connection.Options.Dialect;
        var send = new DelegateRequest<JsonDocument>(endpoint => dialect.CountTokensUri(endpoint, model), ReadJsonAsync)
        {
            Body = body,
            What = "count_tokens",
            Betas = BetasFor(request),
        };
        using var doc = await _connection.Transport.SendAsync(send, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        return doc.RootElement.GetProperty("input_tokens").GetInt64();
    }

    /// <summary>Sends a JSON request to a path under the API root and returns the parsed reply. For the
    /// endpoints that have no typed wrapper here (models, batches). Retried and failed over like every call.</summary>
    public Task<JsonDocument> SendJsonAsync(HttpMethod method, string relativePath, byte[]? body, CallOptions call, CancellationToken cancellationToken)
    {
        var send = new DelegateRequest<JsonDocument>(endpoint => new Uri(endpoint, relativePath), ReadJsonAsync)
        {
            Method = method,
            Body = body,
            What = method.Method + " " + relativePath,
        };
        return _connection.Transport.SendAsync(send, call, cancellationToken).AsTask();
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage res, AttemptContext attempt, CancellationToken ct)
    {
        using var stream = await res.Content.ReadAsStreamAsync().ConfigureAwait(false);
        return await JsonDocument.ParseAsync(stream, default, ct).ConfigureAwait(false);
    }

    /// <summary>GETs a line-oriented reply (JSON lines, e.g. Message Batches results) and hands each
    /// non-empty line to <paramref name="onLine"/> as it arrives, so large results are never held whole.
    /// <paramref name="url"/> is relative to the API root, or absolute on the same host as the endpoint
    /// (the credential is never sent to another host).</summary>
    public async Task ReadLinesAsync(string url, Action<string> onLine, CallOptions call, CancellationToken cancellationToken)
    {
        var endpoint = _connection.Endpoints[0];
        var uri = new Uri(endpoint, url);
        if (!string.Equals(uri.GetLeftPart(UriPartial.Authority), endpoint.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            throw new ClaudeException(new ClaudeError("ClaudePS.UntrustedUrl", ClaudeErrorCategory.SecurityError,
                $"The server pointed at {uri.GetLeftPart(UriPartial.Authority)}, which is not the connection's endpoint {Shown(endpoint)}; the credential is not sent there."));
        // A retried read starts over from the first line: skip what was already handed on, so no line
        // is delivered twice.
        long delivered = 0;
        var send = new DelegateRequest<bool>(_ => uri, async (res, attempt, ct) =>
        {
            using var stream = await res.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            long seen = 0;
            string? line;
            while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                ct.ThrowIfCancellationRequested();
                if (line.Length == 0 || ++seen <= delivered) continue;
                onLine(line);
                delivered++;
            }
            return true;
        }) { Method = HttpMethod.Get, What = "GET " + uri.AbsolutePath };
        await _connection.Transport.SendAsync(send, call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The anthropic-beta value for a request that names betas of its own: the connection's, then
    /// the request's, each once. Null when the connection's default header already says it all.</summary>
    private string? BetasFor(MessageRequest request)
    {
        if (!request.HasBetas) return null;
        var all = new List<string>(_connection.Options.Betas);
        foreach (var given in request.Betas)
        {
            string beta = given?.Trim() ?? "";
            if (beta.Length > 0 && !all.Contains(beta)) all.Add(beta);
        }
        return string.Join(",", all);
    }

    private void ApplyDefaults(MessageRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Model)) request.Model = _connection.DefaultModel;
        // The connection's effort goes to models that take it; a model that takes none is not failed for a default.
        if (request.Effort is null && _connection.Options.DefaultEffort is { } effort)
        {
            var caps = Models.ModelCatalog.Describe(_connection, request.Model)?.Capabilities;
            if (caps is null || caps.EffortLevels.Contains(effort)) request.Effort = effort;
        }
    }

    private async Task<ClaudeResponse> SendMessageAsync(MessageRequest request, bool stream, Action<string>? onText, CallOptions call, CancellationToken cancellationToken)
    {
        ApplyDefaults(request);
        request.Validate();
        Models.ModelGuard.Check(_connection, request, call.Log);
        var dialect = _connection.Options.Dialect;
        var body = dialect.MessagesBody(request, stream);
        string model = request.Model!;
        string? betas = BetasFor(request);
        var transport = _connection.Transport;

        string? cacheKey = null;
        if (transport.Cache is { } cache && ResponseCache.Eligible(request, stream, call.Cache))
        {
            var lookup = Stopwatch.StartNew();
            // Betas can change a reply as much as the body can.
            cacheKey = ResponseCache.Key(dialect.MessagesUri(_connection.Endpoints[0], model, stream).AbsolutePath + (betas is null ? "" : " " + betas), body);
            if (cache.TryGet(cacheKey, out var cached))
            {
                call.Log?.WriteVerbose($"Served from the response cache (request id {cached.RequestId ?? "none"}); not sent, not billed.");
                var hit = ResponseCache.AsHit(cached, lookup.Elapsed);
                if (!call.KeepRawJson) hit.RawJson = null;
                return hit;
            }
        }

        // Budgets: reserve before any attempt, settle once on everything billed (see Usage/BudgetGuard).
        bool batch = string.Equals(request.ServiceTier, "batch", StringComparison.OrdinalIgnoreCase);
        var budget = Usage.BudgetHold.Begin(_connection.Budget, call.Budget, model, body.Length, request.MaxTokens, batch);
        string status = "error";
        long started = TimeProvider.System.GetTimestamp();
        TimeSpan? duration = null;
        var send = new MessagesRequest(this, dialect, onText, call)
        {
            Body = body,
            Stream = stream,
            Demand = new RateLimitDemand(body.Length, request.MaxTokens, call.InputTokens),
            What = stream ? "stream" : "messages",
            Model = model,
            Started = started,
            Betas = betas,
        };
        try
        {
            var response = await transport.SendAsync(send, call, cancellationToken).ConfigureAwait(false);
            send.Bill(response.Usage);
            status = "200";
            duration = response.Duration; // measured as the reply was read: no second clock read
            if (cacheKey is not null) transport.Cache!.Put(cacheKey, ResponseCache.AsHit(response, TimeSpan.Zero));
            return RecordUsage(response, call, "succeeded");
        }
        catch (ClaudeException ex)
        {
            status = Usage.ClaudeMetrics.StatusOf(ex.Error);
            throw;
        }
        finally
        {
            budget.Settle(model, send.Billed, batch);
            _connection.Services.Metrics.RecordRequest(model, status, duration ?? TimeProvider.System.GetElapsedTime(started));
        }
    }

    /// <summary>One Messages call as the transport sends it: its target, its reader and what it billed.</summary>
    private sealed class MessagesRequest : TransportRequest<ClaudeResponse>
    {
        private readonly ClaudeClient _client;
        private readonly ApiDialect _dialect;
        private readonly Action<string>? _onText;
        private readonly CallOptions _call;

        public MessagesRequest(ClaudeClient client, ApiDialect dialect, Action<string>? onText, CallOptions call)
        {
            _client = client;
            _dialect = dialect;
            _onText = onText;
            _call = call;
        }

        /// <summary>Everything billed so far: failed attempts that reported usage, then the reply.</summary>
        public ClaudeUsage? Billed { get; private set; }

        public void Bill(ClaudeUsage usage) => Billed = Billed is null ? usage : Billed.Add(usage);

        public override Uri Target(Uri endpoint) => _dialect.MessagesUri(endpoint, Model!, Stream);

        public override ValueTask<ClaudeResponse> ReadAsync(HttpResponseMessage response, AttemptContext attempt, CancellationToken cancellationToken) =>
            ReadMessageAsync(response, attempt, Stream, _onText, _call, cancellationToken);

        // A reply that failed after the server reported usage is billed all the same.
        public override void OnFailedAttemptUsage(ClaudeUsage usage, AttemptContext attempt)
        {
            Bill(usage);
            _client.RecordUsage(new ClaudeResponse
            {
                Model = attempt.Builder?.Model ?? Model!,
                Usage = usage,
                RequestId = attempt.RequestId,
                Endpoint = attempt.ShownEndpoint,
                Duration = attempt.Elapsed,
            }, _call, "stream_failed");
        }
    }

    /// <summary>Reads one successful Messages reply, whole or streamed, into a response.</summary>
    private static async ValueTask<ClaudeResponse> ReadMessageAsync(HttpResponseMessage res, AttemptContext attempt, bool stream, Action<string>? onText, CallOptions call, CancellationToken ct)
    {
        var builder = new MessageBuilder();
        attempt.Builder = builder;
        using var content = await res.Content.ReadAsStreamAsync().ConfigureAwait(false);
        if (stream) return await StreamedReplyAsync(content, builder, attempt, onText, ct).ConfigureAwait(false);

        // Read with the attempt's token (its timeout applies to the body too), then parse from the bytes.
        using var body = new MemoryStream();
        await content.CopyToAsync(body, 16 * 1024, ct).ConfigureAwait(false);
        var json = new ReadOnlySpan<byte>(body.GetBuffer(), 0, (int)body.Length);
        builder.ReadMessage(json);
        var took = attempt.Elapsed;
        var response = builder.Build(attempt.RequestId, attempt.ShownEndpoint, took, took, attempt.Attempt);
        if (call.KeepRawJson) response.RawJson = Utf8.Decode(json);
        return response;
    }

    /// <summary>Reads a streamed reply, noting when the first text arrived.</summary>
    private static async Task<ClaudeResponse> StreamedReplyAsync(Stream content, MessageBuilder builder, AttemptContext attempt, Action<string>? onText, CancellationToken ct)
    {
        TimeSpan? firstToken = null;
        await ReadStreamAsync(content, builder, text =>
        {
            firstToken ??= attempt.Elapsed;
            onText?.Invoke(text);
        }, attempt.RequestId, attempt.Endpoint, ct, attempt.Idle is { } idle ? idle.Kick : null).ConfigureAwait(false);
        return builder.Build(attempt.RequestId, attempt.ShownEndpoint, attempt.Elapsed, firstToken, attempt.Attempt);
    }

    /// <summary>Hands a billed reply to the usage ledger once and puts its cost on the response.</summary>
    private ClaudeResponse RecordUsage(ClaudeResponse response, CallOptions call, string outcome)
    {
        if (_connection.UsageRecorder is not { } recorder) return response;
        var cost = recorder.Record(new Usage.UsageEvent
        {
            RequestId = response.RequestId,
            Endpoint = response.Endpoint ?? "",
            Model = response.Model,
            Usage = response.Usage,
            Outcome = outcome,
            Tags = MergeTags(call.Tags),
            Duration = response.Duration,
            FromCache = response.FromCache,
            Log = call.Log,
        });
        return cost is null ? response : response.WithCost(cost);
    }

    private IReadOnlyList<string> MergeTags(IReadOnlyList<string> callTags)
    {
        if (callTags.Count == 0) return _connection.Options.Tags;
        var all = new List<string>(_connection.Options.Tags);
        all.AddRange(callTags);
        return all;
    }

    /// <summary>Reads SSE frames into <paramref name="builder"/> until message_stop or end of stream.</summary>
    internal static async Task ReadStreamAsync(Stream content, MessageBuilder builder, Action<string> onText, string? requestId, Uri endpoint, CancellationToken ct, Action? onBytes = null)
    {
        var parser = new SseParser();
        var frames = new List<SseFrame>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int n = await content.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            onBytes?.Invoke();
            if (n == 0) parser.Complete(frames);
            else parser.Feed(new ReadOnlySpan<byte>(buffer, 0, n), frames);
            foreach (var frame in frames)
            {
                if (frame.EventName == "error")
                {
                    var error = ApiErrors.FromStreamEvent(frame.Data, requestId, Shown(endpoint));
                    throw new ClaudeException(error.WithPartial(builder.PartialText, builder.Usage));
                }
                var text = builder.Apply(frame.EventName, frame.DataUtf8);
                if (!string.IsNullOrEmpty(text)) onText(text!);
            }
            frames.Clear();
            if (builder.Stopped) return;
            if (n == 0)
                throw new ClaudeException(new ClaudeError("ClaudePS.StreamTruncated", ClaudeErrorCategory.ConnectionError,
                    $"The stream from {Shown(endpoint)} ended before message_stop. The partial reply is on the error's PartialText.")
                { RequestId = requestId, IsTransient = true, PartialText = builder.PartialText, PartialUsage = builder.Usage });
        }
    }

    internal static string? Header(HttpResponseMessage res, string name) => RetryRules.First(res.Headers, name);

    internal static string Shown(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Authority) + endpoint.AbsolutePath.TrimEnd('/');
}
