using System.Xml;
using System.Xml.Linq;
using ClaudePS.HelpBuilder;
using Xunit;

namespace ClaudePS.Module.Tests.Help;

/// <summary>The markdown -> MAML / about-text generator (src/ClaudePS.HelpBuilder), on small inputs.</summary>
public class HelpBuilderTests
{
    internal const string Sample = """
        ---
        external help file: ClaudePS.dll-Help.xml
        Module Name: ClaudePS
        online version: https://example.invalid/Get-ClaudeThing.md
        schema: 2.0.0
        ---

        # Get-ClaudeThing

        ## SYNOPSIS
        Gets things.

        ## SYNTAX

        ### ByName (Default)
        ```
        Get-ClaudeThing [[-Name] <String>] [-Force] [<CommonParameters>]
        ```

        ### ById
        ```
        Get-ClaudeThing -Id <Int32> [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        First paragraph
        wrapped over two lines.

        - one
        - two

        ## EXAMPLES

        ### Example 1: From a CSV
        ```powershell
        Import-Csv things.csv | Get-ClaudeThing
        ## not a section: a comment inside code
        ```

        Reads every row.

        ### Example 2: By id
        ```powershell
        Get-ClaudeThing -Id 3 -Force
        ```

        Gets one & <all> of it.

        ## PARAMETERS

        ### -Force
        Skips the cache.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: False
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Id
        The id.

        ```yaml
        Type: Int32
        Parameter Sets: ById
        Aliases: ThingId

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -Name
        The name.

        ```yaml
        Type: String
        Parameter Sets: ByName
        Aliases:
        Accepted values: a, b

        Required: False
        Position: 0
        Default value: *
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: True
        ```

        ### CommonParameters
        This cmdlet supports the common parameters.

        ## INPUTS

        ### System.String
        A name.

        ## OUTPUTS

        ### ClaudePS.Thing
        One thing.

        ## NOTES
        Costs nothing.

        ## RELATED LINKS

        [Get-ClaudeConnection](Get-ClaudeConnection.md)

        [Claude docs](https://docs.anthropic.com/)
        """;

    private static readonly XNamespace Command = MamlWriter.Command.NamespaceName;
    private static readonly XNamespace Maml = MamlWriter.Maml.NamespaceName;
    private static readonly XNamespace Dev = MamlWriter.Dev.NamespaceName;

    private static XElement BuildSample() => MamlWriter.Write(new[] { MarkdownHelpReader.Read(Sample) }).Root!.Element(Command + "command")!;

    [Fact]
    public void Reader_reads_every_section()
    {
        var help = MarkdownHelpReader.Read(Sample);
        Assert.Equal("Get-ClaudeThing", help.Name);
        Assert.Equal("Get", help.Verb);
        Assert.Equal("ClaudeThing", help.Noun);
        Assert.Equal("Gets things.", help.Synopsis);
        Assert.Equal(new[] { "ByName (Default)", "ById" }, help.Syntax.Select(s => s.SetName));
        Assert.Equal(2, help.Examples.Count);
        Assert.Contains("## not a section", help.Examples[0].Code[0]);
        Assert.Equal("Reads every row.", help.Examples[0].Remarks);
        Assert.Equal(new[] { "Force", "Id", "Name" }, help.Parameters.Select(p => p.Name));
        var name = help.Parameters[2].Facts.Single();
        Assert.Equal(("String", "0", "*", "True (ByValue)", true), (name.Type, name.Position, name.DefaultValue, name.PipelineInput, name.Wildcard));
        Assert.Equal(new[] { "a", "b" }, name.AcceptedValues);
        Assert.Equal(new[] { "ThingId" }, help.Parameters[1].Facts[0].Aliases);
        Assert.Equal("System.String", help.Inputs.Single().TypeName);
        Assert.Equal("ClaudePS.Thing", help.Outputs.Single().TypeName);
        Assert.Equal("Costs nothing.", help.Notes);
        Assert.Equal(2, help.RelatedLinks.Count);
    }

