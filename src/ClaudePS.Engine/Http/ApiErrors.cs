using System;
using System.Text.Json;
using ClaudePS.Engine.Auth;

namespace ClaudePS.Engine.Http;

/// <summary>Maps API and transport failures to <see cref="ClaudeError"/> (DESIGN.md §4).</summary>
public static class ApiErrors
{
    /// <summary>An HTTP error reply. <paramref name="body"/> is the raw body (may be empty or not JSON).</summary>
    public static ClaudeError FromHttp(int status, string? body, string? requestId, string? endpoint = null)
    {
        (string? type, string? message, string? code) = ParseBody(body);
        requestId ??= ParseRequestId(body);
        return FromApiError(status, type, message, requestId, code, endpoint);
    }

    /// <summary>An <c>error</c> event inside a stream after HTTP 200.</summary>
    public static ClaudeError FromStreamEvent(string data, string? requestId, string? endpoint = null)
    {
        (string? type, string? message, string? code) = ParseBody(data);
        int status = StatusForType(type);
        var error = FromApiError(status, type, message, requestId, code, endpoint);
        return new ClaudeError("ClaudePS.StreamError", error.Category,
            $"The stream failed after it started: {error.Message}")
        { HttpStatus = null, ErrorType = type, RequestId = requestId, IsTransient = error.IsTransient };
    }

    public static ClaudeError FromApiError(int status, string? type, string? message, string? requestId, string? detailCode = null, string? endpoint = null)
    {
        message = string.IsNullOrWhiteSpace(message) ? $"HTTP {status}" : KnownSecrets.Scrub(message!.Trim());
        string where = endpoint is null ? "" : $" from {endpoint}";
        (string id, ClaudeErrorCategory category, string advice, bool transient) = status switch
        {
            400 => ("ClaudePS.InvalidRequest", ClaudeErrorCategory.InvalidArgument, "Check the parameters named in the message.", false),
            401 => ("ClaudePS.AuthenticationFailed", ClaudeErrorCategory.AuthenticationError, "Check the API key or token; run Connect-Claude again with a valid credential.", false),
            402 => ("ClaudePS.BillingError", ClaudeErrorCategory.QuotaExceeded, "Check the organisation's billing settings in the Claude Console.", false),
            403 => ("ClaudePS.PermissionDenied", ClaudeErrorCategory.PermissionDenied, "The credential is valid but lacks access to this model or feature.", false),
            404 => ("ClaudePS.NotFound", ClaudeErrorCategory.ObjectNotFound, "Check the model name (Get-ClaudeModel lists them), the batch id (Get-ClaudeBatch lists them) or the URI.", false),
            408 => ("ClaudePS.Timeout", ClaudeErrorCategory.OperationTimeout, "The request timed out at the server; try again.", true),
            409 => ("ClaudePS.Conflict", ClaudeErrorCategory.ResourceBusy, "A conflicting operation is in progress; try again.", true),
            413 => ("ClaudePS.RequestTooLarge", ClaudeErrorCategory.LimitsExceeded, "Make the request smaller (32 MB at most for messages).", false),
            429 when detailCode == "enforced_spend_limit_reached" =>
                ("ClaudePS.SpendLimitReached", ClaudeErrorCategory.QuotaExceeded, "The organisation's spend limit is reached; retrying will not help until it is raised.", false),
            429 => ("ClaudePS.RateLimited", ClaudeErrorCategory.LimitsExceeded, "The rate limit was hit; lower -ThrottleLimit or the per-minute caps on Connect-Claude.", true),
            504 => ("ClaudePS.Timeout", ClaudeErrorCategory.OperationTimeout, "The server timed out; try again, or stream long requests with -Stream.", true),
            529 => ("ClaudePS.Overloaded", ClaudeErrorCategory.ResourceBusy, "The API is overloaded; try again shortly.", true),
            >= 500 => ("ClaudePS.ServerError", ClaudeErrorCategory.ResourceUnavailable, "The API had an internal error; try again.", true),
            _ => ("ClaudePS.HttpError", ClaudeErrorCategory.ProtocolError, "Unexpected status.", false),
        };
        return new ClaudeError(id, category, $"{message} (HTTP {status}{(type is null ? "" : " " + type)}{where}). {advice}")
        {
            HttpStatus = status,
            ErrorType = type,
            RequestId = requestId,
            IsTransient = transient,
        };
    }

    public static ClaudeError Timeout(string what, TimeSpan after, string? endpoint) =>
        new("ClaudePS.Timeout", ClaudeErrorCategory.OperationTimeout,
            $"{what} timed out after {after.TotalSeconds:0.#} s{(endpoint is null ? "" : " at " + endpoint)}. Raise -TimeoutSec, or use -Stream for long replies.")
        { IsTransient = true };

    public static ClaudeError Connection(Exception ex, string? endpoint) =>
        new("ClaudePS.ConnectionFailed", ClaudeErrorCategory.ConnectionError,
            $"Could not reach {endpoint ?? "the API"}: {Innermost(ex).Message} Check the network, the proxy settings and -BaseUri.")
        { IsTransient = true };

    public static ClaudeError Canceled() =>
        new(ClaudeError.CanceledId, ClaudeErrorCategory.OperationStopped, "The operation was canceled.");

    internal static int StatusForType(string? type) => type switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "conflict_error" => 409,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => 500,
    };

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    private static (string? type, string? message, string? code) ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(body!);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                string? type = e.TryGetProperty("type", out var t) ? t.GetString() : null;
                string? message = e.TryGetProperty("message", out var m) ? m.GetString() : null;
                string? code = e.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object &&
                               d.TryGetProperty("error_code", out var c) ? c.GetString() : null;
                return (type, message, code);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): report its start as the message.
        }
        var text = body!.Length > 200 ? body.Substring(0, 200) + "…" : body;
        return (null, text, null);
    }

    private static string? ParseRequestId(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body!);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("request_id", out var r) ? r.GetString() : null;
        }
        catch (JsonException) { return null; }
    }
}
