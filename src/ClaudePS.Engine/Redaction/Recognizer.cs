using System;
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

/// <summary>How a recognizer's prefilter decides a text is worth running its regex on.</summary>
internal enum TriggerKind { Always, Literal, LiteralIgnoreCase, Digit }

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
/// One detector: a bounded regex (found cheaply by a prefilter) plus a validator that decides whether a
/// raw match is the real thing and which part of it to redact.
/// </summary>
internal sealed class Recognizer
{
    public Recognizer(string type, RedactionProfile profile, int priority, Func<Regex> regex, Func<Candidate, Finding?> validate,
        TriggerKind triggerKind, string[]? triggers, int after)
    {
        Type = type;
        Profile = profile;
        Priority = priority;
        _regex = regex;
        Validate = validate;
        TriggerKind = triggerKind;
        Triggers = triggers ?? Array.Empty<string>();
        After = after;
    }

    private readonly Func<Regex> _regex;

    public string Type { get; }
    /// <summary>The lowest profile this recognizer runs in.</summary>
    public RedactionProfile Profile { get; }
    /// <summary>Which finding wins when two start at the same place.</summary>
    public int Priority { get; }
    public Regex Regex => _regex();
    public Func<Candidate, Finding?> Validate { get; }
    public TriggerKind TriggerKind { get; }
    public string[] Triggers { get; }
    /// <summary>
    /// How many characters after a raw match the regex and the validator may read (boundary checks,
    /// context words). While streaming, a match is final only once that many characters follow it.
    /// </summary>
    public int After { get; }
    /// <summary>For blocks: a match that reached its terminator is final however long the block is.</summary>
    public bool SettledByEndGroup { get; init; }

    public bool MayMatch(string text, int from)
    {
        switch (TriggerKind)
        {
            case TriggerKind.Always:
                return true;
            case TriggerKind.Digit:
                return TextScan.HasDigit(text, from);
            case TriggerKind.Literal:
                foreach (var t in Triggers) if (text.IndexOf(t, from, StringComparison.Ordinal) >= 0) return true;
                return false;
            default:
                foreach (var t in Triggers) if (text.IndexOf(t, from, StringComparison.OrdinalIgnoreCase) >= 0) return true;
                return false;
        }
    }
}

internal static class TextScan
{
    public static bool HasDigit(string text, int from)
    {
        if (from >= text.Length) return false;
#if NET8_0_OR_GREATER
        return text.AsSpan(from).IndexOfAnyInRange('0', '9') >= 0;
#else
        for (int i = from; i < text.Length; i++) if (text[i] >= '0' && text[i] <= '9') return true;
        return false;
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
