using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace ClaudePS.Engine.Redaction;

/// <summary>One redacted region of the original text (the value itself is never kept).</summary>
public readonly struct RedactionFinding
{
    public RedactionFinding(string type, int start, int length)
    {
        Type = type;
        Start = start;
        Length = length;
    }

    public string Type { get; }
    public int Start { get; }
    public int Length { get; }
    public override string ToString() => $"{Type}@{Start}+{Length}";
}

/// <summary>The redacted text, what was found, and counts by type.</summary>
public sealed class RedactionResult
{
    internal RedactionResult(string text, IReadOnlyList<RedactionFinding> findings, IReadOnlyDictionary<string, int> counts)
    {
        Text = text;
        Findings = findings;
        Counts = counts;
    }

    public string Text { get; }
    /// <summary>Regions of the input that were replaced, in order.</summary>
    public IReadOnlyList<RedactionFinding> Findings { get; }
    public IReadOnlyDictionary<string, int> Counts { get; }
}

/// <summary>
/// Finds and replaces secrets and personal data. Thread-safe and reusable: build one per options object
/// (<see cref="For"/> caches) and call <see cref="Redact"/> or <see cref="CreateStream"/> as often as needed.
/// </summary>
public sealed class Redactor
{
    /// <summary>Type reported when a pattern timed out and the rest of the text was redacted unscanned.</summary>
    public const string UnscannedType = "Unscanned";

    private const int BeforeContext = 64;
    private static readonly ConditionalWeakTable<RedactionOptions, Redactor> Cache = new();

    private readonly Recognizer[] _recognizers;
    private int _timeouts;
    private readonly AllowList _allow;

    public Redactor(RedactionOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        var list = new List<Recognizer>();
        if (options.Profile != RedactionProfile.None)
        {
            foreach (var r in BuiltInRecognizers.All) if (r.Profile <= options.Profile) list.Add(r);
        }
        foreach (var p in options.CustomPatterns)
        {
            var regex = new Regex(p.Pattern, RegexOptions.CultureInvariant, options.MatchTimeout);
            string name = p.Name;
            list.Add(new Recognizer(name, RedactionProfile.None, 65, () => regex,
                c => c.Match.Length == 0 ? null : new Finding(c.Start, c.End, name, 65), null, 16));
        }
        _recognizers = list.ToArray();
        _allow = new AllowList(options.AllowList);
    }

    public RedactionOptions Options { get; }

    /// <summary>How many pattern matches have timed out in this redactor (each costs <see cref="RedactionOptions.MatchTimeout"/>).</summary>
    public int Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>False when this redactor never changes text (profile None, no custom patterns).</summary>
    public bool IsActive => _recognizers.Length > 0;

    /// <summary>The redactor for <paramref name="options"/>, built once per options instance.</summary>
    public static Redactor For(RedactionOptions options) => Cache.GetValue(options, o => new Redactor(o));

    public RedactionResult Redact(string? text)
    {
        text ??= "";
        if (!IsActive || text.Length == 0) return new RedactionResult(text, Array.Empty<RedactionFinding>(), EmptyCounts);
        var scan = Scan(text, 0, final: true);
        if (scan.Findings.Count == 0) return new RedactionResult(text, Array.Empty<RedactionFinding>(), EmptyCounts);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var sb = new StringBuilder(text.Length);
        var findings = new List<RedactionFinding>(scan.Findings.Count);
        Render(text, 0, text.Length, scan.Findings, sb, counts, findings);
        return new RedactionResult(sb.ToString(), findings, counts);
    }

    /// <summary>
    /// Redacts the pieces of <paramref name="joined"/> as one text, so context in one piece (a keyword,
    /// a JSON property name) counts for the next, and returns each piece redacted. A finding that crosses
    /// a piece boundary is replaced in every piece it touches, so no piece keeps part of it; it is counted once.
    /// </summary>
    internal JoinedRedaction RedactJoined(JoinedText joined)
    {
        string text = joined.Text;
        var pieces = joined.Pieces;
        var result = new string[pieces.Count];
        if (!IsActive || text.Length == 0)
        {
            for (int i = 0; i < pieces.Count; i++) result[i] = text.Substring(pieces[i].Start, pieces[i].End - pieces[i].Start);
            return new JoinedRedaction(text, result, EmptyCounts, changed: false);
        }
        var scan = Scan(text, 0, final: true);
        if (scan.Findings.Count == 0)
        {
            for (int i = 0; i < pieces.Count; i++) result[i] = text.Substring(pieces[i].Start, pieces[i].End - pieces[i].Start);
            return new JoinedRedaction(text, result, EmptyCounts, changed: false);
        }
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var whole = new StringBuilder(text.Length);
        Render(text, 0, text.Length, scan.Findings, whole, counts, null);
        var sb = new StringBuilder();
        for (int i = 0; i < pieces.Count; i++)
        {
            var (start, end) = pieces[i];
            sb.Clear();
            int pos = start;
            foreach (var f in scan.Findings)
            {
                if (f.End <= start || f.Start >= end) continue;
                int from = Math.Max(f.Start, start);
                sb.Append(text, pos, from - pos);
                sb.Append(Placeholder(f.Type, f.Last4));
                pos = Math.Min(f.End, end);
            }
            sb.Append(text, pos, end - pos);
            result[i] = sb.ToString();
        }
        return new JoinedRedaction(whole.ToString(), result, counts, changed: true);
    }

