using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>Reads a <c>usage</c> object. Fields absent from <paramref name="u"/> keep the values of <paramref name="previous"/>
/// (message_delta carries cumulative usage, but not always every field).</summary>
internal static class UsageReader
{
    public static ClaudeUsage Read(JsonElement u, ClaudeUsage? previous = null)
    {
        previous ??= ClaudeUsage.Empty;
        long input = previous.InputTokens, output = previous.OutputTokens, cacheWrite = previous.CacheWriteTokens;
        long cacheWrite1h = previous.CacheWrite1hTokens, cacheRead = previous.CacheReadTokens;
        string? tier = previous.ServiceTier;
        // One pass over the properties (a lookup by name would scan the object once per field).
        foreach (var p in u.EnumerateObject())
        {
            var v = p.Value;
            if (p.NameEquals("input_tokens"u8)) input = Long(v, input);
            else if (p.NameEquals("output_tokens"u8)) output = Long(v, output);
            else if (p.NameEquals("cache_creation_input_tokens"u8)) cacheWrite = Long(v, cacheWrite);
            else if (p.NameEquals("cache_read_input_tokens"u8)) cacheRead = Long(v, cacheRead);
            else if (p.NameEquals("service_tier"u8)) { if (v.ValueKind == JsonValueKind.String) tier = v.GetString(); }
            else if (p.NameEquals("cache_creation"u8) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("ephemeral_1h_input_tokens"u8, out var h))
                cacheWrite1h = Long(h, cacheWrite1h);
        }
        return new ClaudeUsage
        {
            InputTokens = input,
            OutputTokens = output,
            CacheWriteTokens = cacheWrite,
            CacheWrite1hTokens = cacheWrite1h,
            CacheReadTokens = cacheRead,
            ServiceTier = tier,
        };
    }

    private static long Long(JsonElement v, long fallback) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : fallback;
}
