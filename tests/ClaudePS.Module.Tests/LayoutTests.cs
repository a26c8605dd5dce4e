using System.Reflection;
using System.Runtime.InteropServices;
using Xunit;

namespace ClaudePS.Module.Tests;

/// <summary>out/ClaudePS is importable as built (DESIGN.md §2).</summary>
public class LayoutTests
{
    private static string Module => ModuleUnderTest.ModuleDir;
    private static string Net8 => Path.Combine(Module, "Dependencies", "net8.0");
    private static string Ns20 => Path.Combine(Module, "Dependencies", "netstandard2.0");

    [Theory]
    [InlineData("ClaudePS.psd1")]
    [InlineData("ClaudePS.dll")]
    [InlineData("ClaudePS.Abstractions.dll")]
    [InlineData("ClaudePS.Loader.dll")]
    [InlineData("ClaudePS.Format.ps1xml")]
    [InlineData("Dependencies/net8.0/ClaudePS.Engine.dll")]
    [InlineData("Dependencies/net8.0/Polly.Core.dll")]
    [InlineData("Dependencies/netstandard2.0/ClaudePS.Engine.dll")]
    [InlineData("Dependencies/netstandard2.0/Polly.Core.dll")]
    [InlineData("Dependencies/netstandard2.0/System.Text.Json.dll")]
    public void Required_file_is_present(string relative) =>
        Assert.True(File.Exists(Path.Combine(Module, relative)), $"out/ClaudePS/{relative} is missing: build with dotnet build ModuleTools.sln -c Release.");

    [Fact]
    public void No_PowerShell_assembly_is_shipped()
    {
        var found = Directory.GetFiles(Module, "*.dll", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase) ||
                        Path.GetFileName(f).StartsWith("Microsoft.PowerShell.", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(found);
    }

    [Fact]
    public void The_engine_lives_only_in_the_dependency_folders()
    {
        Assert.False(File.Exists(Path.Combine(Module, "ClaudePS.Engine.dll")), "ClaudePS.Engine.dll in the module root would load into the default context.");
        // Nothing the engine depends on sits in the root either: it would be loaded by the host's binder.
        foreach (var dll in Directory.GetFiles(Module, "*.dll", SearchOption.TopDirectoryOnly).Select(f => Path.GetFileNameWithoutExtension(f)))
            Assert.Contains(dll, new[] { "ClaudePS", "ClaudePS.Abstractions", "ClaudePS.Loader" });
    }

    [Fact]
    public void Shared_assemblies_are_not_duplicated_in_the_dependency_folders()
    {
        // Abstractions must have one identity for the cmdlets and the engine.
        foreach (var folder in new[] { Net8, Ns20 })
            foreach (var name in new[] { "ClaudePS.dll", "ClaudePS.Abstractions.dll", "ClaudePS.Loader.dll" })
                Assert.False(File.Exists(Path.Combine(folder, name)), $"{name} must not be in {Path.GetFileName(folder)}.");
    }

    [Fact]
    public void No_framework_assembly_under_net8()
    {
        var framework = FrameworkAssemblyNames();
        Assert.Contains("System.Text.Json", framework); // the comparison list is real
        var shipped = Directory.GetFiles(Net8, "*.dll").Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        Assert.NotEmpty(shipped);
        var clash = shipped.Where(framework.Contains).ToArray();
        Assert.True(clash.Length == 0, "Dependencies/net8.0 ships framework assemblies: " + string.Join(", ", clash));
    }

    [Fact]
    public void Both_engine_builds_target_what_their_folder_says()
    {
        Assert.Equal(".NETCoreApp,Version=v8.0", TargetFramework(Path.Combine(Net8, "ClaudePS.Engine.dll")));
        Assert.Equal(".NETStandard,Version=v2.0", TargetFramework(Path.Combine(Ns20, "ClaudePS.Engine.dll")));
        Assert.Equal(".NETStandard,Version=v2.0", TargetFramework(Path.Combine(Module, "ClaudePS.dll")));
        Assert.Equal(".NETStandard,Version=v2.0", TargetFramework(Path.Combine(Module, "ClaudePS.Abstractions.dll")));
        Assert.Equal(".NETCoreApp,Version=v8.0", TargetFramework(Path.Combine(Module, "ClaudePS.Loader.dll")));
    }

    [Fact]
    public void Every_engine_dependency_is_shipped_or_provided()
    {
        // What ClaudePS.Engine (net8.0) references must be in its folder, the framework, or the shared root.
        var framework = FrameworkAssemblyNames();
        foreach (var reference in ReadAlone(Path.Combine(Net8, "ClaudePS.Engine.dll"), a => a.GetReferencedAssemblies()))
        {
            var name = reference.Name!;
            bool provided = framework.Contains(name) || File.Exists(Path.Combine(Net8, name + ".dll")) || File.Exists(Path.Combine(Module, name + ".dll"));
            Assert.True(provided, $"ClaudePS.Engine (net8.0) references {reference} which nothing provides.");
        }
    }

    private static string? TargetFramework(string path) => ReadAlone(path, asm =>
        asm.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == "System.Runtime.Versioning.TargetFrameworkAttribute")?.ConstructorArguments[0].Value as string);

    /// <summary>Reads one assembly in a context of its own (the two engine builds share a name).</summary>
    private static T ReadAlone<T>(string path, Func<Assembly, T> read)
    {
        var files = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll").Where(f => !string.Equals(Path.GetFileName(f), Path.GetFileName(path), StringComparison.OrdinalIgnoreCase)).Append(path);
        using var context = new MetadataLoadContext(new PathAssemblyResolver(files));
        return read(context.LoadFromAssemblyPath(path));
    }

    /// <summary>Names in the Microsoft.NETCore.App shared framework this test runs on, plus the net8.0
    /// reference pack when it is restored.</summary>
    internal static HashSet<string> FrameworkAssemblyNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        foreach (var f in Directory.GetFiles(runtimeDir, "*.dll")) names.Add(Path.GetFileNameWithoutExtension(f));
        var packs = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref"));
        var nuget = Path.Combine(Path.GetDirectoryName(ModuleUnderTest.PowerShellReferenceDir)!, "..", "..", "..", "microsoft.netcore.app.ref");
        foreach (var root in new[] { packs, nuget })
            if (Directory.Exists(root))
                foreach (var v in Directory.GetDirectories(root, "8.*"))
                    if (Directory.Exists(Path.Combine(v, "ref", "net8.0")))
                        foreach (var f in Directory.GetFiles(Path.Combine(v, "ref", "net8.0"), "*.dll")) names.Add(Path.GetFileNameWithoutExtension(f));
        return names;
    }
}
