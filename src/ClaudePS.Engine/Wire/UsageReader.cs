using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>Reads a <c>usage</c> object. Fields absent from <paramref name="u"/> keep the values of <paramref name="previous"/>
/// (message_delta carries cumulative usage, but not always every field).</summary>
internal static class UsageReader
{
    public static ClaudeUsage Read(JsonElement u, ClaudeUsage? previous = null)
    {
        previous ??= ClaudeUsage.Empty;
        long cacheWrite1h = previous.CacheWrite1hTokens;
        if (u.TryGetProperty("cache_creation", out var cc) && cc.ValueKind == JsonValueKind.Object)
            cacheWrite1h = Long(cc, "ephemeral_1h_input_tokens", cacheWrite1h);
        return new ClaudeUsage
        {
            InputTokens = Long(u, "input_tokens", previous.InputTokens),
            OutputTokens = Long(u, "output_tokens", previous.OutputTokens),
            CacheWriteTokens = Long(u, "cache_creation_input_tokens", previous.CacheWriteTokens),
            CacheWrite1hTokens = cacheWrite1h,
            CacheReadTokens = Long(u, "cache_read_input_tokens", previous.CacheReadTokens),
            ServiceTier = u.TryGetProperty("service_tier", out var tier) && tier.ValueKind == JsonValueKind.String ? tier.GetString() : previous.ServiceTier,
        };
    }

    private static long Long(JsonElement e, string name, long fallback) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : fallback;
}
