using System.Collections.Concurrent;

namespace ClaudePS.Emulator;

/// <summary>Token usage as the emulator billed it (the same figures it put in usage).</summary>
public sealed record EmulatorUsage
{
    public int InputTokens { get; init; }
    public int OutputTokens { get; init; }
    public int CacheCreationInputTokens { get; init; }
    public int CacheReadInputTokens { get; init; }
    public int CacheCreation5mInputTokens { get; init; }
    public int CacheCreation1hInputTokens { get; init; }
    /// <summary>standard, priority or batch.</summary>
    public string ServiceTier { get; init; } = "standard";

    /// <summary>Input + cache creation + cache read.</summary>
    public int TotalInputTokens => InputTokens + CacheCreationInputTokens + CacheReadInputTokens;
}

/// <summary>One request the emulator answered (or dropped).</summary>
public sealed record EmulatorRequestRecord
{
    public DateTimeOffset Timestamp { get; init; }
    public required string RequestId { get; init; }
    /// <summary>messages, count_tokens, models, or what another endpoint group names itself (e.g. batches).</summary>
    public required string Endpoint { get; init; }
    /// <summary>apikey_… (a hash, never the key) or the principal a bearer check returned; null when unauthenticated.</summary>
    public string? ApiKeyId { get; init; }
    public string? Model { get; init; }
    /// <summary>What was billed; null when nothing was (errors, injected faults that cut the reply).</summary>
    public EmulatorUsage? Usage { get; init; }
    /// <summary>HTTP status sent; 0 when the connection was dropped before a response.</summary>
    public int StatusCode { get; init; }
    public bool Streamed { get; init; }
    /// <summary>The injected fault (e.g. "429", "reset", "stall:2"), or null.</summary>
    public string? Fault { get; init; }
    /// <summary>error.type when the response was an API error.</summary>
    public string? ErrorType { get; init; }
    public TimeSpan Duration { get; init; }
}

/// <summary>
/// The emulator's own ledger: every request it answered, thread-safe, for comparing with a client's
/// ledger, building Admin usage/cost reports, and for batch processing to append its results.
/// </summary>
public sealed class EmulatorAccounting
{
    private readonly ConcurrentQueue<EmulatorRequestRecord> _records = new();
    private long _requests;
    private long _rateLimited;
    private long _faults;
    private long _billed;

    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Responses with status 429 (injected, spend cap, or rate limit exceeded).</summary>
    public long RateLimitedResponses => Interlocked.Read(ref _rateLimited);
    /// <summary>Requests that got an injected fault.</summary>
    public long FaultsInjected => Interlocked.Read(ref _faults);
    /// <summary>Complete replies that were billed (records with usage).</summary>
    public long BilledReplies => Interlocked.Read(ref _billed);

    public void Add(EmulatorRequestRecord record)
    {
        _records.Enqueue(record);
        Interlocked.Increment(ref _requests);
        if (record.StatusCode == 429) Interlocked.Increment(ref _rateLimited);
        if (record.Fault != null) Interlocked.Increment(ref _faults);
        if (record.Usage != null) Interlocked.Increment(ref _billed);
    }

    /// <summary>A snapshot of every record so far, in completion order.</summary>
    public IReadOnlyList<EmulatorRequestRecord> Records => _records.ToArray();

    /// <summary>Records of billed requests (those with usage), e.g. for a usage report.</summary>
    public IReadOnlyList<EmulatorRequestRecord> Billed() => _records.Where(r => r.Usage != null).ToArray();

    /// <summary>The record with this request id, or null.</summary>
    public EmulatorRequestRecord? Find(string requestId) => _records.FirstOrDefault(r => r.RequestId == requestId);
}
