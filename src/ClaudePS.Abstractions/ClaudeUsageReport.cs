using System;

namespace ClaudePS;

/// <summary>One row of Get-ClaudeUsage: the billed calls of one group (or of everything with -Summary).
/// Grouping properties not asked for are null. Days and hours are UTC.</summary>
public sealed class ClaudeUsageReport
{
    public string? Model { get; init; }
    /// <summary>The UTC day (midnight, Kind Utc) when grouped by Day or Hour.</summary>
    public DateTime? Day { get; init; }
    /// <summary>The UTC hour when grouped by Hour.</summary>
    public DateTime? Hour { get; init; }
    /// <summary>The tag when grouped by Tag ("" for calls without tags); a call with two tags counts under both.</summary>
    public string? Tag { get; init; }
    public string? Endpoint { get; init; }
    public DateTimeOffset Since { get; init; }
    public DateTimeOffset Until { get; init; }
    public long Requests { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheWrite5mTokens { get; init; }
    public long CacheWrite1hTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long TotalTokens => InputTokens + OutputTokens + CacheWrite5mTokens + CacheWrite1hTokens + CacheReadTokens;
    /// <summary>Sum over the priced calls; null when none of them had a known price.</summary>
    public decimal? CostUsd { get; init; }
    /// <summary>Calls whose model had no known price: their cost is not in <see cref="CostUsd"/>.</summary>
    public long UnpricedRequests { get; init; }

    public override string ToString() =>
        $"{Model ?? "all"}: {Requests} requests, {TotalTokens} tokens, {(CostUsd is { } c ? c.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) + " USD" : "cost unknown")}{(UnpricedRequests > 0 ? $" (+{UnpricedRequests} unpriced)" : "")}";
}

/// <summary>Get-ClaudeUsage -Source Organization: the organisation's usage report beside the local ledger,
/// per UTC day and model. Differences are organisation minus ledger.</summary>
public sealed class ClaudeUsageComparison
{
    public DateTime Day { get; init; }
    public string Model { get; init; } = "";
    public long LedgerRequests { get; init; }
    public long LedgerInputTokens { get; init; }
    public long OrganizationInputTokens { get; init; }
    public long InputDifference => OrganizationInputTokens - LedgerInputTokens;
    public long LedgerOutputTokens { get; init; }
    public long OrganizationOutputTokens { get; init; }
    public long OutputDifference => OrganizationOutputTokens - LedgerOutputTokens;
    public long LedgerCacheWriteTokens { get; init; }
    public long OrganizationCacheWriteTokens { get; init; }
    public long CacheWriteDifference => OrganizationCacheWriteTokens - LedgerCacheWriteTokens;
    public long LedgerCacheReadTokens { get; init; }
    public long OrganizationCacheReadTokens { get; init; }
    public long CacheReadDifference => OrganizationCacheReadTokens - LedgerCacheReadTokens;
    /// <summary>True when every token kind agrees.</summary>
    public bool Matches => InputDifference == 0 && OutputDifference == 0 && CacheWriteDifference == 0 && CacheReadDifference == 0;

    public override string ToString() => $"{Day:yyyy-MM-dd} {Model}: input {InputDifference:+#;-#;0}, output {OutputDifference:+#;-#;0}, cache write {CacheWriteDifference:+#;-#;0}, cache read {CacheReadDifference:+#;-#;0}";
}