    [Theory]
    [InlineData("## SYNOPSIS\nGets things.\n", "## SYNOPSIS\n", "no '## SYNOPSIS' section")]
    [InlineData("Accept wildcard characters: True\n", "", "lacks 'Accept wildcard characters:'")]
    [InlineData("Position: 0\n", "Position: first\n", "Position is 'Named' or a number")]
    [InlineData("Required: True\n", "Required: yes\n", "'Required' is True or False")]
    [InlineData("### -Force\n", "### Force\n", "must be '### -Name'")]
    public void Reader_rejects_malformed_help_with_file_and_reason(string find, string replace, string reason)
    {
        var broken = Sample.Replace(find, replace);
        if (find.StartsWith("## SYNOPSIS", StringComparison.Ordinal)) broken = Sample.Replace("## SYNOPSIS\nGets things.\n", "");
        Assert.NotEqual(Sample, broken);
        var ex = Assert.Throws<HelpFormatException>(() => MarkdownHelpReader.Read(broken, "x.md"));
        Assert.Contains(reason, ex.Message);
        Assert.StartsWith("x.md(", ex.Message);
    }

    [Fact]
    public void Reader_rejects_an_unclosed_fence_and_an_example_without_code()
    {
        Assert.Throws<HelpFormatException>(() => MarkdownHelpReader.Read(Sample + "\n```powershell\nopen"));
        var noCode = Sample.Replace("```powershell\nGet-ClaudeThing -Id 3 -Force\n```", "");
        Assert.Contains("has no code block", Assert.Throws<HelpFormatException>(() => MarkdownHelpReader.Read(noCode)).Message);
    }

