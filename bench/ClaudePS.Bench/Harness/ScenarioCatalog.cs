using System.Reflection;

namespace ClaudePS.Bench.Harness;

/// <summary>Every concrete <see cref="IBenchScenario"/> in an assembly, found by reflection so a new
/// scenario file plugs in without touching the runner.</summary>
public sealed class ScenarioCatalog
{
    private readonly SortedDictionary<string, Type> _byName;

    private ScenarioCatalog(SortedDictionary<string, Type> byName) => _byName = byName;

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public static ScenarioCatalog Discover(Assembly assembly)
    {
        var byName = new SortedDictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsAbstract || type.IsInterface || !typeof(IBenchScenario).IsAssignableFrom(type)) continue;
            if (type.GetConstructor(Type.EmptyTypes) is null)
                throw new InvalidOperationException($"Benchmark scenario {type.FullName} needs a public parameterless constructor.");
            string name = Create(type).Name;
            if (byName.TryGetValue(name, out var other))
                throw new InvalidOperationException($"Benchmark scenarios {other.FullName} and {type.FullName} share the name '{name}'.");
            byName.Add(name, type);
        }
        return new ScenarioCatalog(byName);
    }

    /// <summary>Fresh instances of the named scenarios in the order given ("all" = every one, by name).</summary>
    public IReadOnlyList<IBenchScenario> Select(IEnumerable<string> names)
    {
        var types = new List<Type>();
        foreach (var name in names)
        {
            if (string.Equals(name, "all", StringComparison.OrdinalIgnoreCase)) types.AddRange(_byName.Values);
            else if (_byName.TryGetValue(name, out var type)) types.Add(type);
            else throw new ArgumentException($"There is no benchmark scenario named '{name}'.");
        }
        return types.Distinct().Select(Create).ToList();
    }

    private static IBenchScenario Create(Type type) => (IBenchScenario)Activator.CreateInstance(type)!;
}
