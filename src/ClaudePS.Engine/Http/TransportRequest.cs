using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.RateLimiting;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Http;

/// <summary>Reads a successful reply of one attempt. Sets <see cref="AttemptContext.Builder"/> for
/// Messages replies so the transport can settle usage and report partial content on failure.</summary>
internal delegate Task<T> ReplyReader<T>(HttpResponseMessage response, AttemptContext attempt, CancellationToken cancellationToken);

/// <summary>One logical call as the transport sends it (possibly several times): what each attempt sends.</summary>
internal abstract class TransportRequest
{
    public HttpMethod Method { get; init; } = HttpMethod.Post;
    public byte[]? Body { get; init; }
    public bool Stream { get; init; }
    /// <summary>Set for Messages calls: what the rate limiter reserves. Null: concurrency limit only.</summary>
    public RateLimitDemand? Demand { get; init; }
    /// <summary>Short name for verbose lines ("messages", "count_tokens", "GET v1/models").</summary>
    public string What { get; init; } = "request";
    /// <summary>The model asked for (metrics label); null for calls that name none.</summary>
    public string? Model { get; init; }
    /// <summary>The anthropic-beta header when this request adds betas to the connection's (all of them, joined).</summary>
    public string? Betas { get; init; }
    /// <summary>When the caller's call began (<see cref="TimeProvider.System"/> timestamp); 0: when the transport starts it.</summary>
    public long Started { get; init; }

    /// <summary>The request URI under a given endpoint (attempts may go to different endpoints).</summary>
    public abstract Uri Target(Uri endpoint);

    /// <summary>Called once for every failed attempt that had reported usage (billed although it failed).</summary>
    public virtual void OnFailedAttemptUsage(ClaudeUsage usage, AttemptContext attempt)
    {
    }
}

/// <summary>A call whose successful reply becomes a <typeparamref name="T"/>. The Messages call is its own
/// subclass (it also bills failed attempts); other calls use <see cref="DelegateRequest{T}"/>.</summary>
internal abstract class TransportRequest<T> : TransportRequest
{
    /// <summary>Reads the successful reply of an attempt.</summary>
    public abstract ValueTask<T> ReadAsync(HttpResponseMessage response, AttemptContext attempt, CancellationToken cancellationToken);
}

/// <summary>A call given as a target function and a reader (every call but Messages).</summary>
internal sealed class DelegateRequest<T> : TransportRequest<T>
{
    private readonly Func<Uri, Uri> _target;
    private readonly ReplyReader<T> _read;

    public DelegateRequest(Func<Uri, Uri> target, ReplyReader<T> read)
    {
        _target = target;
        _read = read;
    }

    public override Uri Target(Uri endpoint) => _target(endpoint);

    public override ValueTask<T> ReadAsync(HttpResponseMessage response, AttemptContext attempt, CancellationToken cancellationToken) =>
        new(_read(response, attempt, cancellationToken));
}

/// <summary>What a reader and the failure handling know about the current attempt.</summary>
internal sealed class AttemptContext
{
    public int Attempt { get; init; }
    public Uri Endpoint { get; init; } = null!;
    public string ShownEndpoint { get; init; } = "";
    public string? RequestId { get; set; }
    /// <summary>Real-time timestamp of the call's start (<see cref="TimeProvider.System"/>, for Duration and TimeToFirstToken).</summary>
    public long Started { get; init; }

    /// <summary>Real time since the call began.</summary>
    public TimeSpan Elapsed => TimeProvider.System.GetElapsedTime(Started);
    public MessageBuilder? Builder { get; set; }
    public IdleWatchdog? Idle { get; init; }
    public string? Model { get; init; }
}
