using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Streaming;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Http;

/// <summary>
/// The Messages API over one connection. Each public call validates, serialises once, then runs its
/// attempts through the connection's transport; every failure surfaces as <see cref="ClaudeException"/>.
/// </summary>
public sealed class ClaudeClient
{
    private static readonly string UserAgent = "ClaudePS/" + typeof(ClaudeClient).Assembly.GetName().Version?.ToString(3);
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
        var uri = _connection.Options.Dialect.CountTokensUri(_connection.Endpoints[0], request.Model!);
        using var doc = await SendJsonAsync(HttpMethod.Post, uri.ToString(), body, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        return doc.RootElement.GetProperty("input_tokens").GetInt64();
    }

    /// <summary>Sends a JSON request to a path under the API root and returns the parsed reply. For the
    /// endpoints that have no typed wrapper here (models, batches).</summary>
    public async Task<JsonDocument> SendJsonAsync(HttpMethod method, string relativePath, byte[]? body, CallOptions call, CancellationToken cancellationToken)
    {
        var endpoint = _connection.Endpoints[0];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(call.Timeout ?? _connection.Options.Timeout);
        using var req = await CreateRequestAsync(method, new Uri(endpoint, relativePath), body, stream: false, timeout.Token).ConfigureAwait(false);
        try
        {
            using var res = await _connection.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            string? requestId = Header(res, "request-id");
            if (!res.IsSuccessStatusCode)
                throw new ClaudeException(ApiErrors.FromHttp((int)res.StatusCode, await res.Content.ReadAsStringAsync().ConfigureAwait(false), requestId, Shown(endpoint)));
            using var stream = await res.Content.ReadAsStreamAsync().ConfigureAwait(false);
            return await JsonDocument.ParseAsync(stream, default, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ClaudeException)
        {
            throw Translate(ex, cancellationToken, call.Timeout ?? _connection.Options.Timeout, endpoint);
        }
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(call.Timeout ?? _connection.Options.Timeout);
        using var req = await CreateRequestAsync(HttpMethod.Get, uri, null, stream: false, timeout.Token).ConfigureAwait(false);
        try
        {
            using var res = await _connection.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!res.IsSuccessStatusCode)
                throw new ClaudeException(ApiErrors.FromHttp((int)res.StatusCode, await res.Content.ReadAsStringAsync().ConfigureAwait(false), Header(res, "request-id"), Shown(endpoint)));
            using var stream = await res.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? line;
            while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                timeout.Token.ThrowIfCancellationRequested();
                if (line.Length > 0) onLine(line);
            }
        }
        catch (Exception ex) when (ex is not ClaudeException)
        {
            throw Translate(ex, cancellationToken, call.Timeout ?? _connection.Options.Timeout, endpoint);
        }
    }

    private void ApplyDefaults(MessageRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Model)) request.Model = _connection.Options.DefaultModel;
    }

    private async Task<ClaudeResponse> SendMessageAsync(MessageRequest request, bool stream, Action<string>? onText, CallOptions call, CancellationToken cancellationToken)
    {
        ApplyDefaults(request);
        request.Validate();
        var body = _connection.Options.Dialect.MessagesBody(request, stream);
        var overall = call.Timeout ?? _connection.Options.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(overall);
        var endpoint = _connection.Endpoints[0];
        var started = Stopwatch.StartNew();
        // Budgets: reserve before any attempt, settle once on what was billed (see Usage/BudgetGuard).
        bool batch = string.Equals(request.ServiceTier, "batch", StringComparison.OrdinalIgnoreCase);
        var budget = Usage.BudgetHold.Begin(_connection.Options.Budget, call.Budget, request.Model!, body.Length, request.MaxTokens, batch);
        ClaudeUsage? billed = null;
        string status = "error";
        try
        {
            var response = await SendAttemptAsync(endpoint, request.Model!, body, stream, onText, call, started, attempt: 1, deadline.Token).ConfigureAwait(false);
            billed = response.Usage;
            status = "200";
            return RecordUsage(response, call, "succeeded");
        }
        catch (ClaudeException ex)
        {
            status = Usage.ClaudeMetrics.StatusOf(ex.Error);
            if (ex.Error.PartialUsage is { } partial)
            {
                billed = partial;
                RecordPartialUsage(ex.Error, request.Model!, call, started.Elapsed);
            }
            throw;
        }
        catch (Exception ex)
        {
            var translated = Translate(ex, cancellationToken, overall, endpoint);
            status = Usage.ClaudeMetrics.StatusOf(translated.Error);
            throw translated;
        }
        finally
        {
            budget.Settle(request.Model!, billed, batch);
            Usage.ClaudeMetrics.Shared.RecordRequest(request.Model!, status, started.Elapsed);
        }
    }

    /// <summary>Records the usage a failed attempt reported (a stream cut short after message_start): it was billed.</summary>
    private void RecordPartialUsage(ClaudeError error, string model, CallOptions call, TimeSpan duration)
    {
        _connection.Options.UsageRecorder?.Record(new Usage.UsageEvent
        {
            RequestId = error.RequestId,
            Endpoint = Shown(_connection.Endpoints[0]),
            Model = model,
            Usage = error.PartialUsage!,
            Outcome = "stream_failed",
            Tags = MergeTags(call.Tags),
            Duration = duration,
            Log = call.Log,
        });
    }

    /// <summary>One HTTP attempt against one endpoint.</summary>
    private async Task<ClaudeResponse> SendAttemptAsync(Uri endpoint, string model, byte[] body, bool stream, Action<string>? onText, CallOptions call, Stopwatch started, int attempt, CancellationToken ct)
    {
        using var req = await CreateRequestAsync(HttpMethod.Post, _connection.Options.Dialect.MessagesUri(endpoint, model, stream), body, stream, ct).ConfigureAwait(false);
        using var res = await _connection.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        string? requestId = Header(res, "request-id");
        if (!res.IsSuccessStatusCode)
            throw new ClaudeException(ApiErrors.FromHttp((int)res.StatusCode, await res.Content.ReadAsStringAsync().ConfigureAwait(false), requestId, Shown(endpoint)));

        var builder = new MessageBuilder();
        TimeSpan? firstToken = null;
        using var content = await res.Content.ReadAsStreamAsync().ConfigureAwait(false);
        if (!stream)
        {
            using var doc = await JsonDocument.ParseAsync(content, default, ct).ConfigureAwait(false);
            builder.ReadMessage(doc.RootElement);
            var response = builder.Build(requestId, Shown(endpoint), started.Elapsed, started.Elapsed, attempt);
            if (call.KeepRawJson) response.RawJson = doc.RootElement.GetRawText();
            return response;
        }

        await ReadStreamAsync(content, builder, text =>
        {
            firstToken ??= started.Elapsed;
            onText?.Invoke(text);
        }, requestId, endpoint, ct).ConfigureAwait(false);
        return builder.Build(requestId, Shown(endpoint), started.Elapsed, firstToken, attempt);
    }

    /// <summary>Hands a billed reply to the usage ledger once and puts its cost on the response.</summary>
    private ClaudeResponse RecordUsage(ClaudeResponse response, CallOptions call, string outcome)
    {
        if (_connection.Options.UsageRecorder is not { } recorder) return response;
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
    internal static async Task ReadStreamAsync(Stream content, MessageBuilder builder, Action<string> onText, string? requestId, Uri endpoint, CancellationToken ct)
    {
        var parser = new SseParser();
        var frames = new List<SseFrame>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int n = await content.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            if (n == 0) parser.Complete(frames);
            else parser.Feed(new ReadOnlySpan<byte>(buffer, 0, n), frames);
            foreach (var frame in frames)
            {
                if (frame.EventName == "error")
                {
                    var error = ApiErrors.FromStreamEvent(frame.Data, requestId, Shown(endpoint));
                    throw new ClaudeException(error.WithPartial(builder.PartialText, builder.Usage));
                }
                using var doc = JsonDocument.Parse(frame.Data);
                var text = builder.Apply(frame.EventName, doc.RootElement);
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

    private async Task<HttpRequestMessage> CreateRequestAsync(HttpMethod method, Uri uri, byte[]? body, bool stream, CancellationToken ct)
    {
        var req = new HttpRequestMessage(method, uri);
        var auth = await _connection.Credential.GetHeaderAsync(forceRefresh: false, ct).ConfigureAwait(false);
        req.Headers.TryAddWithoutValidation(auth.Name, auth.Value);
        req.Headers.TryAddWithoutValidation("anthropic-version", _connection.Options.AnthropicVersion);
        if (_connection.Options.Betas.Count > 0) req.Headers.TryAddWithoutValidation("anthropic-beta", string.Join(",", _connection.Options.Betas));
        req.Headers.TryAddWithoutValidation("user-agent", UserAgent);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "text/event-stream" : "application/json"));
        if (body is not null)
        {
            req.Content = new ByteArrayContent(body);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return req;
    }

    internal static string? Header(HttpResponseMessage res, string name) =>
        res.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    internal static string Shown(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Authority) + endpoint.AbsolutePath.TrimEnd('/');

    /// <summary>Turns transport exceptions into the error model: user cancel, deadline, network.</summary>
    private static ClaudeException Translate(Exception ex, CancellationToken userToken, TimeSpan timeout, Uri endpoint)
    {
        if (userToken.IsCancellationRequested) return new ClaudeException(ApiErrors.Canceled(), ex);
        if (ex is OperationCanceledException) return new ClaudeException(ApiErrors.Timeout("The request", timeout, Shown(endpoint)), ex);
        if (ex is HttpRequestException or IOException) return new ClaudeException(ApiErrors.Connection(ex, Shown(endpoint)), ex);
        if (ex is JsonException) return new ClaudeException(new ClaudeError("ClaudePS.InvalidResponse", ClaudeErrorCategory.InvalidResult,
            $"The reply from {Shown(endpoint)} was not valid JSON: {ex.Message}") { IsTransient = true }, ex);
        return new ClaudeException(new ClaudeError("ClaudePS.UnexpectedError", ClaudeErrorCategory.NotSpecified, ex.Message), ex);
    }
}
