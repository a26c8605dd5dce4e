using System;
using System.Collections.Generic;

namespace ClaudePS;

/// <summary>What happened to one input row of a batch.</summary>
public enum ClaudeBatchRowStatus
{
    /// <summary>The model answered; <see cref="ClaudeBatchResult.Text"/> holds the reply.</summary>
    Succeeded = 0,
    /// <summary>The row was sent (or could not be built) and failed; <see cref="ClaudeBatchResult.Error"/> says why.</summary>
    Failed = 1,
    /// <summary>The row was deliberately not sent (budget reached, checkpoint mismatch, stopped).</summary>
    Skipped = 2,
}

/// <summary>
/// One output row of Invoke-ClaudeBatch / Receive-ClaudeBatchResult: the input row's own columns plus
/// the outcome. The cmdlet writes it as an object whose first properties are the row's columns, so
/// Export-Csv writes one line per input line.
/// </summary>
public sealed class ClaudeBatchResult
{
    /// <summary>The row's columns in input order (name, value), as the cmdlet read them.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Columns { get; init; } = Array.Empty<KeyValuePair<string, object?>>();
    /// <summary>The input object itself (a CSV row, a string), for correlation and ErrorRecord.TargetObject.</summary>
    public object? Input { get; init; }
    /// <summary>The row's Id column, or its 1-based position in the input when it has none.</summary>
    public string RowId { get; init; } = "";
    /// <summary>1-based position of the row in the input.</summary>
    public long RowNumber { get; init; }
    public ClaudeBatchRowStatus Status { get; init; }
    public string Text { get; init; } = "";
    /// <summary>Redactions applied to the reply, by type: its text, and any thinking or tool input it had
    /// (a row carries only the text, so nothing of those reaches a CSV file or checkpoint).</summary>
    public IReadOnlyDictionary<string, int> Redactions { get; init; } = new Dictionary<string, int>();
    public string? Model { get; init; }
    public string? StopReason { get; init; }
    public ClaudeError? Error { get; init; }
    public ClaudeUsage Usage { get; init; } = ClaudeUsage.Empty;
    /// <summary>Cost in USD (batch price in server mode); null when unknown or nothing was billed.</summary>
    public decimal? CostUsd { get; init; }
    public string? RequestId { get; init; }
    /// <summary>The Message Batches custom_id (server mode).</summary>
    public string? CustomId { get; init; }
    /// <summary>The Message Batches batch id (server mode).</summary>
    public string? BatchId { get; init; }
    /// <summary>True when the result was read back from the checkpoint instead of being sent again.</summary>
    public bool FromCheckpoint { get; init; }
    /// <summary>With -JsonSchema / -OutputType: the reply's top-level fields in schema order, typed as the
    /// schema says (integer long, number double, boolean bool, string string, objects and arrays compact
    /// JSON text). Empty when the row failed or no schema was given.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Fields { get; init; } = Array.Empty<KeyValuePair<string, object?>>();

    /// <summary>The error message, or empty: a flat column for CSV export.</summary>
    public string ErrorMessage => Error?.Message ?? "";

    public override string ToString() => Status == ClaudeBatchRowStatus.Succeeded ? Text : $"{RowId}: {Status} {ErrorMessage}";
}
