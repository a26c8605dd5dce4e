using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>The error types of the Claude API, as they appear in error.type.</summary>
public static class ErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string Billing = "billing_error";
    public const string Permission = "permission_error";
    public const string NotFound = "not_found_error";
    public const string Conflict = "conflict_error";
    public const string RequestTooLarge = "request_too_large";
    public const string RateLimit = "rate_limit_error";
    public const string Api = "api_error";
    public const string Timeout = "timeout_error";
    public const string Overloaded = "overloaded_error";

    /// <summary>The error type the real API uses for a status code.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => InvalidRequest,
        401 => Authentication,
        402 => Billing,
        403 => Permission,
        404 => NotFound,
        409 => Conflict,
        413 => RequestTooLarge,
        429 => RateLimit,
        504 => Timeout,
        529 => Overloaded,
        _ when status >= 500 => Api,
        _ => InvalidRequest,
    };

    /// <summary>A plain message for an injected fault of this status.</summary>
    public static string FaultMessage(int status) => status switch
    {
        429 => "Number of requests has exceeded your rate limit (emulated fault).",
        500 => "Internal server error (emulated fault).",
        502 => "Bad gateway (emulated fault).",
        503 => "Service unavailable (emulated fault).",
        504 => "Request timed out (emulated fault).",
        529 => "Overloaded (emulated fault).",
        _ => $"Emulated fault with status {status}.",
    };
}

/// <summary>An API error the emulator answers with: status, error.type, message and optional details.</summary>
public sealed class EmulatorApiException : Exception
{
    public EmulatorApiException(int status, string errorType, string message, JsonObject? details = null) : base(message)
    {
        Status = status;
        ErrorType = errorType;
        Details = details;
    }

    public int Status { get; }
    public string ErrorType { get; }
    public JsonObject? Details { get; }
    /// <summary>Extra response headers (retry-after, rate-limit headers...).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The real API's error body: {"type":"error","error":{type,message[,details]},"request_id"}.</summary>
    public JsonObject ToBody(string? requestId)
    {
        var error = new JsonObject { ["type"] = ErrorType, ["message"] = Message };
        if (Details != null) error["details"] = Details.DeepClone();
        var body = new JsonObject { ["type"] = "error", ["error"] = error };
        if (requestId != null) body["request_id"] = requestId;
        return body;
    }
}

/// <summary>Writes error responses in the real API's shape.</summary>
internal static class ApiErrorResponses
{
    public static async Task WriteAsync(HttpContext context, EmulatorApiException error)
    {
        var response = context.Response;
        // Clients obey x-should-retry before the status: say what the real API would.
        response.Headers["x-should-retry"] = error.Status == 429 && error.Details == null || error.Status >= 500 || error.Status == 408 || error.Status == 409
            ? "true" : "false";
        foreach (var pair in error.Headers) response.Headers[pair.Key] = pair.Value;
        await ApiHandler.WriteJsonAsync(context, error.ToBody(RequestIds.Of(context)), error.Status).ConfigureAwait(false);
    }
}
