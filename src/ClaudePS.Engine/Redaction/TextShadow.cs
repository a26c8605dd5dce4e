using System;
using System.Text;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// The text recognizers actually read: fullwidth forms, other-script digits, look-alike letters, odd
/// dashes and spaces mapped to ASCII, invisible characters dropped. <see cref="ToOriginal"/> maps a
/// shadow index back to the original text, so spans found on the shadow redact the original.
/// </summary>
internal sealed class TextShadow
{
    private readonly int[]? _map; // shadow index -> original index; null when the shadow is the original

    private TextShadow(string original, string text, int[]? map)
    {
        Original = original;
        Text = text;
        _map = map;
    }

    public string Original { get; }
    public string Text { get; }

    public static TextShadow Create(string text)
    {
        int first = FirstNonAscii(text);
        if (first < 0) return new TextShadow(text, text, null);
        var sb = new StringBuilder(text.Length);
        var map = new int[text.Length + 1];
        sb.Append(text, 0, first);
        for (int i = 0; i < first; i++) map[i] = i;
        for (int i = first; i < text.Length; i++)
        {
            char c = Normalise(text[i]);
            if (c == '\0') continue;
            map[sb.Length] = i;
            sb.Append(c);
        }
        map[sb.Length] = text.Length;
        return new TextShadow(text, sb.ToString(), map);
    }

    /// <summary>Original index of the shadow character at <paramref name="shadowIndex"/> (or the text's end).</summary>
    public int ToOriginal(int shadowIndex) => _map is null ? shadowIndex : _map[shadowIndex];

    /// <summary>Original end (exclusive) of a span whose shadow end is <paramref name="shadowEnd"/>.</summary>
    public int ToOriginalEnd(int shadowEnd) =>
        _map is null ? shadowEnd : shadowEnd == 0 ? 0 : _map[shadowEnd - 1] + 1;

    /// <summary>First shadow index whose original index is at or after <paramref name="originalIndex"/>.</summary>
    public int ToShadow(int originalIndex)
    {
        if (_map is null) return originalIndex;
        int lo = 0, hi = Text.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (_map[mid] < originalIndex) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int FirstNonAscii(string text)
    {
#if NET8_0_OR_GREATER
        return text.AsSpan().IndexOfAnyExceptInRange('\0', '\x7e');
#else
        for (int i = 0; i < text.Length; i++) if (text[i] > '\x7e') return i;
        return -1;
#endif
    }

    /// <summary>The ASCII stand-in for one character; '\0' drops it.</summary>
    internal static char Normalise(char c)
    {
        if (c <= '\x7e') return c;
        if (c >= '\uFF01' && c <= '\uFF5E') return (char)(c - 0xFEE0); // fullwidth ASCII
        switch (c)
        {
            case '\u200B': case '\u200C': case '\u200D': case '\u2060': case '\uFEFF': case '\u00AD': return '\0';
            case '\u00A0': case '\u202F': case '\u205F': case '\u3000': return ' ';
            case '\u2010': case '\u2011': case '\u2012': case '\u2013': case '\u2014': case '\u2015': case '\u2212': case '\uFE58': case '\uFE63': return '-';
            case '\uFE6B': return '@';
            case '\u2024': case '\u3002': return '.';
            // Cyrillic and Greek letters that render like Latin ones.
            case '\u0430': case '\u03B1': return 'a';
            case '\u0435': return 'e';
            case '\u043E': case '\u03BF': return 'o';
            case '\u0440': case '\u03C1': return 'p';
            case '\u0441': return 'c';
            case '\u0443': return 'y';
            case '\u0445': return 'x';
            case '\u0455': return 's';
            case '\u0456': return 'i';
            case '\u0458': return 'j';
            case '\u0501': return 'd';
            case '\u0410': case '\u0391': return 'A';
            case '\u0412': case '\u0392': return 'B';
            case '\u0415': case '\u0395': return 'E';
            case '\u041A': case '\u039A': return 'K';
            case '\u041C': case '\u039C': return 'M';
            case '\u041D': case '\u0397': return 'H';
            case '\u041E': case '\u039F': return 'O';
            case '\u0420': case '\u03A1': return 'P';
            case '\u0421': return 'C';
            case '\u0422': case '\u03A4': return 'T';
            case '\u0425': case '\u03A7': return 'X';
            case '\u0405': return 'S';
            case '\u0406': case '\u0399': return 'I';
            case '\u0408': return 'J';
            case '\u04AE': case '\u03A5': return 'Y';
            case '\u0396': return 'Z';
            case '\u039D': return 'N';
        }
        if (c >= '\u2000' && c <= '\u200A') return ' ';
        if (char.IsDigit(c))
        {
            double v = char.GetNumericValue(c);
            if (v >= 0 && v <= 9) return (char)('0' + (int)v);
        }
        return c;
    }
}
