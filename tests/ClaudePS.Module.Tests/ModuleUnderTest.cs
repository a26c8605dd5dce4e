using System.Reflection;
using System.Runtime.InteropServices;
using Xunit;

namespace ClaudePS.Module.Tests;

/// <summary>
/// The built module as metadata: out/ClaudePS/ClaudePS.dll read through a MetadataLoadContext against
/// the PowerShell reference assembly. Nothing here runs cmdlet code; every cmdlet class in the dll is
/// found by its base type, so new cmdlets are checked without changes to these tests.
/// </summary>
internal static class ModuleUnderTest
{
    public const string AllSets = "__AllParameterSets";

    public static string RepoRoot { get; } = FindRepoRoot();
    public static string ModuleDir { get; } = Path.Combine(RepoRoot, "out", "ClaudePS");
    public static string SourceManifest => Path.Combine(RepoRoot, "ClaudePS.psd1");

    public static string PowerShellReferenceDir { get; } = Path.Combine(
        Metadata("NuGetPackageRoot") is { Length: > 0 } root ? root : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "powershellstandard.library", "5.1.0-preview-06", "lib", "netstandard2.0");

    private static readonly Lazy<MetadataLoadContext> LazyContext = new(CreateContext);
    private static readonly Lazy<IReadOnlyList<CmdletShape>> LazyCmdlets = new(ReadCmdlets);

    public static MetadataLoadContext Context => LazyContext.Value;
    public static Assembly ModuleAssembly => Context.LoadFromAssemblyPath(Path.Combine(ModuleDir, "ClaudePS.dll"));
    public static Assembly AbstractionsAssembly => Context.LoadFromAssemblyPath(Path.Combine(ModuleDir, "ClaudePS.Abstractions.dll"));
    public static Assembly PowerShellAssembly => Context.LoadFromAssemblyName("System.Management.Automation");
    public static IReadOnlyList<CmdletShape> Cmdlets => LazyCmdlets.Value;

    /// <summary>Cmdlet class names for [MemberData]: one test case per cmdlet.</summary>
    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cmdlets) data.Add(c.Name);
        return data;
    }

    public static CmdletShape Cmdlet(string name) => Cmdlets.Single(c => c.Name == name);

    private static string? Metadata(string key) =>
        typeof(ModuleUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string FindRepoRoot()
    {
        if (Metadata("RepoRoot") is { Length: > 0 } fromBuild && File.Exists(Path.Combine(fromBuild, "ModuleTools.sln"))) return Path.GetFullPath(fromBuild);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModuleTools.sln"))) return dir.FullName;
        throw new InvalidOperationException("ModuleTools.sln not found above " + AppContext.BaseDirectory);
    }

    private static MetadataLoadContext CreateContext()
    {
        if (!File.Exists(Path.Combine(ModuleDir, "ClaudePS.dll")))
            throw new InvalidOperationException($"{ModuleDir} has no ClaudePS.dll: build src/ClaudePS first (dotnet build ModuleTools.sln).");
        // One file per simple name: the runtime's own assemblies first (netstandard facades resolve there),
        // then PowerShell's reference assembly, the module and the engine's netstandard2.0 dependencies.
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string folder)
        {
            if (!Directory.Exists(folder)) return;
            foreach (var file in Directory.GetFiles(folder, "*.dll"))
                byName.TryAdd(Path.GetFileNameWithoutExtension(file), file);
        }
        Add(RuntimeEnvironment.GetRuntimeDirectory());
        Add(PowerShellReferenceDir);
        Add(ModuleDir);
        Add(Path.Combine(ModuleDir, "Dependencies", "netstandard2.0"));
        if (!byName.ContainsKey("System.Management.Automation"))
            throw new InvalidOperationException($"PowerShellStandard.Library not found at {PowerShellReferenceDir}: run dotnet restore.");
        return new MetadataLoadContext(new PathAssemblyResolver(byName.Values));
    }

    private static IReadOnlyList<CmdletShape> ReadCmdlets()
    {
        var list = new List<CmdletShape>();
        foreach (var type in ModuleAssembly.GetTypes())
        {
            if (!type.IsClass || type.IsAbstract || !type.IsPublic || !DerivesFrom(type, "System.Management.Automation.Cmdlet")) continue;
            list.Add(CmdletShape.Read(type));
        }
        return list.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }

    public static bool DerivesFrom(Type type, string baseFullName)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.FullName == baseFullName) return true;
        return false;
    }

    /// <summary>Named argument of an attribute (the help builder reads cmdlet metadata the same way).</summary>
    public static T Named<T>(CustomAttributeData attribute, string name, T fallback) => HelpBuilder.CmdletMetadata.Named(attribute, name, fallback);

    /// <summary>Positional arguments flattened: a params array becomes its elements.</summary>
    public static IEnumerable<object?> CtorValues(CustomAttributeData attribute) => HelpBuilder.CmdletMetadata.CtorValues(attribute);
}

