namespace ClaudePS.Bench.Harness;

/// <summary>The console's arguments: scenario names (or "all"), --quick, --out path, --list.</summary>
public sealed class BenchCommandLine
{
    public List<string> Scenarios { get; } = new();
    public bool Quick { get; private set; }
    public bool List { get; private set; }
    public string? OutputPath { get; private set; }

    public static BenchCommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new BenchCommandLine();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--quick":
                    result.Quick = true;
                    break;
                case "--list":
                    result.List = true;
                    break;
                case "--out":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        throw new ArgumentException("--out needs a file path, e.g. --out bench/results/run1.json");
                    result.OutputPath = args[++i];
                    break;
                default:
                    if (arg.StartsWith("--out=", StringComparison.Ordinal)) result.OutputPath = arg["--out=".Length..];
                    else if (arg.StartsWith('-')) throw new ArgumentException($"Unknown option '{arg}'.");
                    else result.Scenarios.Add(arg);
                    break;
            }
        }
        return result;
    }

    /// <summary>bench/results/latest.json under the repository root (found from the working directory,
    /// then from the executable), or under the working directory when neither is inside the repo.</summary>
    public static string DefaultOutputPath()
    {
        string? root = FindRepositoryRoot(Environment.CurrentDirectory) ?? FindRepositoryRoot(AppContext.BaseDirectory);
        return Path.Combine(root ?? Environment.CurrentDirectory, "bench", "results", "latest.json");
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModuleTools.sln"))) return dir.FullName;
        return null;
    }
}
