using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ClaudePS.Engine.Redaction;

/// <summary>A span to redact, in shadow coordinates while detecting.</summary>
internal readonly struct Finding
{
    public Finding(int start, int end, string type, int priority, string? last4 = null)
    {
        Start = start;
        End = end;
        Type = type;
        Priority = priority;
        Last4 = last4;
    }

    public int Start { get; }
    public int End { get; }
    public string Type { get; }
    public int Priority { get; }
    public string? Last4 { get; }
}

/// <summary>What a validator sees: the shadow text, the raw match, and the options in force.</summary>
internal readonly struct Candidate
{
    public Candidate(string text, Match match, RedactionOptions options)
    {
        Text = text;
        Match = match;
        Options = options;
    }

    public string Text { get; }
    public Match Match { get; }
    public RedactionOptions Options { get; }
    public int Start => Match.Index;
    public int End => Match.Index + Match.Length;
}

/// <summary>
/// Where a recognizer's matches can start. The prefilter: cheap vectorised searches find these few
/// positions, and the (anchored) regex runs only there. It must list every position a match could
/// start at, so that trying them in order finds exactly what a scan of every position would.
/// </summary>
internal delegate void CandidateFinder(string text, int from, List<int> into);

/// <summary>
/// One detector: a bounded regex (tried at the prefilter's candidate starts) plus a validator that
/// decides whether a raw match is the real thing and which part of it to redact.
/// </summary>
internal sealed class Recognizer
{
    public Recognizer(string type, RedactionProfile profile, int priority, Func<Regex> regex, Func<Candidate, Finding?> validate,
        CandidateFinder? candidates, int after)
    {
        Type = type;
        Profile = profile;
        Priority = priority;
        _regex = regex;
        Validate = validate;
        Candidates = candidates;
        After = after;
    }

    private readonly Func<Regex> _regex;

    public string Type { get; }
    /// <summary>The lowest profile this recognizer runs in.</summary>
    public RedactionProfile Profile { get; }
    /// <summary>Which finding wins when two start at the same place.</summary>
    public int Priority { get; }
    /// <summary>Anchored (\G) when <see cref="Candidates"/> is set; scanned normally otherwise (custom patterns).</summary>
    public Regex Regex => _regex();
    public Func<Candidate, Finding?> Validate { get; }
    public CandidateFinder? Candidates { get; }
    /// <summary>
    /// How many characters after a raw match the regex and the validator may read (boundary checks,
    /// context words). While streaming, a match is final only once that many characters follow it.
    /// </summary>
    public int After { get; }
    /// <summary>For blocks: a match that reached its terminator is final however long the block is.</summary>
    public bool SettledByEndGroup { get; init; }
}

/// <summary>The candidate finders the built-in recognizers use.</summary>
internal static class Candidates
{
    /// <summary>Where one of the literals occurs (a match starts with it).</summary>
    public static CandidateFinder Literals(bool ignoreCase, params string[] literals)
    {
        var cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return (text, from, into) =>
        {
            foreach (var lit in literals)
            {
                int at = from;
                while (at <= text.Length - lit.Length)
                {
                    int i = TextScan.IndexOf(text, lit, at, cmp);
                    if (i < 0) break;
                    into.Add(i);
                    at = i + 1;
                }
            }
        };
    }

    /// <summary>
    /// The first digit of each run of digits, and up to <paramref name="back"/> characters before it,
    /// where <paramref name="plausible"/> (given the run's start and end) says the run could begin a match.
    /// </summary>
    public static CandidateFinder DigitRuns(int back, Func<string, int, int, bool> plausible) => (text, from, into) =>
    {
        foreach (var (d, e) in RunsOfDigits(text, from))
            if (plausible(text, d, e)) for (int k = Math.Max(from, d - back); k <= d; k++) into.Add(k);
    };

    // A dozen recognizers start at digit runs: the runs of one text are found once and shared (per thread).
    [ThreadStatic] private static string? _runsText;
    [ThreadStatic] private static int _runsFrom;
    [ThreadStatic] private static List<(int Start, int End)>? _runs;

    /// <summary>The runs of ASCII digits in text[from..], as (start, end) pairs.</summary>
    private static List<(int Start, int End)> RunsOfDigits(string text, int from)
    {
        var runs = _runs ??= new List<(int, int)>();
        if (ReferenceEquals(_runsText, text) && _runsFrom == from) return runs;
        runs.Clear();
        int at = from;
        while (at < text.Length)
        {
            int d = TextScan.NextDigit(text, at);
            if (d < 0) break;
            int e = TextScan.NextNonDigit(text, d);
            runs.Add((d, e));
            at = e;
        }
        _runsText = text;
        _runsFrom = from;
        return runs;
    }

