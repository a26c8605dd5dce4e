using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// The HTTP side of every token request: sends it, learns the server's clock from the Date header,
/// parses the RFC 6749 §5.1 reply and turns failures into errors that say what to fix. Error bodies
/// are reduced to the standard error fields, since anything else could echo a secret back.
/// </summary>
public sealed class TokenEndpointClient
{
    private static readonly string UserAgent = "ClaudePS/" + typeof(TokenEndpointClient).Assembly.GetName().Version?.ToString(3);
    private readonly HttpClient _http;

    public TokenEndpointClient(HttpClient http, ServerClock clock, AuthNotices notices)
    {
        _http = http;
        Clock = clock;
        Notices = notices;
    }

    /// <summary>How long one token request may take.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(100);

    /// <summary>A client with a plain handler (tests, and sources without a connection).</summary>
    public static TokenEndpointClient CreateDefault(ServerClock? clock = null, AuthNotices? notices = null, HttpMessageHandler? handler = null) =>
        new(handler is null ? Http.HttpHandlerFactory.CreateClient(null, 16, Timeout) : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout },
            clock ?? new ServerClock(), notices ?? new AuthNotices());

    public ServerClock Clock { get; }
    public AuthNotices Notices { get; }

    /// <summary>POSTs form fields (client credentials, JWT bearer grant).</summary>
    internal Task<TokenReply> PostFormAsync(Uri endpoint, IEnumerable<KeyValuePair<string, string>> fields, string what, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(fields) }, endpoint, what, headers, ct);

    /// <summary>POSTs a JSON body (Anthropic's /v1/oauth/token takes JSON).</summary>
    internal Task<TokenReply> PostJsonAsync(Uri endpoint, byte[] json, string what, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        SendAsync(() =>
        {
            var content = new ByteArrayContent(json);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        }, endpoint, what, headers, ct);

    /// <summary>GETs a token (instance metadata services).</summary>
    internal Task<TokenReply> GetAsync(Uri uri, Uri shown, string what, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), shown, what, headers, ct);

    private async Task<TokenReply> SendAsync(Func<HttpRequestMessage> create, Uri shown, string what, IEnumerable<KeyValuePair<string, string>>? headers, CancellationToken ct)
    {
        using var req = create();
        req.Headers.TryAddWithoutValidation("user-agent", UserAgent);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (headers is not null)
            foreach (var h in headers) req.Headers.TryAddWithoutValidation(h.Key, h.Value);
        var where = shown.GetLeftPart(UriPartial.Path);
        HttpResponseMessage res;
        try
        {
            res = await _http.SendAsync(req, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.TokenRequestTimeout", ClaudeErrorCategory.OperationTimeout,
                $"The token request ({what}) to {where} timed out. Check that the endpoint is reachable from here (proxy, firewall).") { IsTransient = true });
        }
        catch (HttpRequestException ex)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.TokenEndpointUnreachable", ClaudeErrorCategory.ConnectionError,
                $"Could not reach the token endpoint {where} ({what}): {Innermost(ex).Message} Check -TokenEndpoint, the network and the proxy.") { IsTransient = true });
        }
        using (res)
        {
            bool skewChanged = false;
            if (res.Headers.Date is { } date)
            {
                var before = Clock.Skew;
                if (Clock.Observe(date) is { } notice) Notices.Add(notice);
                skewChanged = (Clock.Skew - before).Duration() >= ServerClock.SignificantSkew;
            }
            var body = await res.Content.ReadAsStringAsync().ConfigureAwait(false);
            string? requestId = res.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
            if (!res.IsSuccessStatusCode)
                return TokenReply.Failed(Failure((int)res.StatusCode, body, requestId, where, what), (int)res.StatusCode, skewChanged);
            return TokenReply.Parse(body, where, what, requestId, skewChanged);
        }
    }

    private static ClaudeError Failure(int status, string body, string? requestId, string where, string what)
    {
        string? code = null, description = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var e))
                {
                    if (e.ValueKind == JsonValueKind.String) code = e.GetString();
                    else if (e.ValueKind == JsonValueKind.Object) // Anthropic's error envelope
                    {
                        code = e.TryGetProperty("type", out var t) ? t.GetString() : null;
                        description = e.TryGetProperty("message", out var m) ? m.GetString() : null;
                    }
                }
                if (root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String) description = d.GetString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: say only the status; the body might echo what was sent.
        }
        description = description is null ? null : Redact(description);
        string detail = code is null ? $"HTTP {status}" : $"HTTP {status} {code}" + (description is null ? "" : ": " + description);
        var (id, category, advice) = (status, code) switch
        {
            (_, "invalid_client") or (401, _) => ("ClaudePS.TokenRequestRejected", ClaudeErrorCategory.AuthenticationError,
                "The client identity or its secret/certificate was rejected: check -ClientId and the secret or certificate registered for it."),
            (_, "invalid_grant") => ("ClaudePS.TokenRequestRejected", ClaudeErrorCategory.AuthenticationError,
                "The assertion or identity token was rejected: check that it is current, its audience, and this machine's clock."),
            (_, "invalid_scope") => ("ClaudePS.TokenRequestRejected", ClaudeErrorCategory.InvalidArgument, "Check -TokenScope."),
            (_, "unauthorized_client") or (403, _) => ("ClaudePS.TokenRequestRejected", ClaudeErrorCategory.PermissionDenied,
                "The client is not allowed this grant or scope; ask the identity provider's admin."),
            ( >= 500, _) or (429, _) => ("ClaudePS.TokenEndpointUnavailable", ClaudeErrorCategory.ResourceUnavailable, "The token endpoint failed; try again shortly."),
            _ => ("ClaudePS.TokenRequestFailed", ClaudeErrorCategory.AuthenticationError, "Check -TokenEndpoint and the credential parameters."),
        };
        return new ClaudeError(id, category, $"The token request ({what}) to {where} failed: {detail}. {advice}")
        {
            HttpStatus = status,
            ErrorType = code,
            RequestId = requestId,
            IsTransient = status >= 500 || status == 429,
        };
    }

    /// <summary>Error descriptions are server text; keep them short and free of anything token-shaped.</summary>
    internal static string Redact(string text)
    {
        if (text.Length > 300) text = text.Substring(0, 300) + "...";
        var words = text.Split(' ');
        for (int i = 0; i < words.Length; i++)
            if (words[i].Length >= 24 && words[i].All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '=' or '+' or '/'))
                words[i] = "***";
        return string.Join(" ", words);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    /// <summary>A short, stable digest of secret material for cache keys: identifies, never reveals.</summary>
    public static string Digest(params string?[] parts)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(string.Join("\u001f", parts.Select(p => p ?? ""))));
        return Convert.ToBase64String(bytes, 0, 18).Replace('+', '-').Replace('/', '_');
    }
}

