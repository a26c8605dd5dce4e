using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ClaudePS.HelpBuilder;

/// <summary>A help file that does not follow the platyPS layout; names the file and line.</summary>
public sealed class HelpFormatException(string path, int line, string message)
    : Exception($"{path}({line}): {message}")
{
    public string FilePath { get; } = path;
    public int Line { get; } = line;
}

/// <summary>
/// Reads platyPS 1.0-style cmdlet markdown (schema 2.0.0): front matter, "# Name", then the H2 sections
/// SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS.
/// Headings inside code fences are text, not structure.
/// </summary>
public static class MarkdownHelpReader
{
    private static readonly string[] RequiredSections = { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS" };
    private static readonly Regex LinkLine = new(@"^\s*(?:[-*]\s+)?\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)\s*$", RegexOptions.CultureInvariant);

    public static CommandHelp ReadFile(string path, bool lenient = false) => Read(File.ReadAllText(path), path, lenient);

    /// <param name="lenient">For the update command: parameters may lack a yaml block or some of its keys
    /// (the update fills them in from metadata). The build reads strictly.</param>
    public static CommandHelp Read(string markdown, string path = "<markdown>", bool lenient = false)
    {
        var lines = markdown.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var help = new CommandHelp { SourcePath = path };
        var index = ReadFrontMatter(lines, help, path);
        var doc = Outline(lines, index, path);

        if (doc.Title is null) throw new HelpFormatException(path, 1, "no '# <Verb-Noun>' title line.");
        help.Name = doc.Title.Value.Text;
        foreach (var required in RequiredSections)
            if (!doc.Sections.Any(s => s.Name == required))
                throw new HelpFormatException(path, doc.Title.Value.Line, $"no '## {required}' section.");

        foreach (var section in doc.Sections)
        {
            switch (section.Name)
            {
                case "SYNOPSIS": help.Synopsis = Prose(section.Body); break;
                case "DESCRIPTION": help.Description = Prose(section.Body); break;
                case "NOTES": help.Notes = Prose(section.Body); break;
                case "SYNTAX":
                    foreach (var sub in section.Subsections)
                    {
                        var code = Fences(sub.Body).Select(f => f.Code).FirstOrDefault();
                        if (code is null) throw new HelpFormatException(path, sub.Line, $"syntax '{sub.Title}' has no code block.");
                        help.Syntax.Add(new SyntaxEntry(sub.Title, code.Trim()));
                    }
                    break;
                case "EXAMPLES":
                    foreach (var sub in section.Subsections)
                    {
                        var example = new ExampleHelp { Title = sub.Title };
                        foreach (var fence in Fences(sub.Body)) example.Code.Add(fence.Code.TrimEnd());
                        if (example.Code.Count == 0) throw new HelpFormatException(path, sub.Line, $"example '{sub.Title}' has no code block.");
                        example.Remarks = Prose(OutsideFences(sub.Body));
                        help.Examples.Add(example);
                    }
                    break;
                case "PARAMETERS":
                    foreach (var sub in section.Subsections)
                    {
                        if (sub.Title == "CommonParameters") continue;
                        if (!sub.Title.StartsWith("-", StringComparison.Ordinal))
                            throw new HelpFormatException(path, sub.Line, $"parameter heading '### {sub.Title}' must be '### -Name'.");
                        var parameter = new ParameterHelp { Name = sub.Title.Substring(1).Trim(), Description = Prose(OutsideFences(sub.Body)) };
                        foreach (var fence in Fences(sub.Body).Where(f => f.Language == "yaml"))
                            parameter.Facts.Add(ReadFacts(fence.Code, path, sub.Line, lenient));
                        if (parameter.Facts.Count == 0 && !lenient) throw new HelpFormatException(path, sub.Line, $"parameter -{parameter.Name} has no ```yaml block.");
                        help.Parameters.Add(parameter);
                    }
                    break;
                case "INPUTS":
                case "OUTPUTS":
                    var target = section.Name == "INPUTS" ? help.Inputs : help.Outputs;
                    foreach (var sub in section.Subsections) target.Add(new TypeHelp(sub.Title, Prose(sub.Body)));
                    break;
                case "RELATED LINKS":
                    foreach (var line in section.Body)
                    {
                        if (string.IsNullOrWhiteSpace(line)) continue;
                        var m = LinkLine.Match(line);
                        help.RelatedLinks.Add(m.Success ? new LinkHelp(m.Groups["text"].Value.Trim(), m.Groups["uri"].Value.Trim()) : new LinkHelp(line.Trim().TrimStart('-', '*', ' '), ""));
                    }
                    break;
                default:
                    throw new HelpFormatException(path, section.Line, $"unknown section '## {section.Name}'.");
            }
        }
        return help;
    }

    private static int ReadFrontMatter(string[] lines, CommandHelp help, string path)
    {
        var i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0) i++;
        if (i >= lines.Length || lines[i].Trim() != "---") return i;
        for (var j = i + 1; j < lines.Length; j++)
        {
            if (lines[j].Trim() == "---") return j + 1;
            if (lines[j].Trim().Length == 0) continue;
            var colon = lines[j].IndexOf(':');
            if (colon <= 0) throw new HelpFormatException(path, j + 1, "front matter lines are 'key: value'.");
            help.Metadata.Add(new KeyValuePair<string, string>(lines[j].Substring(0, colon).Trim(), lines[j].Substring(colon + 1).Trim()));
        }
        throw new HelpFormatException(path, i + 1, "front matter is not closed with '---'.");
    }

