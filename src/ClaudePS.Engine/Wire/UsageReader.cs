using System;
using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>Reads a <c>usage</c> object. Fields absent from it keep the values of <c>previous</c>
/// (message_delta carries cumulative usage, but not always every field).</summary>
internal static class UsageReader
{
    /// <summary><paramref name="r"/> is on the value of <c>usage</c> and ends on its last token;
    /// a value that is not an object changes nothing.</summary>
    public static ClaudeUsage Read(ref Utf8JsonReader r, ClaudeUsage? previous = null)
    {
        previous ??= ClaudeUsage.Empty;
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            return previous;
        }
        long input = previous.InputTokens, output = previous.OutputTokens, cacheWrite = previous.CacheWriteTokens;
        long cacheWrite1h = previous.CacheWrite1hTokens, cacheRead = previous.CacheReadTokens;
        string? tier = previous.ServiceTier;
        while (MessageBuilder.NextProperty(ref r))
        {
            // Every reply and stream end carries this object: one name comparison per property, chosen by
            // the name's length, instead of trying each name in turn.
            var name = Name(ref r);
            switch (name.Length)
            {
                case 12 when name.SequenceEqual("input_tokens"u8): input = Long(ref r, input); break;
                case 13 when name.SequenceEqual("output_tokens"u8): output = Long(ref r, output); break;
                case 27 when name.SequenceEqual("cache_creation_input_tokens"u8): cacheWrite = Long(ref r, cacheWrite); break;
                case 23 when name.SequenceEqual("cache_read_input_tokens"u8): cacheRead = Long(ref r, cacheRead); break;
                case 12 when name.SequenceEqual("service_tier"u8): r.Read(); tier = KnownValues.ServiceTiers.Value(ref r) ?? tier; break;
                case 14 when name.SequenceEqual("cache_creation"u8): cacheWrite1h = OneHourWrites(ref r, cacheWrite1h); break;
                default: r.Read(); r.Skip(); break;
            }
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

    /// <summary>The property name the reader is on, unescaped (the API never escapes these names, so
    /// only an escaped one costs a copy).</summary>
    private static ReadOnlySpan<byte> Name(ref Utf8JsonReader r)
    {
        if (!r.ValueIsEscaped) return r.ValueSpan;
        var copy = new byte[r.ValueSpan.Length];
        return copy.AsSpan(0, r.CopyString(copy));
    }

    /// <summary>The value after the property name the reader is on, when it is a whole number.</summary>
    private static long Long(ref Utf8JsonReader r, long fallback)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var n)) return n;
        r.Skip();
        return fallback;
    }

    /// <summary>cache_creation's ephemeral_1h_input_tokens (the 5-minute writes are the rest of cache_creation_input_tokens).</summary>
    private static long OneHourWrites(ref Utf8JsonReader r, long fallback)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return fallback; }
        long value = fallback;
        while (MessageBuilder.NextProperty(ref r))
        {
            if (r.ValueTextEquals("ephemeral_1h_input_tokens"u8)) value = Long(ref r, value);
            else { r.Read(); r.Skip(); }
        }
        return value;
    }
}
