using System;
using System.Collections.Generic;

namespace ClaudePS;

/// <summary>The price of one model family in USD per million tokens (what Set-ClaudePrice writes).</summary>
public sealed class ClaudePrice
{
    /// <summary>The family id dated ids and aliases map to, e.g. <c>claude-sonnet-4-5</c>.</summary>
    public string Family { get; init; } = "";
    public string? Name { get; init; }
    public decimal InputPerMTok { get; init; }
    public decimal CacheWrite5mPerMTok { get; init; }
    public decimal CacheWrite1hPerMTok { get; init; }
    public decimal CacheReadPerMTok { get; init; }
    public decimal OutputPerMTok { get; init; }
    /// <summary>Other ids that name this family exactly (dated ids need no entry: the date is stripped).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();
    /// <summary>False for rows taken from secondary sources (the 5.5 generation).</summary>
    public bool Confirmed { get; init; } = true;
    /// <summary>Where the row comes from: "shipped &lt;date&gt;" or "user".</summary>
    public string Origin { get; init; } = "";
    public string? Note { get; init; }

    public override string ToString() =>
        $"{Family}: in {InputPerMTok}, cache write 5m {CacheWrite5mPerMTok} / 1h {CacheWrite1hPerMTok}, cache read {CacheReadPerMTok}, out {OutputPerMTok} USD/MTok";
}
