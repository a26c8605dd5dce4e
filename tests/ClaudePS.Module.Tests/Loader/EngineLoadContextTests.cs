using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using ClaudePS.Loader;
using Xunit;

namespace ClaudePS.Module.Tests.Loader;

/// <summary>
/// The real load context over the built out/ClaudePS/Dependencies/net8.0: the engine and Polly load
/// privately, Abstractions is the default context's copy, and objects cross the boundary with their
/// types intact. This test process references Abstractions and the loader, never the engine.
/// </summary>
public class EngineLoadContextTests
{
    private static readonly string Net8 = Path.Combine(ModuleUnderTest.ModuleDir, "Dependencies", "net8.0");
    private static readonly Lazy<(EngineLoadContext Context, Assembly Engine)> Loaded = new(() =>
    {
        var context = new EngineLoadContext(Net8);
        return (context, context.LoadFromAssemblyName(new AssemblyName("ClaudePS.Engine")));
    });

    [Fact]
    public void The_test_process_has_no_engine_of_its_own()
    {
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name is "ClaudePS.Engine" or "Polly.Core");
    }

    [Fact]
    public void Engine_loads_privately_from_the_dependency_folder()
    {
        var (context, engine) = Loaded.Value;
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(engine));
        Assert.NotSame(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(engine));
        Assert.Equal(Path.GetFullPath(Path.Combine(Net8, "ClaudePS.Engine.dll")), Path.GetFullPath(engine.Location));
    }

    [Fact]
    public void Polly_loads_privately_when_the_engine_asks_for_it()
    {
        var (context, engine) = Loaded.Value;
        // The engine's own reference when its code uses Polly; the shipped file's name otherwise.
        var pollyName = engine.GetReferencedAssemblies().SingleOrDefault(n => n.Name == "Polly.Core")
                        ?? AssemblyName.GetAssemblyName(Path.Combine(Net8, "Polly.Core.dll"));
        var polly = context.LoadFromAssemblyName(pollyName);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(polly));
        Assert.StartsWith(Path.GetFullPath(Net8), Path.GetFullPath(polly.Location));
    }

    [Fact]
    public void Abstractions_is_the_default_contexts_copy()
    {
        var (context, engine) = Loaded.Value;
        var abstractionsName = engine.GetReferencedAssemblies().Single(n => n.Name == "ClaudePS.Abstractions");
        var seenByEngine = context.LoadFromAssemblyName(abstractionsName);
        Assert.Same(typeof(ClaudeResponse).Assembly, seenByEngine);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(seenByEngine));
    }

    [Fact]
    public void Framework_assemblies_come_from_the_host()
    {
        var (context, engine) = Loaded.Value;
        var json = context.LoadFromAssemblyName(engine.GetReferencedAssemblies().Single(n => n.Name == "System.Text.Json"));
        Assert.Same(typeof(JsonDocument).Assembly, json);
    }

    [Fact]
    public void Engine_and_Abstractions_types_cross_the_boundary()
    {
        var (_, engine) = Loaded.Value;
        // A batch result line parsed by the engine comes back as the default context's ClaudeResponse, and
        // the engine's metrics take that ClaudeUsage: both succeed only if both sides see the same types.
        var batches = engine.GetType("ClaudePS.Engine.Batching.MessageBatchClient", throwOnError: true)!;
        var parse = batches.GetMethod("ParseResultLine", BindingFlags.Public | BindingFlags.Static)!;
        var line = parse.Invoke(null, new object?[] { """{"custom_id":"r1","result":{"type":"succeeded","message":{"model":"claude-haiku-4-5","content":[],"usage":{"input_tokens":12,"output_tokens":34,"cache_read_input_tokens":5}}}}""", null })!;
        var message = Assert.IsType<ClaudeResponse>(line.GetType().GetProperty("Message")!.GetValue(line));
        var usage = message.Usage;
        Assert.Equal(12, usage.InputTokens);
        Assert.Equal(34, usage.OutputTokens);
        Assert.Equal(5, usage.CacheReadTokens);
        var metricsType = engine.GetType("ClaudePS.Engine.Usage.ClaudeMetrics", throwOnError: true)!;
        var metrics = Activator.CreateInstance(metricsType)!;
        metricsType.GetMethod("RecordUsage")!.Invoke(metrics, new object?[] { "claude-haiku-4-5", usage, 0.5m });

        // The engine's pipeline pump is an IClaudeOutputSink of the default context's Abstractions.
        var pumpType = engine.GetType("ClaudePS.Engine.Pipeline.PipelinePump", throwOnError: true)!;
        Assert.True(typeof(IClaudeOutputSink).IsAssignableFrom(pumpType));
        using var pump = (IDisposable)Activator.CreateInstance(pumpType)!;
        ((IClaudeOutputSink)pump).WriteObject(usage);
        var drained = new List<object>();
        pumpType.GetMethod("DrainAvailable")!.Invoke(pump, new object[] { new ListSink(drained) });
        Assert.Same(usage, Assert.Single(drained));
    }

    [Fact]
    public void Install_makes_the_default_context_resolve_the_engine_privately()
    {
        // What the module initializer does on PowerShell 7: a load by name from the default context
        // (as ClaudePS.dll's reference to the engine triggers) lands in the private context.
        var installed = EngineLoadContext.Install(Net8);
        Assert.Same(installed, EngineLoadContext.Install(Net8)); // idempotent on re-import
        var engine = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("ClaudePS.Engine"));
        Assert.Same(installed, AssemblyLoadContext.GetLoadContext(engine));
    }

    private sealed class ListSink(List<object> items) : IClaudeOutputSink
    {
        public void WriteObject(object item) => items.Add(item);
        public void WriteError(ClaudeError error) => items.Add(error);
        public void WriteWarning(string text) => items.Add(text);
        public void WriteVerbose(string text) => items.Add(text);
        public void WriteDebug(string text) => items.Add(text);
        public void WriteProgress(ProgressInfo progress) => items.Add(progress);
        public void WriteHostText(string text) => items.Add(text);
    }
}