    [Fact]
    public void Maml_is_well_formed_in_the_schema_Get_Help_reads()
    {
        var doc = MamlWriter.Write(new[] { MarkdownHelpReader.Read(Sample) });
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false) })) doc.Save(writer);
        stream.Position = 0;
        var reread = XDocument.Load(stream); // throws if not well-formed
        Assert.Equal(XName.Get("helpItems", "http://msh"), reread.Root!.Name);
        Assert.Equal("maml", (string?)reread.Root.Attribute("schema"));
        var command = reread.Root.Element(Command + "command")!;
        var details = command.Element(Command + "details")!;
        Assert.Equal("Get-ClaudeThing", (string?)details.Element(Command + "name"));
        Assert.Equal("Get", (string?)details.Element(Command + "verb"));
        Assert.Equal("ClaudeThing", (string?)details.Element(Command + "noun"));
        Assert.Equal("Gets things.", (string?)details.Element(Maml + "description")!.Element(Maml + "para"));
        foreach (var section in new[] { Command + "syntax", Command + "parameters", Command + "inputTypes", Command + "returnValues", Command + "examples", Command + "relatedLinks", Maml + "alertSet" })
            Assert.NotNull(command.Element(section));
    }

    [Fact]
    public void Every_markdown_parameter_becomes_a_MAML_parameter_with_its_facts()
    {
        var parameters = BuildSample().Element(Command + "parameters")!.Elements(Command + "parameter").ToArray();
        Assert.Equal(new[] { "Force", "Id", "Name" }, parameters.Select(p => (string)p.Element(Maml + "name")!));
        var name = parameters[2];
        Assert.Equal("false", (string?)name.Attribute("required"));
        Assert.Equal("0", (string?)name.Attribute("position"));
        Assert.Equal("true", (string?)name.Attribute("globbing"));
        Assert.Equal("True (ByValue)", (string?)name.Attribute("pipelineInput"));
        Assert.Equal("The name.", (string?)name.Element(Maml + "description")!.Element(Maml + "para"));
        Assert.Equal("String", (string?)name.Element(Command + "parameterValue"));
        Assert.Equal("*", (string?)name.Element(Dev + "defaultValue"));
        Assert.Equal(new[] { "a", "b" }, name.Element(Command + "parameterValueGroup")!.Elements().Select(e => (string)e));
        var id = parameters[1];
        Assert.Equal("ThingId", (string?)id.Attribute("aliases"));
        Assert.Equal("named", (string?)id.Attribute("position"));
        Assert.Equal("none", (string?)parameters[0].Attribute("aliases"));
    }

    [Fact]
    public void Syntax_has_one_item_per_set_with_its_parameters_positional_first()
    {
        var items = BuildSample().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToArray();
        Assert.Equal(2, items.Length);
        string[] Names(XElement item) => item.Elements(Command + "parameter").Select(p => (string)p.Element(Maml + "name")!).ToArray();
        Assert.Equal(new[] { "Name", "Force" }, Names(items[0]));
        Assert.Equal(new[] { "Id", "Force" }, Names(items[1]));
        Assert.Equal("true", (string?)items[1].Elements(Command + "parameter").First().Attribute("required"));
        // A switch shows as [-Force]: no value element in the syntax.
        Assert.Null(items[0].Elements(Command + "parameter").Last().Element(Command + "parameterValue"));
    }

    [Fact]
    public void Examples_are_preserved_with_code_and_remarks()
    {
        var examples = BuildSample().Element(Command + "examples")!.Elements(Command + "example").ToArray();
        Assert.Equal(2, examples.Length);
        Assert.Contains("Example 1: From a CSV", (string)examples[0].Element(Maml + "title")!);
        Assert.Equal("Import-Csv things.csv | Get-ClaudeThing\n## not a section: a comment inside code", (string?)examples[0].Element(Dev + "code"));
        Assert.Equal("Gets one & <all> of it.", (string?)examples[1].Element(Dev + "remarks")!.Element(Maml + "para"));
    }

    [Fact]
    public void Description_inputs_outputs_notes_and_links_are_carried()
    {
        var command = BuildSample();
        var paras = command.Element(Maml + "description")!.Elements(Maml + "para").Select(p => (string)p).ToArray();
        Assert.Equal(new[] { "First paragraph wrapped over two lines.", "- one\n- two" }, paras);
        Assert.Equal("System.String", (string?)command.Descendants(Command + "inputType").Single().Element(Dev + "type")!.Element(Maml + "name"));
        Assert.Equal("One thing.", (string?)command.Descendants(Command + "returnValue").Single().Element(Maml + "description")!.Element(Maml + "para"));
        Assert.Equal("Costs nothing.", (string?)command.Element(Maml + "alertSet")!.Descendants(Maml + "para").Single());
        var links = command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(l => ((string)l.Element(Maml + "linkText")!, (string)l.Element(Maml + "uri")!)).ToArray();
        Assert.Equal(new[]
        {
            ("Online Version:", "https://example.invalid/Get-ClaudeThing.md"),
            ("Get-ClaudeConnection", ""), // a sibling .md file means nothing in a console
            ("Claude docs", "https://docs.anthropic.com/"),
        }, links);
    }

    [Fact]
    public void About_topic_text_has_a_header_wraps_at_80_and_keeps_code()
    {
        var md = "# about_Thing\n\n## SHORT DESCRIPTION\nShort.\n\n## LONG DESCRIPTION\n" + string.Join(" ", Enumerable.Repeat("word", 60)) +
                 "\n\n```powershell\n" + "Get-ClaudeThing -Name " + new string('x', 90) + "\n```\n\n- item one\n- item two\n";
        var text = AboutTopicWriter.Write(md);
        Assert.StartsWith("TOPIC\n    about_Thing\n\nSHORT DESCRIPTION\n    Short.\n", text);
        Assert.Contains("LONG DESCRIPTION\n    word word", text);
        Assert.Contains("        Get-ClaudeThing -Name " + new string('x', 90), text);
        Assert.Contains("    - item one\n    - item two\n", text);
        foreach (var line in text.Split('\n').Where(l => !l.Contains("Get-ClaudeThing")))
            Assert.True(line.Length <= AboutTopicWriter.Width, $"too long: '{line}'");
    }

    [Fact]
    public void Build_writes_the_MAML_and_about_files_and_fails_on_a_duplicate()
    {
        var dir = Directory.CreateTempSubdirectory("claudeps-help-");
        try
        {
            var docs = Directory.CreateDirectory(Path.Combine(dir.FullName, "docs")).FullName;
            var outDir = Path.Combine(dir.FullName, "out");
            File.WriteAllText(Path.Combine(docs, "Get-ClaudeThing.md"), Sample);
            File.WriteAllText(Path.Combine(docs, "about_Thing.md"), "# about_Thing\n\n## SHORT DESCRIPTION\nShort.\n");
            var written = Program.Build(docs, outDir, TextWriter.Null);
            Assert.Equal(new[] { "ClaudePS.dll-Help.xml", "about_Thing.help.txt" }, written.Select(Path.GetFileName));
            var maml = XDocument.Load(Path.Combine(outDir, "ClaudePS.dll-Help.xml"));
            Assert.Single(maml.Root!.Elements(Command + "command"));
            Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));

            File.WriteAllText(Path.Combine(docs, "Copy.md"), Sample);
            var ex = Assert.Throws<HelpFormatException>(() => Program.Build(docs, outDir, TextWriter.Null));
            Assert.Contains("more than one file", ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Writer_round_trips_what_the_reader_read()
    {
        var once = MarkdownHelpWriter.Write(MarkdownHelpReader.Read(Sample));
        var twice = MarkdownHelpWriter.Write(MarkdownHelpReader.Read(once));
        Assert.Equal(once, twice);
        Assert.Contains("Accepted values: a, b", once);
    }

    [Fact]
    public void Updater_refreshes_facts_keeps_prose_and_defaults_and_drops_stale_parameters()
    {
        var model = new CmdletModel
        {
            Name = "Get-ClaudeThing",
            DefaultParameterSetName = "ByName",
            SupportsShouldProcess = true,
            OutputTypes = new[] { "ClaudePS.Thing" },
            Parameters = new[]
            {
                new ParameterModel { Name = "Name", TypeName = "String", Aliases = Array.Empty<string>(), Wildcard = true, AcceptedValues = new[] { "a", "b" },
                    Sets = new[] { new SetModel("ByName", false, 0, true, false) } },
                new ParameterModel { Name = "Limit", TypeName = "Int32", Aliases = new[] { "First" },
                    Sets = new[] { new SetModel(CmdletMetadata.AllSetsName, false, int.MinValue, false, true) } },
                new ParameterModel { Name = "Secret", TypeName = "String", Aliases = Array.Empty<string>(), DontShow = true,
                    Sets = new[] { new SetModel(CmdletMetadata.AllSetsName, false, int.MinValue, true, false) } },
            },
        };
        var help = MarkdownHelpUpdater.Update(MarkdownHelpReader.Read(Sample), model, out var changes);
        Assert.Equal(new[] { "Confirm", "Limit", "Name", "WhatIf" }, help.Parameters.Select(p => p.Name));
        Assert.Contains("removed -Force (no such parameter)", changes);
        Assert.Contains("removed -Id (no such parameter)", changes);
        Assert.Contains("added -Limit", changes);
        var name = help.Parameters.Single(p => p.Name == "Name");
        Assert.Equal("The name.", name.Description);
        Assert.Equal("*", name.Facts[0].DefaultValue);
        Assert.Equal(new[] { "ByName" }, name.Facts[0].ParameterSets);
        var limit = help.Parameters.Single(p => p.Name == "Limit").Facts.Single();
        Assert.Equal(("(All)", "First", "True (ByPropertyName)"), (limit.ParameterSets.Single(), limit.Aliases.Single(), limit.PipelineInput));
        Assert.StartsWith(MarkdownHelpUpdater.Placeholder, help.Parameters.Single(p => p.Name == "Limit").Description);
        Assert.Equal("wi", help.Parameters.Single(p => p.Name == "WhatIf").Facts[0].Aliases.Single());
        Assert.Equal("ByName: Get-ClaudeThing [[-Name] <String>] [-Limit <Int32>] [-WhatIf] [-Confirm] [<CommonParameters>]",
            string.Join("\n", help.Syntax.Select(s => $"{s.SetName}: {s.Code}")));
        Assert.Equal(2, help.Examples.Count); // examples untouched
    }

    [Fact]
    public void Syntax_lines_follow_PowerShell_notation()
    {
        var model = new CmdletModel
        {
            Name = "Set-ClaudeThing",
            DefaultParameterSetName = "A",
            OutputTypes = Array.Empty<string>(),
            Parameters = new[]
            {
                new ParameterModel { Name = "Flag", TypeName = "SwitchParameter", Aliases = Array.Empty<string>(), Sets = new[] { new SetModel("B", true, int.MinValue, false, false) } },
                new ParameterModel { Name = "Path", TypeName = "String[]", Aliases = Array.Empty<string>(), Sets = new[] { new SetModel("A", true, 0, false, false) } },
                new ParameterModel { Name = "Count", TypeName = "Int32", Aliases = Array.Empty<string>(), Sets = new[] { new SetModel(CmdletMetadata.AllSetsName, false, 1, false, false) } },
            },
        };
        var syntax = HelpFacts.Syntax(model).Select(s => $"{s.SetName}: {s.Code}").ToArray();
        Assert.Equal(new[]
        {
            "A (Default): Set-ClaudeThing [-Path] <String[]> [[-Count] <Int32>] [<CommonParameters>]",
            "B: Set-ClaudeThing [[-Count] <Int32>] -Flag [<CommonParameters>]",
        }, syntax);
    }
}
