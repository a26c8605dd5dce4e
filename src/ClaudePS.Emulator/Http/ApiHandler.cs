using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>What one API exchange did, filled in by the endpoint and recorded once (see <see cref="Record"/>).</summary>
public sealed class ApiExchange
{
    private int _recorded;

    internal ApiExchange(HttpContext context, EmulatorState state, string endpoint)
    {
        Context = context;
        State = state;
        Endpoint = endpoint;
        Started = state.Clock.GetUtcNow();
        context.Features.Set(this);
    }

    internal DateTimeOffset Started { get; }

    public HttpContext Context { get; }
    public EmulatorState State { get; }
    public string Endpoint { get; }
    public CallerIdentity Caller { get; internal set; }
    public string? Model { get; set; }
    /// <summary>Set when the reply was complete and billed.</summary>
    public EmulatorUsage? Usage { get; set; }
    public bool Streamed { get; set; }
    public string? Fault { get; set; }
    public string? ErrorType { get; set; }
    /// <summary>True when the connection was dropped on purpose (reset faults).</summary>
    public bool Aborted { get; set; }

    /// <summary>
    /// Adds this exchange's accounting record, once. Endpoints call it just before a reply's last bytes
    /// go out: a client that has read a whole reply (a JSON reply with its Content-Length, or a stream up
    /// to message_stop) can be done before the handler returns, and must then find the record already
    /// there. The handler's end records whatever did not get that far (errors before a reply, resets).
    /// </summary>
    public void Record()
    {
        if (Interlocked.Exchange(ref _recorded, 1) != 0) return;
        var response = Context.Response;
        State.Accounting.Add(new EmulatorRequestRecord
        {
            Timestamp = Started,
            RequestId = RequestIds.Of(Context) ?? "",
            Endpoint = Endpoint,
            ApiKeyId = string.IsNullOrEmpty(Caller.KeyId) ? null : Caller.KeyId,
            Model = Model,
            Usage = Aborted ? null : Usage,
            StatusCode = Aborted && !response.HasStarted ? 0 : response.StatusCode,
            Streamed = Streamed,
            Fault = Fault,
            ErrorType = ErrorType,
            Duration = State.Clock.GetUtcNow() - Started,
        });
    }

    /// <summary>The exchange a request runs in, if it runs in one (the fallback route does not).</summary>
    internal static ApiExchange? Of(HttpContext context) => context.Features.Get<ApiExchange>();

    /// <summary>Drops the connection without a (complete) response.</summary>
    public void Abort()
    {
        Aborted = true;
        Context.Abort();
    }

    /// <summary>Drops the connection after what was already sent had time to reach the client
    /// (an immediate reset would make the client's TCP stack discard it unread).</summary>
    public async Task AbortAfterFlushAsync()
    {
        await Context.Response.Body.FlushAsync(Context.RequestAborted).ConfigureAwait(false);
        // Long enough for a loaded client to read what was flushed before the connection drops.
        await Task.Delay(TimeSpan.FromMilliseconds(250), Context.RequestAborted).ConfigureAwait(false);
        Abort();
    }
}

/// <summary>API versions and what changed between them.</summary>
public static class ApiVersions
{
    public const string Legacy = "2023-06-01";
    public const string Current = "2026-10-21";

    /// <summary>True for 2026-10-21 and later (null means the newest): sampling parameters removed, documents
    /// in assistant turns and citations on user text rejected. Dates compare as text (yyyy-MM-dd).</summary>
    public static bool IsCurrent(string? version) => version is null || string.CompareOrdinal(version, Current) >= 0;
}

/// <summary>
/// The frame every API endpoint runs in: authentication, anthropic-version, rate-limit headers on
/// every response of an authenticated caller, API errors in the real shape, and one accounting
/// record per request. Other endpoint groups (batches, admin) can use it too.
/// </summary>
public static class ApiHandler
{
    /// <summary>The newest API version (SDK majors from October 2026 send it).</summary>
    public const string SupportedVersion = ApiVersions.Current;

    /// <summary>The anthropic-version the request carries.</summary>
    public static string? VersionOf(HttpContext context) => context.Request.Headers["anthropic-version"].FirstOrDefault();

    public static async Task RunAsync(HttpContext context, EmulatorState state, string endpoint, Func<ApiExchange, Task> work)
    {
        var exchange = new ApiExchange(context, state, endpoint);
        try
        {
            exchange.Caller = ApiKeyAuthenticator.Authenticate(context, state);
            string keyId = exchange.Caller.KeyId;
            context.Response.OnStarting(() =>
            {
                state.RateLimiter.AddHeaders(context.Response.Headers, keyId);
                return Task.CompletedTask;
            });
            string? version = context.Request.Headers["anthropic-version"].FirstOrDefault();
            if (string.IsNullOrEmpty(version))
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "anthropic-version: header is required");
            // Versions are dates; newer SDKs send later ones (13.x sends 2026-10-21), so any date from 2023 on is accepted.
            if (!DateOnly.TryParseExact(version, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date) ||
                date < new DateOnly(2023, 1, 1))
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"anthropic-version: '{version}' is not a valid version; use {SupportedVersion}");
            await work(exchange).ConfigureAwait(false);
        }
        catch (EmulatorApiException error)
        {
            exchange.ErrorType = error.ErrorType;
            if (!context.Response.HasStarted && !exchange.Aborted) await ApiErrorResponses.WriteAsync(context, error).ConfigureAwait(false);
        }
        catch (BadHttpRequestException error)
        {
            exchange.ErrorType = ErrorTypes.InvalidRequest;
            if (!context.Response.HasStarted)
                await ApiErrorResponses.WriteAsync(context, new EmulatorApiException(400, ErrorTypes.InvalidRequest, error.Message)).ConfigureAwait(false);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or a fault dropped the connection); nothing more to send.
            exchange.Aborted = true;
        }
        finally
        {
            exchange.Record();
        }
    }

    /// <summary>Writes a whole JSON reply with its Content-Length, in one write: the client reads it in
    /// one go instead of waiting for a chunked body's last chunk.</summary>
    public static Task WriteJsonAsync(HttpContext context, JsonNode body, int status = 200) =>
        WriteJsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(body, WireJson.Options), status);

    /// <summary>Writes a whole reply already serialised as UTF-8 JSON, as the overload above does. The
    /// exchange is recorded first: with its Content-Length the reply is complete for the client as soon
    /// as the bytes are out.</summary>
    public static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json, int status = 200)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
        ApiExchange.Of(context)?.Record();
        await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
