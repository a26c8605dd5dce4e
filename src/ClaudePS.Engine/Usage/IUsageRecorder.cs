using System;
using System.Collections.Generic;

namespace ClaudePS.Engine.Usage;

/// <summary>One billed call (or attempt that returned usage), as the transport saw it.</summary>
public sealed class UsageEvent
{
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
    public string? RequestId { get; init; }
    public string Endpoint { get; init; } = "";
    public string Model { get; init; } = "";
    public ClaudeUsage Usage { get; init; } = ClaudeUsage.Empty;
    /// <summary>succeeded, stream_failed, batch_succeeded, ...</summary>
    public string Outcome { get; init; } = "succeeded";
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    /// <summary>Billed at the Message Batches price (50 %).</summary>
    public bool IsBatch { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Served by the local response cache: nothing was billed, so nothing is recorded.</summary>
    public bool FromCache { get; init; }
    /// <summary>Where the recorder's warnings go (an unknown price, a ledger it could not write); null for nowhere.</summary>
    public IClaudeOutputSink? Log { get; init; }
}

/// <summary>Receives every usage-bearing reply exactly once; returns the cost in USD (null when the
/// model's price is unknown). The ledger implements it.</summary>
public interface IUsageRecorder
{
    decimal? Record(UsageEvent usage);
}
