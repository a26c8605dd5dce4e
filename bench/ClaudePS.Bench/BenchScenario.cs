namespace ClaudePS.Bench;

/// <summary>One measured figure, compared with a baseline measured in the same run.</summary>
public sealed record BenchResult(
    string Scenario,
    string Metric,
    double Value,
    string Unit,
    string? BaselineName = null,
    double? BaselineValue = null,
    string? Target = null,
    bool? TargetMet = null)
{
    /// <summary>Value divided by the baseline's, when there is one.</summary>
    public double? Ratio => BaselineValue is { } b && b != 0 ? Value / b : null;
}

/// <summary>What a scenario gets: a running emulator, whether this is a --quick smoke run, and a log.</summary>
public sealed class BenchContext
{
    public required Uri EmulatorBaseUri { get; init; }
    public required ClaudePS.Emulator.EmulatorServer Emulator { get; init; }
    /// <summary>Smoke mode: tiny counts, so the harness is exercised in seconds by a test.</summary>
    public bool Quick { get; init; }
    public TextWriter Log { get; init; } = Console.Out;
}

/// <summary>A benchmark scenario; each file under Scenarios/ holds one.</summary>
public interface IBenchScenario
{
    /// <summary>The name used on the command line (e.g. "redaction").</summary>
    string Name { get; }
    Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken);
}