    /// <summary>A stream-safe redactor: feed deltas, get back only text that can no longer change.</summary>
    public StreamingRedactor CreateStream() => new(this);

    internal static readonly IReadOnlyDictionary<string, int> EmptyCounts = new Dictionary<string, int>();

    internal readonly struct ScanResult
    {
        public ScanResult(List<OriginalFinding> findings, int commit, bool timedOut)
        {
            Findings = findings;
            Commit = commit;
            TimedOut = timedOut;
        }

        /// <summary>A pattern timed out: everything from where it stopped to the end is an Unscanned finding.</summary>
        public bool TimedOut { get; }

        /// <summary>Findings in original coordinates, sorted, not overlapping, all ending at or before Commit.</summary>
        public List<OriginalFinding> Findings { get; }
        /// <summary>Original index up to which the text is final.</summary>
        public int Commit { get; }
    }

    internal readonly struct OriginalFinding
    {
        public OriginalFinding(int start, int end, string type, string? last4)
        {
            Start = start;
            End = end;
            Type = type;
            Last4 = last4;
        }

        public int Start { get; }
        public int End { get; }
        public string Type { get; }
        public string? Last4 { get; }
    }

    /// <summary>
    /// Detects in <paramref name="window"/> from <paramref name="startAt"/> on (text before it is context
    /// only). Not final: the text may still grow, so the commit point stops before anything that more
    /// text could change: an unfinished match, a trailing fragment that could become one, or a match
    /// whose deciding context has not arrived yet.
    /// </summary>
    internal ScanResult Scan(string window, int startAt, bool final)
    {
        var shadow = TextShadow.Create(window);
        string s = shadow.Text;
        int n = s.Length;
        int from = shadow.ToShadow(startAt);
        int commit = n;
        var found = new List<Finding>();
        var raw = final ? null : new List<(int Start, int End)>();

        var candidates = new List<int>();
        bool timedOut = false;
        int unscannedFrom = n;
        foreach (var r in _recognizers)
        {
            var regex = r.Regex;
            int pos = from, next = 0;
            if (r.Candidates is not null)
            {
                candidates.Clear();
                r.Candidates(s, from, candidates);
                if (candidates.Count == 0) continue;
                candidates.Sort();
            }
            while (pos <= n)
            {
                Match m;
                try
                {
                    if (r.Candidates is null) m = regex.Match(s, pos);
                    else
                    {
                        // Anchored regex: try the next candidate start at or after pos.
                        while (next < candidates.Count && candidates[next] < pos) next++;
                        if (next >= candidates.Count) break;
                        m = regex.Match(s, candidates[next++]);
                        if (!m.Success) continue;
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    unscannedFrom = Math.Min(unscannedFrom, pos);
                    timedOut = true;
                    Interlocked.Increment(ref _timeouts);
                    break;
                }
                if (!m.Success) break;
                int end = m.Index + m.Length;
                if (!final)
                {
                    bool settled = end + r.After <= n || (r.SettledByEndGroup && m.Groups["end"].Success && end < n);
                    if (!settled) { commit = Math.Min(commit, m.Index); break; }
                    raw!.Add((m.Index, end));
                }
                var f = r.Validate(new Candidate(s, m, Options));
                if (f is { } finding && finding.End > finding.Start && !_allow.Allows(s, finding)) found.Add(finding);
                pos = m.Length > 0 ? end : m.Index + 1;
            }
        }

        Candidates.ForgetDigitRuns();
        if (timedOut)
        {
            // Fail closed: nothing from where a recognizer gave up (or, if earlier, where another still
            // waited for more text) is shown. Nothing later text brings can change that, so the whole
            // window is committed: a stream then stops scanning instead of paying the timeout per delta.
            found.Add(new Finding(Math.Min(unscannedFrom, commit), n, UnscannedType, int.MaxValue));
            commit = n;
        }
        else if (!final)
        {
            commit = Math.Min(commit, GrowthStart(s, from, n));
            // Never cut through a raw match: the scan that resumes at the commit point must see what a
            // scan of the whole text would see from there.
            bool moved = true;
            while (moved)
            {
                moved = false;
                foreach (var (rs, re) in raw!)
                {
                    if (rs < commit && re > commit) { commit = rs; moved = true; }
                }
                foreach (var f in found)
                {
                    if (f.Start < commit && f.End > commit) { commit = f.Start; moved = true; }
                }
            }
            if (commit < from) commit = from;
        }

        found.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority) : b.End.CompareTo(a.End));
        var kept = new List<OriginalFinding>();
        int lastEnd = -1;
        foreach (var found1 in found)
        {
            var f = found1;
            if (f.Start < lastEnd)
            {
                // Unscanned text stays hidden even where a finding before it overlaps its start.
                if (f.Type != UnscannedType || f.End <= lastEnd) continue;
                f = new Finding(lastEnd, f.End, f.Type, f.Priority, f.Last4);
            }
            if (f.End > commit) continue;
            kept.Add(new OriginalFinding(shadow.ToOriginal(f.Start), shadow.ToOriginalEnd(f.End), f.Type, f.Last4));
            lastEnd = f.End;
        }
        int originalCommit = commit >= n ? window.Length : shadow.ToOriginal(commit);
        if (!final && originalCommit > startAt && originalCommit < window.Length && char.IsHighSurrogate(window[originalCommit - 1])) originalCommit--;
        return new ScanResult(kept, originalCommit, timedOut);
    }

    /// <summary>Where the trailing fragment that could still grow into a match begins (n when none).</summary>
    private static int GrowthStart(string s, int from, int n)
    {
        int start = n;
        // The last token: any token-shaped secret, address or key could continue it.
        int i = n;
        while (i > from && !char.IsWhiteSpace(s[i - 1])) i--;
        start = Math.Min(start, i);
        // Digit groups with separators, dashes of a key header.
        int tailFrom = Math.Max(from, n - 200);
        var m = RedactionRegexes.GrowthTail.Match(s, tailFrom);
        if (m.Success) start = Math.Min(start, m.Index);
        // A keyword whose assignment may still be arriving (password = ..., Authorization: Bearer ...).
        int kwFrom = Math.Max(from, n - 96);
        foreach (var kw in HoldKeywords)
        {
            int at = kwFrom;
            while (at < n)
            {
                int k = s.IndexOf(kw, at, n - at, StringComparison.OrdinalIgnoreCase);
                if (k < 0) break;
                if (CouldStillAssign(s, k + kw.Length, n)) { start = Math.Min(start, Math.Max(from, LineStartWithin(s, k, 48))); break; }
                at = k + 1;
            }
        }
        return start;
    }

    private static readonly string[] HoldKeywords = { "key", "secret", "pass", "pwd", "token", "authorization", "credential", "sig=" };

    private static bool CouldStillAssign(string s, int after, int n)
    {
        if (n - after < 48) return true;
        for (int i = after; i < n; i++)
        {
            char c = s[i];
            if (c == ':' || c == '=' || c == '\n') return c != '\n';
        }
        return s.IndexOf(" is ", after, n - after, StringComparison.OrdinalIgnoreCase) >= 0;
    }

    private static int LineStartWithin(string s, int k, int max)
    {
        int i = k;
        while (i > 0 && k - i < max && s[i - 1] != '\n') i--;
        return i;
    }

    internal void Render(string text, int from, int to, List<OriginalFinding> findings, StringBuilder sb, Dictionary<string, int> counts, List<RedactionFinding>? list)
    {
        int pos = from;
        foreach (var f in findings)
        {
            if (f.Start < from || f.End > to) continue;
            sb.Append(text, pos, f.Start - pos);
            sb.Append(Placeholder(f.Type, f.Last4));
            counts[f.Type] = counts.TryGetValue(f.Type, out int c) ? c + 1 : 1;
            list?.Add(new RedactionFinding(f.Type, f.Start, f.End - f.Start));
            pos = f.End;
        }
        sb.Append(text, pos, to - pos);
    }

    private string Placeholder(string type, string? last4)
    {
        string format = Options.PlaceholderFormat;
        bool keep = Options.KeepCardLast4 && last4 is not null;
        if (keep && format.IndexOf("{last4}", StringComparison.Ordinal) < 0) type = type + ":" + last4;
        return format.Replace("{type}", type).Replace("{last4}", keep ? last4 : "");
    }

    /// <summary>Allow-list entries: exact values or '*' wildcard patterns, case-insensitive.</summary>
    private sealed class AllowList
    {
        private readonly string[] _entries;

        public AllowList(IReadOnlyList<string> entries)
        {
            _entries = new string[entries.Count];
            for (int i = 0; i < entries.Count; i++) _entries[i] = entries[i];
        }

        public bool Allows(string text, Finding f)
        {
            if (_entries.Length == 0 || f.Type == UnscannedType) return false;
            string value = text.Substring(f.Start, f.End - f.Start);
            foreach (var e in _entries) if (Wildcard(value, e)) return true;
            return false;
        }

        private static bool Wildcard(string value, string pattern)
        {
            int v = 0, p = 0, star = -1, mark = 0;
            while (v < value.Length)
            {
                if (p < pattern.Length && pattern[p] != '*' && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(value[v])) { v++; p++; }
                else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = v; }
                else if (star >= 0) { p = star + 1; v = ++mark; }
                else return false;
            }
            while (p < pattern.Length && pattern[p] == '*') p++;
            return p == pattern.Length;
        }
    }
}
