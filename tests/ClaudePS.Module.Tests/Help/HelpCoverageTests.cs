using System.Xml.Linq;
using ClaudePS.HelpBuilder;
using Xunit;

namespace ClaudePS.Module.Tests.Help;

/// <summary>
/// Every cmdlet in the built ClaudePS.dll has markdown help in docs/en-US that documents exactly its
/// parameters with the facts its attributes declare, has real prose and at least three examples, and is
/// in the MAML file the build ships. A new cmdlet or parameter without help fails here by design.
/// To refresh syntax and parameter facts after a change:
///   dotnet src/ClaudePS.HelpBuilder/bin/Debug/net10.0/ClaudePS.HelpBuilder.dll update out/ClaudePS/ClaudePS.dll docs/en-US ~/.nuget/packages/powershellstandard.library/5.1.0-preview-06/lib/netstandard2.0
/// </summary>
public class HelpCoverageTests
{
    public static TheoryData<string> Cmdlets => ModuleUnderTest.CmdletNames();

    private static string DocsDir => Path.Combine(ModuleUnderTest.RepoRoot, "docs", "en-US");
    private static string MamlPath => Path.Combine(ModuleUnderTest.ModuleDir, "en-US", "ClaudePS.dll-Help.xml");
    private const string Fix = " Run the HelpBuilder update command (see HelpCoverageTests) and write the prose.";

    private static readonly Lazy<XDocument> Maml = new(() => XDocument.Load(MamlPath));

    private static CmdletModel Model(string cmdlet) => CmdletMetadata.Read(ModuleUnderTest.Cmdlet(cmdlet).Type);