    private readonly record struct Heading(string Text, int Line);

    private sealed class Section(string name, int line)
    {
        public string Name { get; } = name;
        public int Line { get; } = line;
        public List<string> Body { get; } = new();
        public List<Subsection> Subsections { get; } = new();
    }

    private sealed class Subsection(string title, int line)
    {
        public string Title { get; } = title;
        public int Line { get; } = line;
        public List<string> Body { get; } = new();
    }

    private sealed class Document(Heading? title, List<Section> sections)
    {
        public Heading? Title { get; } = title;
        public List<Section> Sections { get; } = sections;
    }

    private static Document Outline(string[] lines, int start, string path)
    {
        Heading? title = null;
        var sections = new List<Section>();
        Section? section = null;
        Subsection? sub = null;
        var inFence = false;
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            if (IsFence(line)) inFence = !inFence;
            else if (!inFence && line.StartsWith("# ", StringComparison.Ordinal))
            {
                if (title is not null) throw new HelpFormatException(path, i + 1, "a second '# ' title; sections are '## NAME'.");
                title = new Heading(line.Substring(2).Trim(), i + 1);
                continue;
            }
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                if (title is null) throw new HelpFormatException(path, i + 1, "a section before the '# <Verb-Noun>' title.");
                section = new Section(line.Substring(3).Trim().ToUpperInvariant(), i + 1);
                sections.Add(section);
                sub = null;
                continue;
            }
            else if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                if (section is null) throw new HelpFormatException(path, i + 1, "a '###' heading outside any '##' section.");
                sub = new Subsection(line.Substring(4).Trim(), i + 1);
                section.Subsections.Add(sub);
                continue;
            }
            if (sub is not null) sub.Body.Add(line);
            else section?.Body.Add(line);
        }
        if (inFence) throw new HelpFormatException(path, lines.Length, "a code fence is not closed.");
        return new Document(title, sections);
    }

    internal static bool IsFence(string line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    /// <summary>The fenced code blocks of a body: language tag and verbatim content.</summary>
    public static IEnumerable<(string Language, string Code)> Fences(IEnumerable<string> body)
    {
        StringBuilder? code = null;
        var language = "";
        foreach (var line in body)
        {
            if (IsFence(line))
            {
                if (code is null) { code = new StringBuilder(); language = line.Trim().Substring(3).Trim().ToLowerInvariant(); }
                else { yield return (language, code.ToString().TrimEnd('\n')); code = null; }
            }
            else code?.Append(line).Append('\n');
        }
    }

    private static List<string> OutsideFences(IEnumerable<string> body)
    {
        var result = new List<string>();
        var inFence = false;
        foreach (var line in body)
        {
            if (IsFence(line)) { inFence = !inFence; continue; }
            if (!inFence) result.Add(line);
        }
        return result;
    }

    /// <summary>Markdown prose with leading/trailing blank lines removed; inner layout kept.</summary>
    private static string Prose(IEnumerable<string> body)
    {
        var list = body.Select(l => l.TrimEnd()).ToList();
        while (list.Count > 0 && list[0].Length == 0) list.RemoveAt(0);
        while (list.Count > 0 && list[^1].Length == 0) list.RemoveAt(list.Count - 1);
        return string.Join("\n", list);
    }

    private static ParameterFacts ReadFacts(string yaml, string path, int line, bool lenient)
    {
        var facts = new ParameterFacts();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in yaml.Split('\n'))
        {
            if (raw.Trim().Length == 0) continue;
            var colon = raw.IndexOf(':');
            if (colon <= 0) throw new HelpFormatException(path, line, $"yaml line '{raw.Trim()}' is not 'Key: value'.");
            var key = raw.Substring(0, colon).Trim();
            var value = raw.Substring(colon + 1).Trim();
            seen.Add(key);
            switch (key.ToLowerInvariant())
            {
                case "type": facts.Type = value; break;
                case "parameter sets": facts.ParameterSets.AddRange(List(value)); break;
                case "aliases": facts.Aliases.AddRange(List(value)); break;
                case "accepted values": facts.AcceptedValues.AddRange(List(value)); break;
                case "required": facts.Required = Bool(value, key, path, line); break;
                case "position": facts.Position = value; break;
                case "default value": facts.DefaultValue = value; break;
                case "accept pipeline input": facts.PipelineInput = value; break;
                case "accept wildcard characters": facts.Wildcard = Bool(value, key, path, line); break;
                default: throw new HelpFormatException(path, line, $"unknown yaml key '{key}'.");
            }
        }
        foreach (var key in new[] { "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" })
            if (!seen.Contains(key) && !lenient) throw new HelpFormatException(path, line, $"yaml block lacks '{key}:'.");
        if (facts.Position != "Named" && !int.TryParse(facts.Position, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new HelpFormatException(path, line, $"Position is 'Named' or a number, not '{facts.Position}'.");
        return facts;
    }

    private static IEnumerable<string> List(string value) =>
        value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0);

    private static bool Bool(string value, string key, string path, int line) =>
        bool.TryParse(value, out var b) ? b : throw new HelpFormatException(path, line, $"'{key}' is True or False, not '{value}'.");
}
