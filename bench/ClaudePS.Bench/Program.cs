using ClaudePS.Bench.Harness;

namespace ClaudePS.Bench;

/// <summary>
/// The benchmark console: runs every <see cref="IBenchScenario"/> in this assembly (or the ones named),
/// each against its own in-process emulator on loopback, prints a table and writes JSON.
/// </summary>
public static class Program
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/ClaudePS.Bench -- <all | scenario...> [--quick] [--out path] [--list]";

    public static int Main(string[] args) =>
        args.Length == 3 && args[0] == Scenarios.BatchMemoryScenario.ChildCommand
            ? Scenarios.BatchMemoryScenario.RunAsChildAsync(args, Console.Out).GetAwaiter().GetResult()
            : args.Length == 3 && args[0] == Scenarios.BatchExtractionScenario.ChildCommand
            ? Scenarios.BatchExtractionScenario.RunAsChildAsync(args, Console.Out).GetAwaiter().GetResult()
            : RunAsync(args, Console.Out).GetAwaiter().GetResult();

    /// <summary>Exit code 0 when every scenario ran (missed targets included: this is a report), 1 when
    /// a scenario crashed, 2 for bad arguments.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        BenchCommandLine command;
        try
        {
            command = BenchCommandLine.Parse(args);
        }
        catch (ArgumentException ex)
        {
            output.WriteLine(ex.Message);
            output.WriteLine(Usage);
            return 2;
        }

        var catalog = ScenarioCatalog.Discover(typeof(Program).Assembly);
        if (command.List || command.Scenarios.Count == 0)
        {
            if (command.Scenarios.Count == 0 && !command.List) output.WriteLine(Usage);
            output.WriteLine("scenarios: " + string.Join(", ", catalog.Names));
            return command.List ? 0 : 2;
        }

        IReadOnlyList<IBenchScenario> selected;
        try
        {
            selected = catalog.Select(command.Scenarios);
        }
        catch (ArgumentException ex)
        {
            output.WriteLine(ex.Message);
            output.WriteLine("scenarios: " + string.Join(", ", catalog.Names));
            return 2;
        }

        var run = await new BenchRunner(output).RunAsync(selected, command.Quick, cancellationToken).ConfigureAwait(false);
        output.WriteLine();
        ResultTable.Write(output, run.Results);
        foreach (var crash in run.Crashes) output.WriteLine($"CRASHED {crash.Scenario}: {crash.Error}");

        var path = Path.GetFullPath(command.OutputPath ?? BenchCommandLine.DefaultOutputPath());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, ResultJson.Write(run), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"wrote {path}");
        return run.Crashes.Count == 0 ? 0 : 1;
    }
}
