using System.Text;

namespace ClaudePS.Emulator;

/// <summary>
/// The emulator's one deterministic tokenizer, used for input, output and count_tokens alike.
/// A token is optional leading whitespace plus up to four letters/digits, or plus one other
/// character; trailing whitespace is one token. Pieces concatenate back to the text, so a reply can be
/// cut at an exact token count.
/// </summary>
public static class TokenCounter
{
    private const int MaxWordChunk = 4;

    public static int Count(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        int count = 0;
        Scan(text, (_, _) => count++);
        return count;
    }

    /// <summary>The text split into its tokens (their concatenation is the text).</summary>
    public static List<string> Tokenize(string? text)
    {
        var pieces = new List<string>();
        if (string.IsNullOrEmpty(text)) return pieces;
        Scan(text, (start, length) => pieces.Add(text.Substring(start, length)));
        return pieces;
    }

    /// <summary>The longest prefix of the text that holds at most <paramref name="maxTokens"/> tokens.</summary>
    public static string Truncate(string text, int maxTokens)
    {
        if (maxTokens <= 0) return string.Empty;
        int end = 0, count = 0;
        Scan(text, (start, length) =>
        {
            if (count < maxTokens) end = start + length;
            count++;
        });
        return text[..end];
    }

    private static void Scan(string text, Action<int, int> emit)
    {
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length)
            {
                emit(start, i - start);
                return;
            }
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                i++; // a lone surrogate is a token of its own
            }
            else if (Rune.IsLetterOrDigit(rune))
            {
                int runes = 0;
                while (i < text.Length && runes < MaxWordChunk)
                {
                    if (!Rune.TryGetRuneAt(text, i, out rune) || !Rune.IsLetterOrDigit(rune)) break;
                    i += rune.Utf16SequenceLength;
                    runes++;
                }
            }
            else
            {
                i += rune.Utf16SequenceLength;
            }
            emit(start, i - start);
        }
    }
}
