using System;
using System.Collections.Generic;
using System.Linq;

namespace ClaudePS.HelpBuilder;

/// <summary>
/// Brings a markdown help file in line with the cmdlet's metadata, as platyPS's Update-MarkdownHelp does:
/// SYNTAX and every parameter's yaml facts come from the attributes; prose, examples and default values
/// written by people are kept; new parameters get a placeholder; parameters that no longer exist go.
/// </summary>
public static class MarkdownHelpUpdater
{
    public const string Placeholder = "{{ Fill in";

    public static CommandHelp CreateNew(CmdletModel cmdlet, string moduleName, string helpFile, string onlineBase)
    {
        var help = new CommandHelp { Name = cmdlet.Name, Synopsis = $"{Placeholder} the Synopsis }}}}", Description = $"{Placeholder} the Description }}}}" };
        help.Metadata.Add(new("external help file", helpFile));
        help.Metadata.Add(new("Module Name", moduleName));
        help.Metadata.Add(new("online version", onlineBase + cmdlet.Name + ".md"));
        help.Metadata.Add(new("schema", "2.0.0"));
        foreach (var type in cmdlet.Parameters.Where(p => p.Sets.Any(s => s.ByValue || s.ByPropertyName)).Select(p => p.FullTypeName).Distinct())
            help.Inputs.Add(new TypeHelp(type, $"{Placeholder} the input description }}}}"));
        foreach (var type in cmdlet.OutputTypes)
            help.Outputs.Add(new TypeHelp(type, $"{Placeholder} the output description }}}}"));
        return Update(help, cmdlet, out _);
    }

    /// <summary>Returns the updated help; <paramref name="changes"/> says what changed, for the console.</summary>
    public static CommandHelp Update(CommandHelp help, CmdletModel cmdlet, out List<string> changes)
    {
        changes = new List<string>();
        help.Syntax.Clear();
        help.Syntax.AddRange(HelpFacts.Syntax(cmdlet));

        var existing = help.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var updated = new List<ParameterHelp>();
        foreach (var name in HelpFacts.DocumentedParameterNames(cmdlet))
        {
            existing.TryGetValue(name, out var old);
            var parameter = new ParameterHelp { Name = name };
            var model = cmdlet.Parameters.FirstOrDefault(p => p.Name == name);
            if (model is not null) parameter.Facts.AddRange(HelpFacts.FactsFor(cmdlet, model));
            else
            {
                var sp = HelpFacts.ShouldProcessSwitches.First(s => s.Name == name);
                parameter.Facts.Add(HelpFacts.ShouldProcessFacts(sp.Alias));
            }
            if (old is null)
            {
                var sp = HelpFacts.ShouldProcessSwitches.FirstOrDefault(s => s.Name == name);
                parameter.Description = sp.Description ?? $"{Placeholder} {name} Description }}}}";
                changes.Add($"added -{name}");
            }
            else
            {
                parameter.Description = old.Description;
                // Defaults are written by people (metadata cannot see initialisers); keep theirs.
                if (old.Facts.Select(f => f.DefaultValue).FirstOrDefault(d => d != "None") is { } oldDefault)
                    foreach (var f in parameter.Facts) f.DefaultValue = oldDefault;
                if (old.Name != name) changes.Add($"renamed -{old.Name} to -{name}");
            }
            updated.Add(parameter);
        }
        foreach (var stale in help.Parameters.Where(p => !updated.Any(u => string.Equals(u.Name, p.Name, StringComparison.OrdinalIgnoreCase))))
            changes.Add($"removed -{stale.Name} (no such parameter)");
        help.Parameters.Clear();
        help.Parameters.AddRange(updated);

        if (help.Outputs.Count == 0)
            foreach (var type in cmdlet.OutputTypes) help.Outputs.Add(new TypeHelp(type, $"{Placeholder} the output description }}}}"));
        return help;
    }
}
