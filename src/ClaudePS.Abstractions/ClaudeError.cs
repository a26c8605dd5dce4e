using System;

namespace ClaudePS;

/// <summary>
/// What went wrong, in a form the cmdlet layer turns into an ErrorRecord: a stable id, a category,
/// the HTTP status and API error type when the server answered, the request id, a message that says
/// what happened and what to do, and the input that failed.
/// </summary>
public sealed class ClaudeError
{
    /// <summary>The id of the error a stopped or canceled operation ends with (Ctrl+C, Stop-Job).</summary>
    public const string CanceledId = "ClaudePS.Canceled";

    public ClaudeError(string errorId, ClaudeErrorCategory category, string message)
    {
        ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
        Category = category;
        Message = message ?? throw new ArgumentNullException(nameof(message));
    }

    /// <summary>Stable id, e.g. <c>ClaudePS.RateLimited</c>; scripts may match on it.</summary>
    public string ErrorId { get; }
    public ClaudeErrorCategory Category { get; }
    public string Message { get; }
    /// <summary>HTTP status when the server answered; null for client-side and network errors.</summary>
    public int? HttpStatus { get; init; }
    /// <summary>The API's <c>error.type</c> (kept verbatim, unknown values included).</summary>
    public string? ErrorType { get; init; }
    public string? RequestId { get; init; }
    /// <summary>The input object that failed (a CSV row, a prompt), for ErrorRecord.TargetObject.</summary>
    public object? Target { get; init; }
    /// <summary>Whether trying again later could succeed.</summary>
    public bool IsTransient { get; init; }
    /// <summary>Text the model had produced before a stream failed, when there was any.</summary>
    public string? PartialText { get; init; }
    /// <summary>Usage the server reported before the failure, when there was any.</summary>
    public ClaudeUsage? PartialUsage { get; init; }
    /// <summary>The underlying exception (socket, HTTP, IO), when there was one; the ErrorRecord's
    /// <c>Exception.InnerException</c>.</summary>
    public Exception? Cause { get; init; }

    /// <summary>The operation was stopped rather than failing: callers let this one end the command.</summary>
    public bool IsCanceled => ErrorId == CanceledId;

    // The one way to derive an error from another: every field is carried over (request id and cause
    // included) except the one a caller names.
    public ClaudeError WithTarget(object? target) => Copy(Message, RequestId, target, PartialText, PartialUsage, Cause);

    public ClaudeError WithPartial(string? partialText, ClaudeUsage? partialUsage) => Copy(Message, RequestId, Target, partialText, partialUsage, Cause);

    public ClaudeError WithCause(Exception? cause) => Copy(Message, RequestId, Target, PartialText, PartialUsage, cause);

    /// <summary>The same error told differently (context added, a secret scrubbed).</summary>
    public ClaudeError WithMessage(string message) => Copy(message, RequestId, Target, PartialText, PartialUsage, Cause);

    public ClaudeError WithRequestId(string? requestId) => Copy(Message, requestId, Target, PartialText, PartialUsage, Cause);

    private ClaudeError Copy(string message, string? requestId, object? target, string? partialText, ClaudeUsage? partialUsage, Exception? cause) => new(ErrorId, Category, message)
    {
        HttpStatus = HttpStatus,
        ErrorType = ErrorType,
        RequestId = requestId,
        Target = target,
        IsTransient = IsTransient,
        PartialText = partialText,
        PartialUsage = partialUsage,
        Cause = cause,
    };

    public override string ToString() => RequestId is null ? $"{ErrorId}: {Message}" : $"{ErrorId}: {Message} (request id {RequestId})";
}

/// <summary>The exception every engine failure surfaces as; it carries the structured error.</summary>
public sealed class ClaudeException : Exception
{
    public ClaudeException(ClaudeError error, Exception? inner = null) : base(error.Message, inner ?? error.Cause) =>
        // The error keeps its cause, so a per-item ErrorRecord written from it still has the InnerException.
        Error = inner is not null && error.Cause is null ? error.WithCause(inner) : error;
    public ClaudeError Error { get; }
}
