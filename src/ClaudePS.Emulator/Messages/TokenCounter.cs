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
        for (int i = 0; i < text.Length; i = TokenEnd(text, i)) count++;
        return count;
    }

    /// <summary>The text split into its tokens (their concatenation is the text).</summary>
    public static List<string> Tokenize(string? text)
    {
        var pieces = new List<string>();
        if (string.IsNullOrEmpty(text)) return pieces;
        for (int i = 0, end; i < text.Length; i = end)
        {
            end = TokenEnd(text, i);
            pieces.Add(text.Substring(i, end - i));
        }
        return pieces;
    }

    /// <summary>The longest prefix of the text that holds at most <paramref name="maxTokens"/> tokens.</summary>
    public static string Truncate(string text, int maxTokens)
    {
        int end = 0;
        for (int count = 0; count < maxTokens && end < text.Length; count++) end = TokenEnd(text, end);
        return end == text.Length ? text : text[..end];
    }

    /// <summary>Where the token that starts at <paramref name="start"/> ends.</summary>
    private static int TokenEnd(string text, int start)
    {
        int i = start;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        if (i == text.Length) return i;
        if (!Rune.TryGetRuneAt(text, i, out var rune)) return i + 1; // a lone surrogate is a token of its own
        if (!Rune.IsLetterOrDigit(rune)) return i + rune.Utf16SequenceLength;
        for (int runes = 0; i < text.Length && runes < MaxWordChunk; runes++)
        {
            if (!Rune.TryGetRuneAt(text, i, out rune) || !Rune.IsLetterOrDigit(rune)) break;
            i += rune.Utf16SequenceLength;
        }
        return i;
    }
}
