using System;

namespace ClaudePS.Engine.Resilience;

/// <summary>What kind of thing went wrong in one attempt (decides retry and failover).</summary>
internal enum FailureKind
{
    /// <summary>The server answered with an error status.</summary>
    Status,
    /// <summary>No answer: DNS, refused, reset, TLS.</summary>
    Connection,
    /// <summary>The attempt's own time limit passed.</summary>
    AttemptTimeout,
    /// <summary>A stream sent no bytes for the idle timeout.</summary>
    StreamIdle,
    /// <summary>An error event or a truncated stream after HTTP 200.</summary>
    Stream,
    /// <summary>The reply was not valid JSON.</summary>
    InvalidReply,
    /// <summary>The endpoint's circuit breaker is open.</summary>
    CircuitOpen,
}

/// <summary>
/// One failed attempt, with what the retry rules need: the error users would see, the server's
/// retry hints, the endpoint, and whether content already reached the caller.
/// </summary>
internal sealed class AttemptFailure : Exception
{
    public AttemptFailure(ClaudeError error, FailureKind kind, Exception? inner = null) : base(error.Message, inner)
    {
        Error = error;
        Kind = kind;
    }

    public ClaudeError Error { get; set; }
    public FailureKind Kind { get; }
    public int? Status => Error.HttpStatus;
    /// <summary>The server's x-should-retry, when it sent one.</summary>
    public bool? ShouldRetryHeader { get; init; }
    /// <summary>The wait the server asked for (retry-after-ms / retry-after), when it named one.</summary>
    public TimeSpan? ServerWait { get; init; }
    /// <summary>Which header named <see cref="ServerWait"/> (for the verbose line).</summary>
    public string? ServerWaitSource { get; init; }
    public int EndpointIndex { get; set; }
    /// <summary>Text, thinking or tool input already reached the caller: the call must not be repeated.</summary>
    public bool ContentDelivered { get; init; }
    /// <summary>Usage the server reported before the failure (billed even though the attempt failed).</summary>
    public ClaudeUsage? Usage { get; init; }
    public string? Model { get; init; }

    /// <summary>Failures that say the endpoint itself is unwell: the next attempt goes elsewhere.</summary>
    public bool MovesEndpoint => Kind switch
    {
        FailureKind.Connection or FailureKind.AttemptTimeout or FailureKind.StreamIdle or FailureKind.CircuitOpen => true,
        FailureKind.Status => Status is >= 500,
        FailureKind.Stream => Error.ErrorType is "overloaded_error" or "api_error" || Error.ErrorId == "ClaudePS.StreamTruncated",
        _ => false,
    };
}
