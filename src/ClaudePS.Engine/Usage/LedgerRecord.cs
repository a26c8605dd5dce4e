using System;
using System.IO;
using System.Collections.Generic;
using System.Text.Json;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// One line of the usage ledger: one billed call. Only counts, names and the price; never a prompt, an
/// output or a credential. Serialised as one JSON object per line.
/// </summary>
public sealed class LedgerRecord
{
    public DateTimeOffset Time { get; init; }
    public string? RequestId { get; init; }
    public string Endpoint { get; init; } = "";
    public string Model { get; init; } = "";
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheWrite5mTokens { get; init; }
    public long CacheWrite1hTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public string? ServiceTier { get; init; }
    public bool IsBatch { get; init; }
    /// <summary>Null when the model's price was unknown when the call was recorded.</summary>
    public decimal? CostUsd { get; init; }
    public string? PriceVersion { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    public string Outcome { get; init; } = "succeeded";
    public long DurationMs { get; init; }

    /// <summary>A record of <paramref name="e"/> priced at <paramref name="cost"/>.</summary>
    public static LedgerRecord From(UsageEvent e, decimal? cost, string priceVersion)
    {
        long write1h = Math.Min(e.Usage.CacheWrite1hTokens, e.Usage.CacheWriteTokens);
        return new LedgerRecord
        {
            Time = e.Time.ToUniversalTime(),
            RequestId = e.RequestId,
            Endpoint = e.Endpoint,
            Model = e.Model,
            InputTokens = e.Usage.InputTokens,
            OutputTokens = e.Usage.OutputTokens,
            CacheWrite5mTokens = e.Usage.CacheWriteTokens - write1h,
            CacheWrite1hTokens = write1h,
            CacheReadTokens = e.Usage.CacheReadTokens,
            ServiceTier = e.Usage.ServiceTier,
            IsBatch = e.IsBatch,
            CostUsd = cost,
            PriceVersion = priceVersion,
            Tags = e.Tags,
            Outcome = e.Outcome,
            DurationMs = (long)e.Duration.TotalMilliseconds,
        };
    }

    /// <summary>The record as one UTF-8 JSON line ending in '\n', so one write puts down a whole record.</summary>
    public byte[] ToJsonLine()
    {
        using var buffer = new MemoryStream(384);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WriteString("time", Time.UtcDateTime);
            if (RequestId is null) w.WriteNull("requestId"); else w.WriteString("requestId", RequestId);
            w.WriteString("endpoint", Endpoint);
            w.WriteString("model", Model);
            w.WriteNumber("input", InputTokens);
            w.WriteNumber("output", OutputTokens);
            w.WriteNumber("cacheWrite5m", CacheWrite5mTokens);
            w.WriteNumber("cacheWrite1h", CacheWrite1hTokens);
            w.WriteNumber("cacheRead", CacheReadTokens);
            if (ServiceTier is null) w.WriteNull("tier"); else w.WriteString("tier", ServiceTier);
            if (IsBatch) w.WriteBoolean("batch", true);
            if (CostUsd is { } cost) w.WriteNumber("costUsd", cost); else w.WriteNull("costUsd");
            if (PriceVersion is not null) w.WriteString("priceVersion", PriceVersion);
            w.WriteStartArray("tags");
            foreach (var t in Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteString("outcome", Outcome);
            w.WriteNumber("durationMs", DurationMs);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
