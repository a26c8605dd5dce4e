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
            if (current.Length >= 3 && !StopWords.Contains(current.ToString()) && seen.Add(current.ToString()) && words.Count < 8)
                words.Add(current.ToString());
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

    /// <summary>A stable number derived from the request's content.</summary>
    public static int Seed(string model, IEnumerable<string> keys)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(model));
        foreach (var key in keys) hash.AppendData(Encoding.UTF8.GetBytes(key));
        var digest = hash.GetHashAndReset();
        return BitConverter.ToInt32(digest, 0) & int.MaxValue;
    }

    /// <summary>The reply; exactly <paramref name="exactTokens"/> tokens long when given.</summary>
    public static string Text(IReadOnlyList<string> words, int seed, int? exactTokens)
    {
        var text = new StringBuilder(words.Count switch
        {
            0 => "Hello! You sent a prompt without words to answer.",
            1 => $"You asked about {words[0]}.",
            _ => $"You asked about {string.Join(", ", words.Take(words.Count - 1))} and {words[^1]}.",
        });
        int target = exactTokens ?? 30 + seed % 30;
        for (int i = 0; TokenCounter.Count(text.ToString()) < target; i++)
            text.Append(' ').Append(Sentences[(seed + i) % Sentences.Length]);
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

    /// <summary>A signature for a thinking block (opaque to clients; derived from the thinking text).</summary>
    public static string Signature(string thinking) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("claudeps-emulator:" + thinking)));
}
