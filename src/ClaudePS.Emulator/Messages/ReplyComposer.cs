using System.Security.Cryptography;
using System.Text;

namespace ClaudePS.Emulator;

/// <summary>
/// Deterministic reply text: it names the prompt's main words (so a demo reads sensibly and stop
/// sequences on prompt words are reachable) and pads with fixed sentences chosen by a hash of the
/// request. The same request always gets the same text.
/// </summary>
internal static class ReplyComposer
{
    private static readonly string[] Sentences =
    {
        "This reply comes from the ClaudePS emulator, so it is deterministic.",
        "The same request always gets the same words and the same token counts.",
        "Nothing here was sent to a real model, and nothing was billed.",
        "Streaming, caching, rate limits and faults behave like the real API.",
        "Use it to test scripts and runbooks without spending money.",
        "Change the prompt and the answer changes with it.",
    };

    private static readonly int[] SpacedSentenceTokens = Sentences.Select(s => TokenCounter.Count(" " + s)).ToArray();

    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "and", "for", "are", "but", "not", "you", "your", "with", "this", "that", "from", "what", "which",
        "have", "has", "was", "were", "will", "would", "can", "could", "should", "about", "into", "over", "than",
        "then", "them", "they", "there", "their", "these", "those", "please", "tell", "give", "show", "how", "why",
        "who", "when", "where", "does", "did", "its", "our", "out", "all", "any", "some", "one", "use",
    };

    /// <summary>The prompt's distinct content words, in order of first appearance (at most eight).</summary>
    public static List<string> ContentWords(string text)
    {
        var words = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length >= 3 && words.Count < 8)
            {
                string word = current.ToString();
                if (!StopWords.Contains(word) && seen.Add(word)) words.Add(word);
            }
            current.Clear();
        }
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c) || (c == '-' && current.Length > 0)) current.Append(c);
            else Flush();
        }
        Flush();
        return words;
    }

    /// <summary>A stable number derived from the request's content: the first bytes of the SHA-256 of
    /// the model and the segments' keys, one after the other.</summary>
    public static int Seed(string model, IReadOnlyList<PromptSegment> segments)
    {
        int length = Encoding.UTF8.GetByteCount(model);
        foreach (var segment in segments) length += Encoding.UTF8.GetByteCount(segment.Key);
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var buffer = pool.Rent(length);
        try
        {
            int used = Encoding.UTF8.GetBytes(model, 0, model.Length, buffer, 0);
            foreach (var segment in segments) used += Encoding.UTF8.GetBytes(segment.Key, 0, segment.Key.Length, buffer, used);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, used), digest);
            return BitConverter.ToInt32(digest) & int.MaxValue;
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    /// <summary>The reply; exactly <paramref name="exactTokens"/> tokens long when given.</summary>
    /// <summary>The reply length when nothing fixes it: 30 to 59 tokens, from the seed.</summary>
    public static int DefaultTokens(int seed) => 30 + seed % 30;

    /// <summary>How effort scales the default reply length: lower effort answers shorter, as on the API.</summary>
    public static int ForEffort(int tokens, string? effort) => effort switch
    {
        "low" => tokens / 2,
        "medium" => tokens * 3 / 4,
        "xhigh" => tokens * 3 / 2,
        "max" => tokens * 2,
        _ => tokens,
    };

    public static string Text(IReadOnlyList<string> words, int seed, int? exactTokens)
    {
        var text = new StringBuilder(words.Count switch
        {
            0 => "Hello! You sent a prompt without words to answer.",
            1 => $"You asked about {words[0]}.",
            _ => $"You asked about {string.Join(", ", words.Take(words.Count - 1))} and {words[^1]}.",
        });
        int target = exactTokens ?? DefaultTokens(seed);
        // Every piece ends in a full stop, so a sentence appended after a space adds exactly its own tokens.
        int tokens = TokenCounter.Count(text.ToString());
        for (int i = 0; tokens < target; i++)
        {
            int next = (seed + i) % Sentences.Length;
            text.Append(' ').Append(Sentences[next]);
            tokens += SpacedSentenceTokens[next];
        }
        return exactTokens is int n ? TokenCounter.Truncate(text.ToString(), n) : text.ToString();
    }

    /// <summary>Thinking text for extended thinking, at most <paramref name="maxTokens"/> tokens.</summary>
    public static string Thinking(IReadOnlyList<string> words, int seed, int maxTokens)
    {
        string topic = words.Count == 0 ? "a greeting" : string.Join(", ", words);
        string text = $"The user asks about {topic}. A short, direct answer that names these points will do. " +
                      Sentences[seed % Sentences.Length];
        return TokenCounter.Truncate(text, maxTokens);
    }

    /// <summary>The magic string Anthropic documents for testing redacted thinking: a prompt holding it
    /// gets its thinking as a redacted_thinking block.</summary>
    public const string RedactedThinkingTrigger =
        "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253D5E2D82641AC0E52CC2876CB";

    /// <summary>A redacted_thinking block's data: base64 of a 16-byte tag and the thinking text, so the
    /// emulator can check a block sent back is one it issued, unchanged (opaque to clients).</summary>
    public static string RedactedData(string thinking)
    {
        var text = Encoding.UTF8.GetBytes(thinking);
        return Convert.ToBase64String(RedactedTag(text).Concat(text).ToArray());
    }

    /// <summary>The thinking text inside data that <see cref="RedactedData"/> made; null for anything else.</summary>
    public static string? FromRedactedData(string data)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(data); }
        catch (FormatException) { return null; }
        if (bytes.Length < 16) return null;
        var text = bytes[16..];
        return RedactedTag(text).AsSpan().SequenceEqual(bytes.AsSpan(0, 16)) ? Encoding.UTF8.GetString(text) : null;
    }

    private static byte[] RedactedTag(byte[] text) =>
        SHA256.HashData(Encoding.UTF8.GetBytes("claudeps-emulator-redacted:").Concat(text).ToArray())[..16];

    /// <summary>A signature for a thinking block (opaque to clients; derived from the thinking text).</summary>
    public static string Signature(string thinking) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("claudeps-emulator:" + thinking)));
}