/// <summary>One cmdlet class as PowerShell will see it.</summary>
internal sealed class CmdletShape
{
    public required Type Type { get; init; }
    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public string? DefaultParameterSetName { get; init; }
    public bool SupportsShouldProcess { get; init; }
    /// <summary>[OutputType] entries: a Type or a PSTypeName string each.</summary>
    public required IReadOnlyList<object> OutputTypes { get; init; }
    public required IReadOnlyList<ParameterShape> Parameters { get; init; }

    public string Name => Verb + "-" + Noun;
    public override string ToString() => Name;

    /// <summary>Every parameter set name: the ones parameters declare plus the default one.</summary>
    public IReadOnlyList<string> SetNames
    {
        get
        {
            var names = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(n => n != ModuleUnderTest.AllSets).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (DefaultParameterSetName is { Length: > 0 } d) names.Add(d);
            return names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }

    /// <summary>The parameters of a set with their entry for that set (all-sets entries included).</summary>
    public IEnumerable<(ParameterShape Parameter, SetEntry Entry)> InSet(string setName)
    {
        foreach (var p in Parameters)
        {
            var entry = p.Sets.FirstOrDefault(s => string.Equals(s.SetName, setName, StringComparison.OrdinalIgnoreCase))
                        ?? p.Sets.FirstOrDefault(s => s.SetName == ModuleUnderTest.AllSets);
            if (entry is not null) yield return (p, entry);
        }
    }

    public static CmdletShape Read(Type type)
    {
        var attrs = type.GetCustomAttributesData();
        var cmdlet = attrs.Single(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
        var outputs = new List<object>();
        foreach (var o in attrs.Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute"))
            outputs.AddRange(ModuleUnderTest.CtorValues(o).Where(v => v is not null)!);
        var parameters = new List<ParameterShape>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (ParameterShape.TryRead(property) is { } p) parameters.Add(p);
        return new CmdletShape
        {
            Type = type,
            Verb = (string)cmdlet.ConstructorArguments[0].Value!,
            Noun = (string)cmdlet.ConstructorArguments[1].Value!,
            DefaultParameterSetName = ModuleUnderTest.Named<string?>(cmdlet, "DefaultParameterSetName", null),
            SupportsShouldProcess = ModuleUnderTest.Named(cmdlet, "SupportsShouldProcess", false),
            OutputTypes = outputs,
            Parameters = parameters,
        };
    }
}

internal sealed record SetEntry(string SetName, bool Mandatory, int Position, bool FromPipeline, bool FromPipelineByPropertyName);

/// <summary>One cmdlet parameter: a public property with at least one [Parameter].</summary>
internal sealed class ParameterShape
{
    public required PropertyInfo Property { get; init; }
    public required IReadOnlyList<string> Aliases { get; init; }
    public required IReadOnlyList<SetEntry> Sets { get; init; }
    public string Name => Property.Name;
    public Type Type => Property.PropertyType;
    public override string ToString() => "-" + Name;

    public static ParameterShape? TryRead(PropertyInfo property)
    {
        var attrs = property.GetCustomAttributesData();
        var sets = attrs.Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute")
            .Select(a => new SetEntry(
                ModuleUnderTest.Named(a, "ParameterSetName", ModuleUnderTest.AllSets),
                ModuleUnderTest.Named(a, "Mandatory", false),
                ModuleUnderTest.Named(a, "Position", int.MinValue),
                ModuleUnderTest.Named(a, "ValueFromPipeline", false),
                ModuleUnderTest.Named(a, "ValueFromPipelineByPropertyName", false)))
            .ToArray();
        if (sets.Length == 0) return null;
        var aliases = attrs.Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
            .SelectMany(ModuleUnderTest.CtorValues).OfType<string>().ToArray();
        return new ParameterShape { Property = property, Aliases = aliases, Sets = sets };
    }
}
