using System;

namespace ClaudePS;

/// <summary>
/// A Message Batches batch as the server reports it: what Invoke-ClaudeBatch -UseBatchApi -NoWait and
/// Get-ClaudeBatch return. Only the id is needed to find it again after a restart.
/// </summary>
public sealed class ClaudeBatchInfo
{
    public string Id { get; init; } = "";
    /// <summary>in_progress, canceling or ended (kept verbatim).</summary>
    public string ProcessingStatus { get; init; } = "";
    public long Processing { get; init; }
    public long Succeeded { get; init; }
    public long Errored { get; init; }
    public long Canceled { get; init; }
    public long Expired { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public DateTimeOffset? CancelInitiatedAt { get; init; }
    public DateTimeOffset? ArchivedAt { get; init; }
    /// <summary>Where the JSONL results are (null until the batch has ended).</summary>
    public string? ResultsUrl { get; init; }
    /// <summary>The connection the batch was created through (not a secret).</summary>
    public string? ConnectionName { get; init; }

    public long Total => Processing + Succeeded + Errored + Canceled + Expired;
    public bool IsEnded => string.Equals(ProcessingStatus, "ended", StringComparison.Ordinal);

    public override string ToString() => $"{Id} ({ProcessingStatus}, {Succeeded}/{Total} succeeded)";
}
