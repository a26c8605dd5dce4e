using System;
using System.Collections.Generic;

namespace ClaudePS.Engine.Batching;

/// <summary>What Invoke-ClaudeBatch binds, as plain C#. Per-row columns override these defaults.</summary>
public sealed class BatchOptions
{
    /// <summary>Shared system prompt; sent with prompt caching when it is long enough to pay.</summary>
    public string? System { get; set; }
    public string? Model { get; set; }
    public int MaxTokens { get; set; } = Wire.KnownModels.DefaultMaxTokens;
    public double? Temperature { get; set; }
    /// <summary>output_config.effort for every row (a row's Effort column overrides it).</summary>
    public string? Effort { get; set; }
    /// <summary>Cache the shared system prompt: null decides by size (cached when long enough for the
    /// API to accept a cache breakpoint), true always, false never.</summary>
    public bool? CacheSystemPrompt { get; set; }
    /// <summary>Structured output (JSON schema text): the reply's top-level fields become typed columns
    /// (<see cref="TypedColumnSchema"/>); a reply that does not fit fails its row.</summary>
    public string? JsonSchema { get; set; }
    /// <summary>The column naming each row's attachments; null reads Attachment (or Attachments) when present.</summary>
    public string? AttachmentColumn { get; set; }
    /// <summary>A prompt with {{Column}} placeholders filled from each row; replaces the prompt column.</summary>
    public string? PromptTemplate { get; set; }

    /// <summary>Requests in flight at once (parallel mode).</summary>
    public int ThrottleLimit { get; set; } = 8;
    /// <summary>What to redact from each row's reply before it is written or checkpointed (Standard by default).</summary>
    public Redaction.RedactionOptions Redaction { get; set; } = ClaudePS.Engine.Redaction.RedactionOptions.Standard;
    /// <summary>Write rows as they finish instead of in input order.</summary>
    public bool AsCompleted { get; set; }
    /// <summary>
    /// In input order, how many rows may be admitted ahead of the oldest unfinished one (in flight plus
    /// finished-but-waiting). When it is full, reading input pauses until the oldest row finishes, so
    /// memory stays bounded however slow one row is. 0 picks 16 x ThrottleLimit.
    /// </summary>
    public int ReorderBufferSize { get; set; }

    /// <summary>JSON-lines checkpoint: finished rows are appended as they complete and skipped on a rerun.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Use the Message Batches API (half price, results within 24 h).</summary>
    public bool UseBatchApi { get; set; }
    /// <summary>Server mode: return batch handles right after submitting.</summary>
    public bool NoWait { get; set; }
    /// <summary>Server mode: first and longest wait between status polls.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Server mode: split limits (the API's are 100,000 requests and 256 MB).</summary>
    public int MaxRequestsPerBatch { get; set; } = MessageBatchLimits.MaxRequests;
    public long MaxBytesPerBatch { get; set; } = MessageBatchLimits.MaxBytes;
    /// <summary>Parallel mode suggests -UseBatchApi once a job has this many rows.</summary>
    public long SuggestBatchApiAboveRows { get; set; } = 5_000;

    /// <summary>Stop sending before spent plus reserved cost would pass this (USD).</summary>
    public decimal? MaxCostUsd { get; set; }
    /// <summary>Total rows when the caller knows it up front (progress percentage and ETA).</summary>
    public long? ExpectedRows { get; set; }
    public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
    /// <summary>How often progress may be written (the issue asks for at most about 4 a second).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Progress activity id (nested under a parent when the caller has one).</summary>
    public int ProgressActivityId { get; set; } = 47;

    internal int EffectiveReorderBuffer => ReorderBufferSize > 0 ? Math.Max(ReorderBufferSize, ThrottleLimit) : Math.Max(16, ThrottleLimit * 16);

    internal void Validate()
    {
        if (ThrottleLimit < 1 || ThrottleLimit > 1024)
            throw BatchErrors.Invalid("ThrottleLimit", $"ThrottleLimit must be between 1 and 1024; it was {ThrottleLimit}.");
        if (MaxCostUsd is < 0)
            throw BatchErrors.Invalid("MaxCostUsd", "MaxCostUsd must not be negative.");
        if (MaxRequestsPerBatch < 1 || MaxRequestsPerBatch > MessageBatchLimits.MaxRequests)
            throw BatchErrors.Invalid("MaxRequestsPerBatch", $"A batch holds 1 to {MessageBatchLimits.MaxRequests} requests.");
        if (PollInterval <= TimeSpan.Zero || MaxPollInterval < PollInterval)
            throw BatchErrors.Invalid("PollInterval", "The poll interval must be positive and not above the longest poll interval.");
    }
}

/// <summary>The Message Batches API's limits.</summary>
public static class MessageBatchLimits
{
    public const int MaxRequests = 100_000;
    public const long MaxBytes = 256L * 1024 * 1024;
}

/// <summary>The batch errors with stable ids, in one place.</summary>
internal static class BatchErrors
{
    public static ClaudeException Invalid(string field, string message) =>
        new(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument, $"{field}: {message}"));

    public static ClaudeError NoPrompt(string rowId, object? target) =>
        new("ClaudePS.BatchNoPrompt", ClaudeErrorCategory.InvalidArgument,
            $"Row {rowId} has no prompt: give a Prompt column (or Text, Question, Input, Message, Content), -Prompt strings, or -PromptTemplate.") { Target = target };

    public static ClaudeError MissingTemplateColumn(string rowId, string column, object? target) =>
        new("ClaudePS.BatchTemplateColumnMissing", ClaudeErrorCategory.InvalidData,
            $"Row {rowId}: the prompt template uses {{{{{column}}}}} but the row has no column '{column}'. Add the column or fix the template.") { Target = target };

    public static ClaudeError BadColumn(string rowId, string column, string value, string expected, object? target) =>
        new("ClaudePS.BatchInvalidColumn", ClaudeErrorCategory.InvalidData,
            $"Row {rowId}: column {column} is '{value}', which is not {expected}. Fix the value or drop the column.") { Target = target };

    public static ClaudeError DuplicateId(string rowId, object? target) =>
        new("ClaudePS.BatchDuplicateRowId", ClaudeErrorCategory.InvalidData,
            $"Row id '{rowId}' appears more than once. Checkpoints and the batch API need unique ids: fix the Id column.") { Target = target };

    public static ClaudeError CheckpointMismatch(string rowId, string path, object? target) =>
        new("ClaudePS.BatchCheckpointMismatch", ClaudeErrorCategory.InvalidData,
            $"Row {rowId} is in the checkpoint '{path}' with different content (prompt, system, model or settings changed). It was not sent again. Use a new -CheckpointPath for changed input, or remove that row from the checkpoint.") { Target = target };


    public static ClaudeError PriceUnknown(string rowId, string model, object? target) =>
        new("ClaudePS.BatchPriceUnknown", ClaudeErrorCategory.InvalidOperation,
            $"Row {rowId} was not sent: -MaxCostUsd is set but the price of model '{model}' is unknown, so its cost cannot be reserved. Add a price for it or drop -MaxCostUsd.") { Target = target };

    public static ClaudeError Stopped(string rowId, object? target) =>
        new("ClaudePS.BatchStopped", ClaudeErrorCategory.OperationStopped, $"Row {rowId} was not finished: the batch was stopped.") { Target = target };
}
