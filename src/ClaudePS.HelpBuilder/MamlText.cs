using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace ClaudePS.HelpBuilder;

/// <summary>Markdown prose to console text: paragraphs, with fenced code and lists kept line by line.</summary>
public static class MamlText
{
    private static readonly Regex ListItem = new(@"^\s*([-*+]|\d+\.)\s+", RegexOptions.CultureInvariant);
    private static readonly Regex InlineLink = new(@"\[(?<text>[^\]]+)\]\((?<uri>[^)]+)\)", RegexOptions.CultureInvariant);

    /// <summary>
    /// Splits markdown into paragraphs. Plain lines of one paragraph are joined with spaces (the console
    /// wraps them); code fences become one verbatim paragraph; list items keep their own lines.
    /// </summary>
    public static IReadOnlyList<string> Paragraphs(string markdown)
    {
        var result = new List<string>();
        var block = new List<string>();
        List<string>? code = null;
        void Flush()
        {
            if (block.Count == 0) return;
            var hasList = block.Any(l => ListItem.IsMatch(l));
            result.Add(hasList ? string.Join("\n", block.Select(Inline)) : Inline(string.Join(" ", block.Select(l => l.Trim()))));
            block.Clear();
        }
        foreach (var raw in (markdown ?? "").Replace("\r\n", "\n").Split('\n'))
        {
            if (MarkdownHelpReader.IsFence(raw))
            {
                if (code is null) { Flush(); code = new List<string>(); }
                else { result.Add(string.Join("\n", code)); code = null; }
                continue;
            }
            if (code is not null) { code.Add(raw.TrimEnd()); continue; }
            if (raw.Trim().Length == 0) { Flush(); continue; }
            block.Add(raw.TrimEnd());
        }
        if (code is not null) result.Add(string.Join("\n", code));
        Flush();
        return result;
    }

    /// <summary>[text](uri) becomes "text (uri)", or just "text" for links to sibling markdown files.</summary>
    public static string Inline(string line) =>
        InlineLink.Replace(line, m =>
        {
            var uri = m.Groups["uri"].Value;
            return uri.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("#", StringComparison.Ordinal)
                ? m.Groups["text"].Value
                : $"{m.Groups["text"].Value} ({uri})";
        });
}
