namespace ClaudePS;

/// <summary>Token usage of one call, as the API reports it.</summary>
public sealed class ClaudeUsage
{
    /// <summary>Input tokens after the last cache breakpoint (the API's <c>input_tokens</c>).</summary>
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    /// <summary>Tokens written to the prompt cache (all TTLs).</summary>
    public long CacheWriteTokens { get; init; }
    /// <summary>Of <see cref="CacheWriteTokens"/>, those written with the 1-hour TTL.</summary>
    public long CacheWrite1hTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public string? ServiceTier { get; init; }

    /// <summary>Input + cache write + cache read: everything the model read.</summary>
    public long TotalInputTokens => InputTokens + CacheWriteTokens + CacheReadTokens;

    public static ClaudeUsage Empty { get; } = new();

    public ClaudeUsage Add(ClaudeUsage other) => new()
    {
        InputTokens = InputTokens + other.InputTokens,
        OutputTokens = OutputTokens + other.OutputTokens,
        CacheWriteTokens = CacheWriteTokens + other.CacheWriteTokens,
        CacheWrite1hTokens = CacheWrite1hTokens + other.CacheWrite1hTokens,
        CacheReadTokens = CacheReadTokens + other.CacheReadTokens,
        ServiceTier = ServiceTier ?? other.ServiceTier,
    };

    public override string ToString() => $"in {InputTokens}, out {OutputTokens}, cache write {CacheWriteTokens}, cache read {CacheReadTokens}";
}
