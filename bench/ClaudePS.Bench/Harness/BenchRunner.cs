using System.Diagnostics;
using ClaudePS.Emulator;

namespace ClaudePS.Bench.Harness;

/// <summary>A scenario that threw instead of reporting.</summary>
public sealed record ScenarioCrash(string Scenario, string Error);

/// <summary>Everything one invocation of the console produced.</summary>
public sealed record BenchRun(MachineInfo Machine, DateTimeOffset StartedAt, bool Quick,
    IReadOnlyList<BenchResult> Results, IReadOnlyList<ScenarioCrash> Crashes);

/// <summary>Runs scenarios one after another, each against a fresh in-process emulator on loopback, so
/// one scenario's cache, rate-limit buckets or accounting never colour the next one's figures.</summary>
public sealed class BenchRunner
{
    private readonly TextWriter _log;

    public BenchRunner(TextWriter log) => _log = log;

    /// <summary>Upper bound for one scenario; past it the scenario is cancelled and counted as crashed.</summary>
    public static TimeSpan ScenarioTimeLimit(bool quick) => quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(30);

    public async Task<BenchRun> RunAsync(IReadOnlyList<IBenchScenario> scenarios, bool quick, CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Current();
        var startedAt = DateTimeOffset.UtcNow;
        var results = new List<BenchResult>();
        var crashes = new List<ScenarioCrash>();
        _log.WriteLine($"machine: {machine.Os}, {machine.Cores} cores, {machine.MemoryBytes / (1024 * 1024)} MB, {machine.Dotnet}, load {machine.LoadAverage ?? "n/a"}{(quick ? ", QUICK smoke mode" : "")}");

        foreach (var scenario in scenarios)
        {
            var clock = Stopwatch.StartNew();
            _log.WriteLine($"== {scenario.Name} (load {MachineInfo.ReadLoadAverage() ?? "n/a"})");
            try
            {
                var options = scenario is IConfiguresEmulator configures ? configures.CreateEmulatorOptions(quick) : new EmulatorOptions();
                await using var emulator = await EmulatorServer.StartAsync(options).ConfigureAwait(false);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(ScenarioTimeLimit(quick));
                var context = new BenchContext { EmulatorBaseUri = emulator.BaseUri, Emulator = emulator, Quick = quick, Log = _log };
                var produced = await scenario.RunAsync(context, limit.Token).ConfigureAwait(false);
                if (produced.Count == 0) throw new InvalidOperationException("The scenario reported no results.");
                results.AddRange(produced);
                _log.WriteLine($"   {scenario.Name}: {produced.Count} figures in {clock.Elapsed.TotalSeconds:0.0} s");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                crashes.Add(new ScenarioCrash(scenario.Name, ex.GetType().Name + ": " + ex.Message));
                _log.WriteLine($"   {scenario.Name} CRASHED after {clock.Elapsed.TotalSeconds:0.0} s: {ex}");
            }
        }
        return new BenchRun(machine, startedAt, quick, results, crashes);
    }
}
