using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ClaudePS.Engine.Tests.Docs;

/// <summary>
/// The example in docs/engine-api.md, taken from the markdown at test time, compiles against the engine
/// without warnings and runs against the in-process emulator.
/// </summary>
public class EngineApiDocTests
{
    private static readonly Lazy<string> Example = new(() =>
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "engine-api.md"));
        var blocks = Regex.Matches(doc, @"```csharp\r?\n(?<code>.*?)```", RegexOptions.Singleline);
        Assert.True(blocks.Count == 1, $"docs/engine-api.md should have exactly one csharp block; it has {blocks.Count}.");
        return blocks[0].Groups["code"].Value;
    });

    private static readonly Lazy<(Assembly? Assembly, IReadOnlyList<Diagnostic> Diagnostics)> Compiled = new(Compile);

    [Fact]
    public void The_documented_example_compiles_without_warnings()
    {
        var (assembly, diagnostics) = Compiled.Value;
        var problems = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToArray();
        Assert.True(problems.Length == 0, "docs/engine-api.md example:\n" + string.Join("\n", problems));
        Assert.NotNull(assembly!.GetType("EngineApiExample"));
    }

    [Fact]
    public async Task The_documented_example_runs_against_the_emulator()
    {
        var run = Compiled.Value.Assembly?.GetType("EngineApiExample")?.GetMethod("RunAsync");
        Assert.NotNull(run);
        await using var emulator = await EmulatorSession.StartAsync();
        Task<string> Invoke() => (Task<string>)run!.Invoke(null, new object[] { emulator.BaseUri, "sk-ant-doc-example", CancellationToken.None })!;

        var output = await Invoke();
        var lines = output.Split('\n');
        var counted = Regex.Match(lines[0], @"counted=(\d+) input=(\d+) output=(\d+) stop=(\S+)");
        Assert.True(counted.Success, output);
        Assert.Equal(counted.Groups[1].Value, counted.Groups[2].Value); // count_tokens agrees with the reply's usage
        Assert.True(long.Parse(counted.Groups[3].Value) > 0, output);
        Assert.True(lines[1].Length > "reply=".Length, output);
        Assert.EndsWith("same=True", lines[2]);
        Assert.StartsWith("refused=ClaudePS.InvalidArgument (InvalidArgument): prompt:", lines[3]);
    }

    private static (Assembly?, IReadOnlyList<Diagnostic>) Compile()
    {
        var tree = CSharpSyntaxTree.ParseText(Example.Value, new CSharpParseOptions(LanguageVersion.Latest), "engine-api.md");
        // The test's own runtime references: the framework, the engine and the abstractions.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.Length > 0)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("EngineApiExample_" + Guid.NewGuid().ToString("N"), new[] { tree }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                // As the SDK does: a net8.0 engine referencing framework 8.0 assemblies unified to 10.0 is fine.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        var diagnostics = result.Diagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden).ToArray();
        if (!result.Success) return (null, diagnostics);
        pe.Position = 0;
        // The default context, so the example sees the same engine and abstractions types as the test.
        return (AssemblyLoadContext.Default.LoadFromStream(pe), diagnostics);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModuleTools.sln"))) return dir.FullName;
        throw new InvalidOperationException("ModuleTools.sln not found above " + AppContext.BaseDirectory);
    }
}
