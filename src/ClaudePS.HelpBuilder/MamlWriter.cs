using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace ClaudePS.HelpBuilder;

/// <summary>
/// Writes command help in the MAML schema Get-Help reads for binary modules (&lt;Module&gt;.dll-Help.xml):
/// helpItems / command:command with details, description, syntax, parameters, inputTypes, returnValues,
/// alertSet (notes), examples and relatedLinks.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Write(IEnumerable<CommandHelp> commands)
    {
        var root = new XElement(Msh + "helpItems",
            new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp));
        foreach (var c in commands.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)) root.Add(WriteCommand(c));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    public static XElement WriteCommand(CommandHelp help)
    {
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", SyntaxItems(help)),
            new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p, p.Facts[0]))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t => new XElement(Command + "inputType", TypeElement(t.TypeName), Description(t.Description)))),
            new XElement(Command + "returnValues", help.Outputs.Select(t => new XElement(Command + "returnValue", TypeElement(t.TypeName), Description(t.Description)))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", MamlText.Paragraphs(help.Notes).Select(Para))),
            new XElement(Command + "examples", help.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(help)));
    }

    private static IEnumerable<XElement> SyntaxItems(CommandHelp help)
    {
        var sets = help.Syntax.Select(s => SetName(s.SetName)).ToList();
        if (sets.Count == 0) sets.Add(ParameterFacts.AllSets);
        foreach (var set in sets)
        {
            var members = new List<(ParameterHelp Parameter, ParameterFacts Facts)>();
            foreach (var p in help.Parameters)
                if (FactsFor(p, set) is { } facts) members.Add((p, facts));
            // Positional parameters first in position order, then mandatory ones, then the rest: how PowerShell prints syntax.
            var ordered = members
                .OrderBy(m => m.Facts.Position == "Named" ? int.MaxValue : int.Parse(m.Facts.Position, CultureInfo.InvariantCulture))
                .ThenBy(m => m.Facts.Required ? 0 : 1)
                .ToList();
            yield return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", help.Name),
                ordered.Select(m => Parameter(m.Parameter, m.Facts, inSyntax: true)));
        }
    }

    /// <summary>A SYNTAX heading without platyPS's " (Default)" marker.</summary>
    public static string SetName(string heading) =>
        heading.EndsWith(" (Default)", StringComparison.Ordinal) ? heading.Substring(0, heading.Length - " (Default)".Length).Trim() : heading.Trim();

    /// <summary>The yaml block that applies to a parameter set: the one naming it, else an "(All)" block.</summary>
    public static ParameterFacts? FactsFor(ParameterHelp parameter, string set)
    {
        var named = parameter.Facts.FirstOrDefault(f => f.ParameterSets.Contains(set, StringComparer.OrdinalIgnoreCase));
        if (named is not null) return named;
        return parameter.Facts.FirstOrDefault(f => f.ParameterSets.Count == 0 || f.ParameterSets.Contains(ParameterFacts.AllSets))
               ?? (set == ParameterFacts.AllSets ? parameter.Facts[0] : null);
    }

    private static XElement Parameter(ParameterHelp p, ParameterFacts f, bool inSyntax = false)
    {
        var element = new XElement(Command + "parameter",
            new XAttribute("required", f.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", f.Wildcard ? "true" : "false"),
            new XAttribute("pipelineInput", f.PipelineInput),
            new XAttribute("position", f.Position == "Named" ? "named" : f.Position),
            new XAttribute("aliases", f.Aliases.Count == 0 ? "none" : string.Join(", ", f.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(p.Description));
        if (f.AcceptedValues.Count > 0)
            element.Add(new XElement(Command + "parameterValueGroup",
                f.AcceptedValues.Select(v => new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        // A switch has no value; Get-Help prints [-Name] for it.
        if (!(inSyntax && f.IsSwitch))
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", f.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", "false"), f.Type));
        element.Add(TypeElement(f.Type));
        element.Add(new XElement(Dev + "defaultValue", f.DefaultValue));
        return element;
    }

    private static XElement TypeElement(string typeName) =>
        new(Dev + "type", new XElement(Maml + "name", typeName), new XElement(Maml + "uri"));

    private static XElement Example(ExampleHelp example)
    {
        var title = example.Title;
        return new XElement(Command + "example",
            new XElement(Maml + "title", $"-------------------------- {title} --------------------------"),
            new XElement(Dev + "code", string.Join("\n\n", example.Code)),
            new XElement(Dev + "remarks", MamlText.Paragraphs(example.Remarks).Select(Para)));
    }

    private static IEnumerable<XElement> Links(CommandHelp help)
    {
        var online = help.MetadataValue("online version");
        if (!string.IsNullOrWhiteSpace(online))
            yield return Link("Online Version:", online!);
        foreach (var link in help.RelatedLinks)
        {
            // Links to sibling .md files mean nothing in a console; Get-Help shows the text, which names the command.
            var uri = link.Uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || link.Uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? link.Uri : "";
            yield return Link(link.Text, uri);
        }
    }

    private static XElement Link(string text, string uri) =>
        new(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", uri));

    private static XElement Description(string markdown) =>
        new(Maml + "description", MamlText.Paragraphs(markdown).Select(Para));

    private static XElement Para(string text) => new(Maml + "para", text);
}
