using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ClaudePS.HelpBuilder;

/// <summary>
/// Turns an about_*.md topic into the plain text Get-Help shows (about_*.help.txt): headings flush left
/// (H2 in capitals), prose indented four spaces and wrapped to 80 columns, code and tables verbatim.
/// </summary>
public static class AboutTopicWriter
{
    public const int Width = 80;
    private static readonly Regex ListItem = new(@"^(\s*)([-*+]|\d+\.)\s+(.*)$", RegexOptions.CultureInvariant);

    public static string Write(string markdown, string path = "<markdown>")
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n').ToList();
        var start = 0;
        if (lines.Count > 0 && lines[0].Trim() == "---")
        {
            var end = lines.FindIndex(1, l => l.Trim() == "---");
            if (end < 0) throw new HelpFormatException(path, 1, "front matter is not closed with '---'.");
            start = end + 1;
        }

        var sb = new StringBuilder();
        string? title = null;
        var paragraph = new List<string>();
        var inFence = false;
        void Flush()
        {
            if (paragraph.Count == 0) return;
            var first = ListItem.Match(paragraph[0]);
            if (first.Success)
                // A list: each item wrapped with a hanging indent.
                foreach (var item in SplitItems(paragraph))
                {
                    var m = ListItem.Match(item);
                    var bullet = (m.Groups[2].Value is "*" or "+" ? "-" : m.Groups[2].Value) + " ";
                    Wrap(sb, MamlText.Inline(m.Groups[3].Value), 4 + m.Groups[1].Value.Length, bullet);
                }
            else if (paragraph[0].TrimStart().StartsWith("|", StringComparison.Ordinal))
                foreach (var row in paragraph) sb.Append("    ").Append(row.Trim()).Append('\n');
            else
                Wrap(sb, MamlText.Inline(string.Join(" ", paragraph.Select(p => p.Trim()))), 4, "");
            sb.Append('\n');
            paragraph.Clear();
        }

        for (var i = start; i < lines.Count; i++)
        {
            var line = lines[i].TrimEnd();
            if (MarkdownHelpReader.IsFence(line))
            {
                Flush();
                inFence = !inFence;
                if (!inFence) sb.Append('\n');
                continue;
            }
            if (inFence) { sb.Append(line.Length == 0 ? "" : "        " + line).Append('\n'); continue; }
            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                Flush();
                title = line.Substring(2).Trim();
                sb.Append("TOPIC\n    ").Append(title).Append("\n\n");
                continue;
            }
            if (line.StartsWith("## ", StringComparison.Ordinal)) { Flush(); sb.Append(line.Substring(3).Trim().ToUpperInvariant()).Append('\n'); continue; }
            if (line.StartsWith("### ", StringComparison.Ordinal)) { Flush(); sb.Append(line.Substring(4).Trim()).Append('\n'); continue; }
            if (line.StartsWith("#### ", StringComparison.Ordinal)) { Flush(); sb.Append("  ").Append(line.Substring(5).Trim()).Append('\n'); continue; }
            if (line.Length == 0) { Flush(); continue; }
            paragraph.Add(line);
        }
        if (inFence) throw new HelpFormatException(path, lines.Count, "a code fence is not closed.");
        Flush();
        if (title is null) throw new HelpFormatException(path, 1, "no '# about_Name' title line.");
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static IEnumerable<string> SplitItems(List<string> lines)
    {
        var current = new StringBuilder();
        foreach (var line in lines)
        {
            if (ListItem.IsMatch(line) && current.Length > 0) { yield return current.ToString(); current.Clear(); }
            if (current.Length > 0) current.Append(' ').Append(line.Trim()); else current.Append(line);
        }
        if (current.Length > 0) yield return current.ToString();
    }

    /// <summary>Word-wraps text to <see cref="Width"/> at an indent; the first line starts with the prefix.</summary>
    private static void Wrap(StringBuilder sb, string text, int indent, string prefix)
    {
        var line = new StringBuilder(new string(' ', indent) + prefix);
        var hanging = new string(' ', indent + prefix.Length);
        var empty = line.Length;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > empty && line.Length + 1 + word.Length > Width)
            {
                sb.Append(line).Append('\n');
                line.Clear().Append(hanging);
                empty = line.Length;
            }
            if (line.Length > empty) line.Append(' ');
            line.Append(word);
        }
        sb.Append(line).Append('\n');
    }
}
