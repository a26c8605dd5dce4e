using System;
using System.Collections.Generic;
using System.Globalization;

namespace ClaudePS;

/// <summary>What a batch would send and cost, without sending anything (-WhatIf).</summary>
public sealed class ClaudeBatchEstimate
{
    public long Rows { get; init; }
    /// <summary>Rows that could not be built into a request (no prompt, missing template column).</summary>
    public long InvalidRows { get; init; }
    public IReadOnlyList<string> Models { get; init; } = Array.Empty<string>();
    /// <summary>Estimated input tokens (about 4 characters a token; the server's count may differ).</summary>
    public long EstimatedInputTokens { get; init; }
    /// <summary>The most output tokens the rows may produce (sum of max_tokens).</summary>
    public long MaxOutputTokens { get; init; }
    /// <summary>Lowest plausible cost: estimated input, no output. Null when a model's price is unknown.</summary>
    public decimal? MinCostUsd { get; init; }
    /// <summary>Highest plausible cost: estimated input plus every row using its whole max_tokens.</summary>
    public decimal? MaxCostUsd { get; init; }
    /// <summary>Priced at the Message Batches rate (50 %).</summary>
    public bool BatchPrice { get; init; }

    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        string cost = MinCostUsd is { } lo && MaxCostUsd is { } hi
            ? string.Format(inv, "${0:0.####} to ${1:0.####}", lo, hi)
            : "unknown (a model's price is not known)";
        string extra = (InvalidRows > 0 ? $", {InvalidRows} invalid" : "");
        return string.Format(inv, "{0} rows{1}; models {2}; about {3:N0} input tokens, at most {4:N0} output tokens; estimated cost {5}{6}",
            Rows, extra, Models.Count == 0 ? "(none)" : string.Join(", ", Models), EstimatedInputTokens, MaxOutputTokens, cost,
            BatchPrice ? " at the batch price (50 %)" : "");
    }
}