    /// <summary>Forgets the shared digit runs, so the scanned text is not kept alive.</summary>
    public static void ForgetDigitRuns()
    {
        _runsText = null;
        _runs?.Clear();
    }

    /// <summary>
    /// Runs of digits that could open a grouped number: a run of one of <paramref name="compact"/> lengths,
    /// or a first group of <paramref name="first"/> digits followed by one of <paramref name="separators"/>.
    /// </summary>
    public static CandidateFinder DigitGroups(int first, string separators, params int[] compact) =>
        DigitRuns(0, (t, d, e) => Array.IndexOf(compact, e - d) >= 0 || (e - d == first && e < t.Length && separators.IndexOf(t[e]) >= 0));

    /// <summary>
    /// For ids that open with letters before their first digits: <paramref name="start"/> gets each run of
    /// digits (start, end) and returns where a match holding it would begin, or -1.
    /// </summary>
    public static CandidateFinder LettersThenDigits(Func<string, int, int, int> start) => (text, from, into) =>
    {
        foreach (var (d, e) in RunsOfDigits(text, from))
        {
            int s = start(text, d, e);
            if (s >= from) into.Add(s);
        }
    };

    /// <summary>True when text[at, at + count) are all upper-case ASCII letters (false past either end).</summary>
    public static bool UpperRun(string text, int at, int count)
    {
        if (at < 0 || at + count > text.Length) return false;
        for (int i = at; i < at + count; i++) if (text[i] < 'A' || text[i] > 'Z') return false;
        return true;
    }

    public static bool IsLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    /// <summary>A match starts <paramref name="back"/> characters before each occurrence of <paramref name="literal"/> (and, when given, <paramref name="alsoBack"/> before it).</summary>
    public static CandidateFinder Offset(string literal, int back, int alsoBack = -1) => (text, from, into) =>
    {
        int at = from;
        while (at <= text.Length - literal.Length)
        {
            int i = TextScan.IndexOf(text, literal, at, StringComparison.Ordinal);
            if (i < 0) break;
            if (alsoBack >= 0 && i - alsoBack >= from) into.Add(i - alsoBack);
            if (i - back >= from) into.Add(i - back);
            at = i + 1;
        }
    };

    /// <summary>
    /// Chains of joined string literals ("abc" + "def"): for each '+' with a closing quote before it and an
    /// opening quote after it (spaces and one line break allowed), the opening quote of the literal before the
    /// '+' (at most <paramref name="maxBack"/> back).
    /// </summary>
    public static CandidateFinder JoinedLiterals(int maxBack) => (text, from, into) =>
    {
        int at = from;
        while (at < text.Length)
        {
            int plus = text.IndexOf('+', at);
            if (plus < 0) break;
            at = plus + 1;
            int q = plus - 1;
            while (q >= from && plus - q <= 30 && (text[q] == ' ' || text[q] == '\t' || text[q] == '\r' || text[q] == '\n')) q--;
            if (q < from || (text[q] != '"' && text[q] != '\'')) continue;
            int n = plus + 1;
            while (n < text.Length && n - plus <= 30 && (text[n] == ' ' || text[n] == '\t' || text[n] == '\r' || text[n] == '\n')) n++;
            if (n >= text.Length || (text[n] != '"' && text[n] != '\'')) continue;
            int open = q - 1;
            while (open >= from && q - open <= maxBack && text[open] != text[q] && !char.IsWhiteSpace(text[open])) open--;
            if (open >= from && text[open] == text[q]) into.Add(open);
        }
    };

