using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Xunit;

namespace ClaudePS.Module.Tests.Prompting;

/// <summary>Static checks of the prompt-feature cmdlets, read from out/ClaudePS with MetadataLoadContext
/// (nothing of PowerShell runs): output types declared and formatted, exported, pipeline binding, no
/// clash with common parameters.</summary>
public sealed class PromptCmdletShapeTests : IDisposable
{
    private static readonly string ModuleDir = FindModuleDir();
    private readonly MetadataLoadContext _context;
    private readonly Assembly _module;

    private static readonly string[] Cmdlets =
    {
        "NewClaudeConversationCommand", "ExportClaudeConversationCommand", "ImportClaudeConversationCommand",
        "MeasureClaudeTokenCommand", "GetClaudeModelCommand", "InvokeClaudePromptCommand",
    };

    private static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm", "UseTransaction",
        "vb", "db", "ea", "wa", "infa", "proga", "ev", "wv", "iv", "ov", "ob", "pv", "wi", "cf",
    };

    public PromptCmdletShapeTests()
    {
        var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        paths.AddRange(Directory.GetFiles(ModuleDir, "*.dll"));
        paths.AddRange(Directory.GetFiles(Path.Combine(ModuleDir, "Dependencies", "netstandard2.0"), "*.dll"));
        var sma = Directory.GetFiles(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "powershellstandard.library"),
            "System.Management.Automation.dll", SearchOption.AllDirectories).First();
        paths.Add(sma);
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths.GroupBy(Path.GetFileName).Select(g => g.First())));
        _module = _context.LoadFromAssemblyPath(Path.Combine(ModuleDir, "ClaudePS.dll"));
    }

    public void Dispose() => _context.Dispose();

    private static string FindModuleDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "out", "ClaudePS", "ClaudePS.psd1"))) return Path.Combine(dir.FullName, "out", "ClaudePS");
        throw new InvalidOperationException("out/ClaudePS not found: build src/ClaudePS first.");
    }

    private Type Cmdlet(string name) => _module.GetType("ClaudePS.Commands." + name, throwOnError: true)!;

    private static CustomAttributeData? Attr(MemberInfo m, string name) => m.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == name);

    [Fact]
    public void Every_cmdlet_declares_output_types_that_have_a_format_view()
    {
        var views = XDocument.Load(Path.Combine(ModuleDir, "ClaudePS.Format.ps1xml")).Descendants("TypeName").Select(e => e.Value).ToHashSet();
        foreach (var name in Cmdlets)
        {
            var outputType = Attr(Cmdlet(name), "OutputTypeAttribute");
            Assert.True(outputType is not null, name + " has no [OutputType]");
            foreach (var arg in outputType!.ConstructorArguments.SelectMany(a => a.Value as IEnumerable<CustomAttributeTypedArgument> ?? new[] { a }))
            {
                var type = (Type)arg.Value!;
                if (type.Namespace == "ClaudePS") Assert.True(views.Contains(type.FullName!), $"{type.FullName} ({name}) has no format view");
            }
        }
    }

    [Fact]
    public void Every_cmdlet_is_exported_by_the_manifest()
    {
        var manifest = File.ReadAllText(Path.Combine(ModuleDir, "ClaudePS.psd1"));
        foreach (var name in Cmdlets)
        {
            var cmdlet = Attr(Cmdlet(name), "CmdletAttribute")!;
            string exported = $"'{cmdlet.ConstructorArguments[0].Value}-{cmdlet.ConstructorArguments[1].Value}'";
            Assert.Contains(exported, manifest);
        }
    }

    [Fact]
    public void No_parameter_or_alias_collides_with_a_common_parameter_and_types_are_never_engine_types()
    {
        foreach (var name in Cmdlets)
            foreach (var p in Cmdlet(name).GetProperties().Where(p => Attr(p, "ParameterAttribute") is not null))
            {
                Assert.DoesNotContain(p.Name, CommonParameters, StringComparer.OrdinalIgnoreCase);
                if (Attr(p, "AliasAttribute") is { } alias)
                    foreach (var a in (IEnumerable<CustomAttributeTypedArgument>)alias.ConstructorArguments[0].Value!)
                        Assert.DoesNotContain((string)a.Value!, CommonParameters, StringComparer.OrdinalIgnoreCase);
                Assert.False(p.PropertyType.Assembly.GetName().Name == "ClaudePS.Engine", $"{name}.{p.Name} is an engine type");
            }
    }

    [Theory]
    [InlineData("MeasureClaudeTokenCommand", "Prompt")]
    [InlineData("MeasureClaudeTokenCommand", "System")]
    [InlineData("MeasureClaudeTokenCommand", "Model")]
    [InlineData("MeasureClaudeTokenCommand", "Attachment")]
    [InlineData("InvokeClaudePromptCommand", "Attachment")]
    [InlineData("ImportClaudeConversationCommand", "Path")]
    [InlineData("GetClaudeModelCommand", "Id")]
    public void Rows_bind_by_property_name(string cmdlet, string parameter)
    {
        var attr = Attr(Cmdlet(cmdlet).GetProperty(parameter)!, "ParameterAttribute")!;
        Assert.Contains(attr.NamedArguments, a => a.MemberName == "ValueFromPipelineByPropertyName" && (bool)a.TypedValue.Value!);
    }

    [Theory]
    [InlineData("InvokeClaudePromptCommand")]
    [InlineData("ExportClaudeConversationCommand")]
    public void Cmdlets_that_spend_or_write_support_WhatIf(string cmdlet)
    {
        var attr = Attr(Cmdlet(cmdlet), "CmdletAttribute")!;
        Assert.Contains(attr.NamedArguments, a => a.MemberName == "SupportsShouldProcess" && (bool)a.TypedValue.Value!);
    }
}