/// <summary>A token endpoint's answer: a token and its lifetime, or an error.</summary>
internal sealed class TokenReply
{
    public string? AccessToken { get; private init; }
    /// <summary>Seconds from expires_in, when given.</summary>
    public double? ExpiresIn { get; private init; }
    /// <summary>Absolute expiry on the server's clock (expires_on, or the token's own exp).</summary>
    public DateTimeOffset? ExpiresOnServer { get; private init; }
    public ClaudeError? Error { get; private init; }
    public int Status { get; private init; }
    /// <summary>The reply's Date showed a new clock skew: an assertion built before it is worth rebuilding once.</summary>
    public bool SkewChanged { get; private init; }

    public static TokenReply Failed(ClaudeError error, int status, bool skewChanged) => new() { Error = error, Status = status, SkewChanged = skewChanged };

    public static TokenReply Parse(string body, string where, string what, string? requestId, bool skewChanged)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("access_token", out var at) && at.ValueKind == JsonValueKind.String && at.GetString() is { Length: > 0 } token)
            {
                if (root.TryGetProperty("token_type", out var tt) && tt.ValueKind == JsonValueKind.String &&
                    !string.Equals(tt.GetString(), "bearer", StringComparison.OrdinalIgnoreCase))
                    return Failed(Malformed(where, what, $"its token_type is '{tt.GetString()}', not Bearer", requestId), 200, skewChanged);
                return new TokenReply
                {
                    AccessToken = token,
                    ExpiresIn = Number(root, "expires_in"),
                    ExpiresOnServer = Number(root, "expires_on") is { } on ? DateTimeOffset.FromUnixTimeSeconds((long)on) : JwtExpiry(token),
                    Status = 200,
                    SkewChanged = skewChanged,
                };
            }
        }
        catch (JsonException)
        {
        }
        return Failed(Malformed(where, what, "it is not a JSON object with an access_token", requestId), 200, skewChanged);
    }

    private static ClaudeError Malformed(string where, string what, string why, string? requestId) =>
        new("ClaudePS.TokenResponseInvalid", ClaudeErrorCategory.InvalidResult,
            $"The token endpoint {where} answered the token request ({what}), but {why}. Check that -TokenEndpoint is an OAuth 2.0 token endpoint.")
        { RequestId = requestId };

    /// <summary>expires_in / expires_on arrive as numbers, or as strings from Azure's metadata services.</summary>
    private static double? Number(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }

    /// <summary>The exp claim of a JWT access token, read without validating it (only to time the refresh).</summary>
    internal static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload += new string('=', (4 - payload.Length % 4) % 4);
            using var doc = JsonDocument.Parse(Convert.FromBase64String(payload));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Turns the reply into a token on the local clock. Without expires_in or exp the token is
    /// treated as good for 10 minutes: short enough to be safe, long enough not to hammer the issuer.</summary>
    public AccessToken ToToken(DateTimeOffset localNow, ServerClock clock)
    {
        DateTimeOffset expires;
        if (ExpiresIn is { } seconds && seconds > 0) expires = localNow + TimeSpan.FromSeconds(seconds);
        else if (ExpiresOnServer is { } on) expires = on - clock.Skew;
        else expires = localNow + TimeSpan.FromMinutes(10);
        return new AccessToken(AccessToken!, localNow, expires);
    }
}