    /// <summary>Digits in the stretch from <paramref name="start"/> made only of digits and <paramref name="separators"/> (at most <paramref name="span"/> characters).</summary>
    public static int DigitsAhead(string text, int start, int span, string separators)
    {
        int digits = 0, end = Math.Min(text.Length, start + span);
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (c >= '0' && c <= '9') digits++;
            else if (separators.IndexOf(c) < 0) break;
        }
        return digits;
    }

    /// <summary>
    /// Keyword-led assignments (name = value, Header: value): for each ':' or '=', the name right before
    /// it (a run of identifier characters, after at most one quote and three spaces) is searched for the
    /// keywords. One vectorised pass for the separators, then a few short searches.
    /// </summary>
    public static CandidateFinder KeywordsBeforeSeparator(int maxName, string nameChars, params string[] keywords) => (text, from, into) =>
    {
        int at = from;
        while (at < text.Length)
        {
            int q = TextScan.NextSeparator(text, at);
            if (q < 0) break;
            at = q + 1;
            int e = q, spaces = 0;
            while (e > from && spaces < 3 && (text[e - 1] == ' ' || text[e - 1] == '\t')) { e--; spaces++; }
            if (e > from && (text[e - 1] == '"' || text[e - 1] == '\'')) e--;
            int r = e;
            while (r > from && e - r < maxName && (TextScan.IsAlnum(text[r - 1]) || nameChars.IndexOf(text[r - 1]) >= 0)) r--;
            if (e - r < 3) continue;
            foreach (var kw in keywords)
            {
                int k = r;
                while (k < e)
                {
                    int i = TextScan.IndexOf(text, kw, k, StringComparison.OrdinalIgnoreCase, e);
                    if (i < 0) break;
                    into.Add(i);
                    k = i + 1;
                }
            }
        }
    };

    /// <summary>For each occurrence of <paramref name="anchor"/>, the start of the run of <paramref name="runChars"/> that ends there (at most <paramref name="maxBack"/> back).</summary>
    public static CandidateFinder RunBefore(string anchor, Func<char, bool> runChars, int maxBack) => (text, from, into) =>
    {
        int at = from;
        while (at < text.Length)
        {
            int q = TextScan.IndexOf(text, anchor, at, StringComparison.Ordinal);
            if (q < 0) break;
            int r = q;
            while (r > from && q - r < maxBack && runChars(text[r - 1])) r--;
            into.Add(r);
            at = q + 1;
        }
    };

    /// <summary>Starts of alphanumeric words at least <paramref name="minLength"/> long whose first character is in <paramref name="firsts"/>.</summary>
    public static CandidateFinder LongWords(string firsts, int minLength) => (text, from, into) =>
    {
        int i = from;
        while (i < text.Length)
        {
            if (!TextScan.IsAlnum(text[i])) { i++; continue; }
            int startWord = i;
            while (i < text.Length && TextScan.IsAlnum(text[i])) i++;
            if (i - startWord >= minLength && firsts.IndexOf(text[startWord]) >= 0) into.Add(startWord);
        }
    };

    public static bool IsHexOrColon(char c) => c == ':' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    public static bool IsEmailLocal(char c) => TextScan.IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    public static bool IsSchemeChar(char c) => TextScan.IsAlnum(c) || c == '+' || c == '.' || c == '-';
}

internal static class TextScan
{
    public static bool IsAlnum(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    public static int IndexOf(string text, string value, int from, StringComparison cmp)
    {
#if NET8_0_OR_GREATER
        int i = text.AsSpan(from).IndexOf(value.AsSpan(), cmp);
        return i < 0 ? -1 : i + from;
#else
        return text.IndexOf(value, from, cmp);
#endif
    }

    /// <summary>Like <see cref="IndexOf(string, string, int, StringComparison)"/> but only within text[from, limit).</summary>
    public static int IndexOf(string text, string value, int from, StringComparison cmp, int limit)
    {
        limit = Math.Min(limit, text.Length);
        if (limit - from < value.Length) return -1;
#if NET8_0_OR_GREATER
        int i = text.AsSpan(from, limit - from).IndexOf(value.AsSpan(), cmp);
        return i < 0 ? -1 : i + from;
#else
        return text.IndexOf(value, from, limit - from, cmp);
#endif
    }

    public static int NextSeparator(string text, int from)
    {
#if NET8_0_OR_GREATER
        int i = text.AsSpan(from).IndexOfAny(':', '=');
        return i < 0 ? -1 : i + from;
#else
        return text.IndexOfAny(SeparatorChars, from);
#endif
    }

#if !NET8_0_OR_GREATER
    private static readonly char[] SeparatorChars = { ':', '=' };
#endif

    public static int NextDigit(string text, int from)
    {
#if NET8_0_OR_GREATER
        int i = text.AsSpan(from).IndexOfAnyInRange('0', '9');
        return i < 0 ? -1 : i + from;
#else
        for (int i = from; i < text.Length; i++) if (text[i] >= '0' && text[i] <= '9') return i;
        return -1;
#endif
    }

    public static int NextNonDigit(string text, int from)
    {
#if NET8_0_OR_GREATER
        int i = text.AsSpan(from).IndexOfAnyExceptInRange('0', '9');
        return i < 0 ? text.Length : i + from;
#else
        for (int i = from; i < text.Length; i++) if (text[i] < '0' || text[i] > '9') return i;
        return text.Length;
#endif
    }

    /// <summary>True when one of <paramref name="words"/> occurs as a whole word in text[from, to).</summary>
    public static bool HasWord(string text, int from, int to, string[] words)
    {
        if (from < 0) from = 0;
        if (to > text.Length) to = text.Length;
        if (to <= from) return false;
        foreach (var w in words)
        {
            int at = from;
            while (at <= to - w.Length)
            {
                int i = text.IndexOf(w, at, to - at, StringComparison.OrdinalIgnoreCase);
                if (i < 0) break;
                bool startOk = i == 0 || !char.IsLetter(text[i - 1]);
                bool endOk = i + w.Length >= text.Length || !char.IsLetter(text[i + w.Length]);
                if (startOk && endOk) return true;
                at = i + 1;
            }
        }
        return false;
    }
}
