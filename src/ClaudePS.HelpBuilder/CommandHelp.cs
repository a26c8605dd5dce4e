using System;
using System.Collections.Generic;

namespace ClaudePS.HelpBuilder;

/// <summary>One cmdlet's help as the platyPS markdown states it. Prose is kept as markdown text.</summary>
public sealed class CommandHelp
{
    public string Name { get; set; } = "";
    /// <summary>YAML front matter, in file order.</summary>
    public List<KeyValuePair<string, string>> Metadata { get; } = new();
    public string Synopsis { get; set; } = "";
    public List<SyntaxEntry> Syntax { get; } = new();
    public string Description { get; set; } = "";
    public List<ExampleHelp> Examples { get; } = new();
    public List<ParameterHelp> Parameters { get; } = new();
    public List<TypeHelp> Inputs { get; } = new();
    public List<TypeHelp> Outputs { get; } = new();
    public string Notes { get; set; } = "";
    public List<LinkHelp> RelatedLinks { get; } = new();
    /// <summary>The file it came from, for error messages.</summary>
    public string? SourcePath { get; set; }

    public string? MetadataValue(string key)
    {
        foreach (var pair in Metadata)
            if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase)) return pair.Value;
        return null;
    }

    public string Verb => Name.IndexOf('-') is var i and > 0 ? Name.Substring(0, i) : Name;
    public string Noun => Name.IndexOf('-') is var i and > 0 ? Name.Substring(i + 1) : "";
}

public sealed record SyntaxEntry(string SetName, string Code);

public sealed class ExampleHelp
{
    public string Title { get; set; } = "";
    public List<string> Code { get; } = new();
    /// <summary>Markdown prose after the code (what the example does).</summary>
    public string Remarks { get; set; } = "";
}

public sealed class ParameterHelp
{
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>One yaml block per distinct set behaviour (platyPS writes several when Required/Position differ by set).</summary>
    public List<ParameterFacts> Facts { get; } = new();

    public IEnumerable<string> AllSets()
    {
        foreach (var f in Facts)
            foreach (var s in f.ParameterSets) yield return s;
    }
}

public sealed class ParameterFacts
{
    public const string AllSets = "(All)";

    public string Type { get; set; } = "String";
    public List<string> ParameterSets { get; } = new();
    public List<string> Aliases { get; } = new();
    public bool Required { get; set; }
    /// <summary>"Named" or a zero-based number.</summary>
    public string Position { get; set; } = "Named";
    public string DefaultValue { get; set; } = "None";
    /// <summary>"False", "True (ByValue)", "True (ByPropertyName)" or "True (ByPropertyName, ByValue)".</summary>
    public string PipelineInput { get; set; } = "False";
    public bool Wildcard { get; set; }
    /// <summary>Values from [ValidateSet], written as "Accepted values:".</summary>
    public List<string> AcceptedValues { get; } = new();

    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";
}

public sealed record TypeHelp(string TypeName, string Description);

public sealed record LinkHelp(string Text, string Uri);
