using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ClaudePS.Engine.Redaction;

/// <summary>A labelled span of a corpus document.</summary>
internal readonly struct LabelledSpan
{
    public LabelledSpan(string type, int start, int end)
    {
        Type = type;
        Start = start;
        End = end;
    }

    public string Type { get; }
    public int Start { get; }
    public int End { get; }
}

internal sealed class LabelledDocument
{
    public LabelledDocument(string text, IReadOnlyList<LabelledSpan> spans)
    {
        Text = text;
        Spans = spans;
    }

    public string Text { get; }
    public IReadOnlyList<LabelledSpan> Spans { get; }
}

/// <summary>Precision and recall for one type.</summary>
internal sealed class TypeScore
{
    public int TruePositives { get; set; }
    public int FalsePositives { get; set; }
    public int FalseNegatives { get; set; }
    /// <summary>1 when nothing was predicted (no false alarms).</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 1.0 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1.0 : (double)TruePositives / (TruePositives + FalseNegatives);
}

/// <summary>
/// Reads the team's labelled corpus (documents separated by a '=====' line, spans written
/// [[Type|value]]) and scores a detector against it. Shared by the tests and the benchmark.
/// </summary>
internal static class RedactionEvaluation
{
    public static List<LabelledDocument> ParseCorpus(string corpus)
    {
        var docs = new List<LabelledDocument>();
        foreach (var rawDoc in corpus.Replace("\r\n", "\n").Split(new[] { "\n=====\n" }, StringSplitOptions.None))
        {
            var sb = new StringBuilder(rawDoc.Length);
            var spans = new List<LabelledSpan>();
            int i = 0;
            while (i < rawDoc.Length)
            {
                int open = rawDoc.IndexOf("[[", i, StringComparison.Ordinal);
                if (open < 0) { sb.Append(rawDoc, i, rawDoc.Length - i); break; }
                int bar = rawDoc.IndexOf('|', open);
                int close = rawDoc.IndexOf("]]", bar, StringComparison.Ordinal);
                sb.Append(rawDoc, i, open - i);
                string type = rawDoc.Substring(open + 2, bar - open - 2);
                string value = rawDoc.Substring(bar + 1, close - bar - 1);
                spans.Add(new LabelledSpan(type, sb.Length, sb.Length + value.Length));
                sb.Append(value);
                i = close + 2;
            }
            docs.Add(new LabelledDocument(sb.ToString(), spans));
        }
        return docs;
    }

    /// <summary>
    /// A prediction is a true positive when it overlaps a labelled span of the same type; a labelled
    /// span no prediction of its type overlaps is a false negative.
    /// </summary>
    public static SortedDictionary<string, TypeScore> Score(IEnumerable<LabelledDocument> docs, Func<string, IEnumerable<LabelledSpan>> detect,
        List<string>? mistakes = null)
    {
        var scores = new SortedDictionary<string, TypeScore>(StringComparer.Ordinal);
        TypeScore For(string t) => scores.TryGetValue(t, out var s) ? s : scores[t] = new TypeScore();
        foreach (var doc in docs)
        {
            var predicted = new List<LabelledSpan>(detect(doc.Text));
            foreach (var gold in doc.Spans)
            {
                bool hit = predicted.Exists(p => p.Type == gold.Type && p.Start < gold.End && gold.Start < p.End);
                if (hit) For(gold.Type).TruePositives++;
                else
                {
                    For(gold.Type).FalseNegatives++;
                    mistakes?.Add($"missed {gold.Type}: {Excerpt(doc.Text, gold.Start, gold.End)}");
                }
            }
            foreach (var p in predicted)
            {
                bool hit = false;
                foreach (var gold in doc.Spans) if (p.Type == gold.Type && p.Start < gold.End && gold.Start < p.End) { hit = true; break; }
                if (!hit)
                {
                    For(p.Type).FalsePositives++;
                    mistakes?.Add($"false {p.Type}: {Excerpt(doc.Text, p.Start, p.End)}");
                }
            }
        }
        return scores;
    }

    /// <summary>The types the built-in recognizers of <paramref name="profile"/> report.</summary>
    public static SortedSet<string> ClaimedTypes(RedactionProfile profile)
    {
        var types = new SortedSet<string>(StringComparer.Ordinal);
        if (profile == RedactionProfile.None) return types;
        foreach (var r in BuiltInRecognizers.All)
        {
            if (r.Profile > profile) continue;
            if (r.Type == "SplitKey") continue; // reports the provider's own type
            types.Add(r.Type);
            if (r.Type == "SSN") types.Add("ITIN"); // one recognizer, two types
            if (r.Type == "AnthropicApiKey") types.Add("AnthropicAdminKey");
        }
        return types;
    }

    /// <summary>The corpus as <paramref name="profile"/> sees it: labels of types it does not claim are dropped.</summary>
    public static List<LabelledDocument> ForProfile(IEnumerable<LabelledDocument> docs, RedactionProfile profile)
    {
        var claimed = ClaimedTypes(profile);
        var result = new List<LabelledDocument>();
        foreach (var d in docs) result.Add(new LabelledDocument(d.Text, d.Spans.Where(s => claimed.Contains(s.Type)).ToList()));
        return result;
    }

    /// <summary>Redactor findings as labelled spans.</summary>
    public static IEnumerable<LabelledSpan> Detect(Redactor redactor, string text)
    {
        foreach (var f in redactor.Redact(text).Findings) yield return new LabelledSpan(f.Type, f.Start, f.Start + f.Length);
    }

    private static string Excerpt(string text, int start, int end)
    {
        int a = Math.Max(0, start - 30), b = Math.Min(text.Length, end + 20);
        return (text.Substring(a, start - a) + "<<" + text.Substring(start, end - start) + ">>" + text.Substring(end, b - end)).Replace("\n", "\\n");
    }
}