    private static CommandHelp Doc(string cmdlet)
    {
        var path = Path.Combine(DocsDir, cmdlet + ".md");
        Assert.True(File.Exists(path), $"{cmdlet} has no help: docs/en-US/{cmdlet}.md is missing." + Fix);
        return MarkdownHelpReader.ReadFile(path);
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Markdown_help_exists_and_names_the_cmdlet(string cmdlet)
    {
        var doc = Doc(cmdlet);
        Assert.Equal(cmdlet, doc.Name);
        Assert.Equal("ClaudePS.dll-Help.xml", doc.MetadataValue("external help file"));
        Assert.Equal("ClaudePS", doc.MetadataValue("Module Name"));
        Assert.Equal("2.0.0", doc.MetadataValue("schema"));
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Documents_every_parameter_and_no_stale_one(string cmdlet)
    {
        var expected = HelpFacts.DocumentedParameterNames(Model(cmdlet));
        var documented = Doc(cmdlet).Parameters.Select(p => p.Name).ToArray();
        var missing = expected.Except(documented, StringComparer.Ordinal).ToArray();
        var stale = documented.Except(expected, StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0 && stale.Length == 0,
            $"{cmdlet}: undocumented parameters [{string.Join(", ", missing)}], documented but not on the cmdlet [{string.Join(", ", stale)}]." + Fix);
        Assert.Equal(documented.Length, documented.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Parameter_facts_match_the_attributes(string cmdlet)
    {
        var model = Model(cmdlet);
        var doc = Doc(cmdlet);
        var problems = new List<string>();
        foreach (var p in model.Parameters.Where(p => !p.DontShow))
        {
            var documented = doc.Parameters.FirstOrDefault(d => d.Name == p.Name);
            if (documented is null) continue; // reported by Documents_every_parameter_and_no_stale_one
            var expected = HelpFacts.FactsFor(model, p).Select(Describe).OrderBy(s => s, StringComparer.Ordinal);
            var actual = documented.Facts.Select(Describe).OrderBy(s => s, StringComparer.Ordinal);
            if (!expected.SequenceEqual(actual))
                problems.Add($"-{p.Name}: documented [{string.Join(" | ", actual)}], declared [{string.Join(" | ", expected)}]");
        }
        Assert.True(problems.Count == 0, $"{cmdlet}:\n" + string.Join("\n", problems) + "\n" + Fix);

        // Everything but the default value, which metadata cannot see.
        static string Describe(ParameterFacts f) =>
            $"Type={f.Type}; Sets={string.Join(",", f.ParameterSets.OrderBy(s => s, StringComparer.OrdinalIgnoreCase))}; Aliases={string.Join(",", f.Aliases)}; " +
            $"Required={f.Required}; Position={f.Position}; Pipeline={f.PipelineInput}; Wildcard={f.Wildcard}; Values={string.Join(",", f.AcceptedValues)}";
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Syntax_matches_the_parameter_sets(string cmdlet)
    {
        var expected = HelpFacts.Syntax(Model(cmdlet)).Select(s => $"{s.SetName}: {s.Code}");
        var actual = Doc(cmdlet).Syntax.Select(s => $"{s.SetName}: {s.Code}");
        Assert.Equal(string.Join("\n", expected), string.Join("\n", actual));
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Has_prose_and_at_least_three_examples_that_use_it(string cmdlet)
    {
        var doc = Doc(cmdlet);
        Assert.False(string.IsNullOrWhiteSpace(doc.Synopsis), $"{cmdlet}: empty SYNOPSIS.");
        Assert.False(string.IsNullOrWhiteSpace(doc.Description), $"{cmdlet}: empty DESCRIPTION.");
        Assert.True(doc.Examples.Count >= 3, $"{cmdlet}: {doc.Examples.Count} examples; at least three (a CSV pipeline, a runbook, streaming or interactive).");
        foreach (var e in doc.Examples)
        {
            Assert.Contains(cmdlet, string.Join("\n", e.Code), StringComparison.OrdinalIgnoreCase);
            Assert.False(string.IsNullOrWhiteSpace(e.Remarks), $"{cmdlet}: '{e.Title}' does not say what it does.");
        }
        foreach (var p in doc.Parameters)
            Assert.False(string.IsNullOrWhiteSpace(p.Description), $"{cmdlet}: -{p.Name} has no description.");
        Assert.NotEmpty(doc.Outputs);
        var text = File.ReadAllText(Path.Combine(DocsDir, cmdlet + ".md"));
        Assert.False(text.Contains(MarkdownHelpUpdater.Placeholder, StringComparison.Ordinal), $"{cmdlet}: a '{MarkdownHelpUpdater.Placeholder} ...' placeholder is left.");
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void The_built_MAML_has_the_command_and_its_parameters(string cmdlet)
    {
        Assert.True(File.Exists(MamlPath), $"{MamlPath} is missing: the build lays it out from docs/en-US.");
        XNamespace command = MamlWriter.Command.NamespaceName, maml = MamlWriter.Maml.NamespaceName;
        var element = Maml.Value.Root!.Elements(command + "command")
            .FirstOrDefault(c => (string?)c.Element(command + "details")?.Element(command + "name") == cmdlet);
        Assert.True(element is not null, $"{cmdlet} is not in the shipped ClaudePS.dll-Help.xml.");
        var parameters = element!.Element(command + "parameters")!.Elements(command + "parameter").Select(p => (string)p.Element(maml + "name")!).ToArray();
        foreach (var name in HelpFacts.DocumentedParameterNames(Model(cmdlet)))
            Assert.Contains(name, parameters);
        Assert.True(element.Element(command + "examples")!.Elements(command + "example").Count() >= 3);
    }

    [Fact]
    public void The_about_topic_ships_with_the_module()
    {
        Assert.True(File.Exists(Path.Combine(DocsDir, "about_ClaudePS.md")));
        var shipped = Path.Combine(ModuleUnderTest.ModuleDir, "en-US", "about_ClaudePS.help.txt");
        Assert.True(File.Exists(shipped), $"{shipped} is missing.");
        var text = File.ReadAllText(shipped);
        Assert.StartsWith("TOPIC", text, StringComparison.Ordinal);
        foreach (var topic in new[] { "ANTHROPIC_API_KEY", "retr", "budget", "redact", "emulator", "ledger" })
            Assert.Contains(topic, text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_shipped_MAML_is_built_from_the_current_markdown()
    {
        // A markdown file newer than the MAML, or a command missing from it, means the layout did not rerun.
        XNamespace command = MamlWriter.Command.NamespaceName;
        var inMaml = Maml.Value.Root!.Elements(command + "command").Select(c => (string)c.Element(command + "details")!.Element(command + "name")!).ToHashSet();
        foreach (var md in Directory.GetFiles(DocsDir, "*.md").Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.Ordinal)))
            Assert.Contains(MarkdownHelpReader.ReadFile(md).Name, inMaml);
    }
}
