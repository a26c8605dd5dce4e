using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ClaudePS.Engine.Batching;

/// <summary>Prices usage for batch estimates and budget reservations. The usage ledger's price table
/// plugs in here; <see cref="BatchPricing.Default"/> serves until then.</summary>
public interface IBatchPricing
{
    /// <summary>USD for <paramref name="usage"/> on <paramref name="model"/>; at 50 % when
    /// <paramref name="batch"/>; null when the model's price is unknown (never zero).</summary>
    decimal? Cost(string model, ClaudeUsage usage, bool batch);
}

/// <summary>
/// Built-in per-million-token prices (public pricing page, late 2026; see API-NOTES.md) matched by
/// model family, so dated ids and aliases price alike. Models not in the table are unknown.
/// </summary>
public sealed class BatchPricing : IBatchPricing
{
    public static BatchPricing Default { get; } = new();

    private sealed record Rates(decimal Input, decimal Write5m, decimal Write1h, decimal Read, decimal Output);

    private static readonly Dictionary<string, Rates> Families = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fable-5-1"] = new(10m, 12.5m, 20m, 0.25m, 50m),
        ["mythos-5-1"] = new(10m, 12.5m, 20m, 0.25m, 50m),
        ["fable-5"] = new(10m, 12.5m, 20m, 1m, 50m),
        ["mythos-5"] = new(10m, 12.5m, 20m, 1m, 50m),
        ["opus-5"] = new(5m, 6.25m, 10m, 0.5m, 25m),
        ["opus-4-8"] = new(5m, 6.25m, 10m, 0.5m, 25m),
        ["opus-4-7"] = new(5m, 6.25m, 10m, 0.5m, 25m),
        ["opus-4-6"] = new(5m, 6.25m, 10m, 0.5m, 25m),
        ["opus-4-5"] = new(5m, 6.25m, 10m, 0.5m, 25m),
        ["opus-4-1"] = new(15m, 18.75m, 30m, 1.5m, 75m),
        ["opus-4"] = new(15m, 18.75m, 30m, 1.5m, 75m),
        ["opus-4-0"] = new(15m, 18.75m, 30m, 1.5m, 75m),
        ["sonnet-5"] = new(2m, 2.5m, 4m, 0.2m, 10m),
        ["sonnet-4-6"] = new(3m, 3.75m, 6m, 0.3m, 15m),
        ["sonnet-4-5"] = new(3m, 3.75m, 6m, 0.3m, 15m),
        ["haiku-4-5"] = new(1m, 1.25m, 2m, 0.1m, 5m),
    };

    private static readonly Regex DateSuffix = new("-(20\\d{6})$", RegexOptions.CultureInvariant);

    public decimal? Cost(string model, ClaudeUsage usage, bool batch)
    {
        if (Find(model) is not { } r) return null;
        long write1h = usage.CacheWrite1hTokens;
        long write5m = Math.Max(0, usage.CacheWriteTokens - write1h);
        decimal usd = (usage.InputTokens * r.Input + write5m * r.Write5m + write1h * r.Write1h
                       + usage.CacheReadTokens * r.Read + usage.OutputTokens * r.Output) / 1_000_000m;
        return batch ? usd / 2m : usd;
    }

    private static Rates? Find(string model)
    {
        if (string.IsNullOrWhiteSpace(model)) return null;
        string family = model.Trim().ToLowerInvariant();
        if (family.StartsWith("claude-", StringComparison.Ordinal)) family = family.Substring(7);
        family = DateSuffix.Replace(family, "");
        return Families.TryGetValue(family, out var r) ? r : null;
    }
}

/// <summary>
/// -MaxCostUsd: each request reserves its worst-case cost before it is sent and settles on its real
/// cost, so requests in flight can never together pass the limit. Once a reservation is refused the
/// budget stays closed: later rows are not sent even if they are cheaper, so "what was not sent" is a
/// clean tail of the input.
/// </summary>
internal sealed class CostBudget
{
    private readonly object _gate = new();
    private decimal _spent;
    private decimal _reserved;

    public CostBudget(decimal max) => Max = max;

    public decimal Max { get; }
    public bool Closed { get; private set; }
    public decimal Spent { get { lock (_gate) return _spent; } }
    public decimal Committed { get { lock (_gate) return _spent + _reserved; } }

    public bool TryReserve(decimal amount)
    {
        lock (_gate)
        {
            if (Closed) return false;
            if (_spent + _reserved + amount > Max) { Closed = true; return false; }
            _reserved += amount;
            return true;
        }
    }

    /// <summary>Replaces a reservation by what was really spent (the reservation itself when unknown).</summary>
    public void Settle(decimal reserved, decimal? actual)
    {
        lock (_gate)
        {
            _reserved -= reserved;
            _spent += actual ?? reserved;
        }
    }
}
