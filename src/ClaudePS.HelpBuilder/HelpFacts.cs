using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ClaudePS.HelpBuilder;

/// <summary>What a cmdlet's help must say about syntax and parameters, derived from its metadata.</summary>
public static class HelpFacts
{
    /// <summary>Switches PowerShell adds for SupportsShouldProcess; help documents them like platyPS does.</summary>
    public static readonly IReadOnlyList<(string Name, string Alias, string Description)> ShouldProcessSwitches = new[]
    {
        ("Confirm", "cf", "Prompts you for confirmation before running the cmdlet."),
        ("WhatIf", "wi", "Shows what would happen if the cmdlet runs. The cmdlet is not run."),
    };

    /// <summary>The documented parameter names: every visible parameter plus -Confirm/-WhatIf when supported.</summary>
    public static IReadOnlyList<string> DocumentedParameterNames(CmdletModel cmdlet)
    {
        var names = cmdlet.Parameters.Where(p => !p.DontShow).Select(p => p.Name).ToList();
        if (cmdlet.SupportsShouldProcess) names.AddRange(ShouldProcessSwitches.Select(s => s.Name));
        return names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>yaml blocks for a parameter: one per distinct (Required, Position, pipeline) behaviour across its sets.</summary>
    public static List<ParameterFacts> FactsFor(CmdletModel cmdlet, ParameterModel parameter)
    {
        var result = new List<ParameterFacts>();
        var multiSet = cmdlet.SetNames.Count > 1 || cmdlet.SetNames[0] != CmdletMetadata.AllSetsName;
        foreach (var group in parameter.Sets.GroupBy(s => (s.Mandatory, s.Position, s.ByValue, s.ByPropertyName)))
        {
            var facts = new ParameterFacts
            {
                Type = parameter.TypeName,
                Required = group.Key.Mandatory,
                Position = group.Key.Position < 0 ? "Named" : group.Key.Position.ToString(CultureInfo.InvariantCulture),
                PipelineInput = Pipeline(group.Key.ByValue, group.Key.ByPropertyName),
                Wildcard = parameter.Wildcard,
                DefaultValue = parameter.TypeName == "SwitchParameter" ? "False" : "None",
            };
            var sets = group.Select(s => s.SetName).ToList();
            if (sets.Contains(CmdletMetadata.AllSetsName) || !multiSet) facts.ParameterSets.Add(ParameterFacts.AllSets);
            else facts.ParameterSets.AddRange(sets.OrderBy(s => s, StringComparer.OrdinalIgnoreCase));
            facts.Aliases.AddRange(parameter.Aliases);
            facts.AcceptedValues.AddRange(parameter.AcceptedValues);
            result.Add(facts);
        }
        return result;
    }

    public static ParameterFacts ShouldProcessFacts(string alias)
    {
        var facts = new ParameterFacts { Type = "SwitchParameter", DefaultValue = "False" };
        facts.ParameterSets.Add(ParameterFacts.AllSets);
        facts.Aliases.Add(alias);
        return facts;
    }

    public static string Pipeline(bool byValue, bool byPropertyName) => (byValue, byPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    /// <summary>One syntax line per parameter set, as Get-Command -Syntax prints it.</summary>
    public static List<SyntaxEntry> Syntax(CmdletModel cmdlet)
    {
        var result = new List<SyntaxEntry>();
        var sets = cmdlet.SetNames;
        foreach (var set in sets)
        {
            var members = new List<(ParameterModel P, SetModel S, int Order)>();
            var order = 0;
            foreach (var p in cmdlet.Parameters.Where(p => !p.DontShow))
            {
                var entry = p.Sets.FirstOrDefault(s => string.Equals(s.SetName, set, StringComparison.OrdinalIgnoreCase))
                            ?? p.Sets.FirstOrDefault(s => s.SetName == CmdletMetadata.AllSetsName);
                if (entry is not null) members.Add((p, entry, order++));
            }
            var line = new StringBuilder(cmdlet.Name);
            foreach (var (p, s, _) in members.OrderBy(m => m.S.Position < 0 ? int.MaxValue : m.S.Position).ThenBy(m => m.S.Mandatory ? 0 : 1).ThenBy(m => m.Order))
            {
                var isSwitch = p.TypeName == "SwitchParameter";
                var name = s.Position >= 0 ? $"[-{p.Name}]" : $"-{p.Name}";
                var text = isSwitch ? $"-{p.Name}" : $"{name} <{p.TypeName}>";
                line.Append(' ').Append(s.Mandatory ? text : $"[{text}]");
            }
            if (cmdlet.SupportsShouldProcess) line.Append(" [-WhatIf] [-Confirm]");
            line.Append(" [<CommonParameters>]");
            var heading = sets.Count > 1 && string.Equals(set, cmdlet.DefaultParameterSetName, StringComparison.OrdinalIgnoreCase) ? set + " (Default)" : set;
            result.Add(new SyntaxEntry(heading, line.ToString()));
        }
        return result;
    }
}
