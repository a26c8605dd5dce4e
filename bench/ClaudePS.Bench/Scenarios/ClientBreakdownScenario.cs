using ClaudePS.Bench.Harness;
using ClaudePS.Bench.Peers;
using ClaudePS.Emulator;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// Where the gap between ClaudePS and the raw floor comes from (diagnostic for client-overhead):
/// loopback, non-streaming, the raw floor against (1) raw plus the HTTP hygiene any real client has,
/// (2) ClaudePS's untyped SendJsonAsync with the same body, (3) ClaudePS's CreateMessageAsync. Ratios
/// are per-round paired medians of requests/s and of process CPU per request. With one caller it also
/// alternates the peers request by request and compares mean latencies (information, no target: it
/// shows how much of the c=1 gap is load drift between phases rather than client work).
/// </summary>
public sealed class ClientBreakdownScenario : IBenchScenario, IConfiguresEmulator
{
    public string Name => "client-breakdown";

    public EmulatorOptions CreateEmulatorOptions(bool quick) => new() { ReplyTokens = 48 };

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var uri = context.EmulatorBaseUri;
        using var raw = new RawHttpPeer(uri);
        using var hygienic = new HygienicHttpPeer(uri);
        using var json = new ClaudePsSendJsonPeer(uri);
        using var messages = new ClaudePsPeer(uri);
        var peers = new List<(string Name, Func<CancellationToken, Task<int>> Operation)>
        {
            (raw.Name, raw.CreateAsync),
            (hygienic.Name, hygienic.CreateAsync),
            (json.Name, json.CreateAsync),
            ("ClaudePS CreateMessageAsync", messages.CreateAsync),
        };
        var plan = context.Quick ? RoundPlan.For(quick: true) : new RoundPlan(TimeSpan.FromSeconds(1), 15, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(15));
        var results = new List<BenchResult>();
        foreach (int concurrency in new[] { 1, 64 })
        {
            var phases = await Sampling.InterleaveAsync(peers, plan, concurrency, context.Log, $"breakdown c={concurrency}", cancellationToken).ConfigureAwait(false);
            var floor = phases[raw.Name];
            foreach (var (name, _) in peers.Skip(1))
            {
                var mine = phases[name];
                results.Add(new BenchResult(Name, $"loopback c={concurrency} {name}/raw throughput, paired", Sampling.Median(mine.Zip(floor, (a, b) => a.PerSecond / b.PerSecond)), "x"));
                results.Add(new BenchResult(Name, $"loopback c={concurrency} {name}/raw CPU per request, paired", Sampling.Median(mine.Zip(floor, (a, b) => a.CpuMicrosecondsPerOperation / b.CpuMicrosecondsPerOperation)), "x"));
            }
        }
        int alternations = context.Quick ? 20 : 5_000;
        var latencies = await Sampling.AlternateAsync(peers, context.Quick ? 5 : 500, alternations, cancellationToken).ConfigureAwait(false);
        var floorLatency = latencies[raw.Name];
        foreach (var (name, _) in peers.Skip(1))
        {
            var mine = latencies[name];
            // Throughput of one caller is 1 / mean latency, so the mean ratio is the requests/s ratio.
            results.Add(new BenchResult(Name, $"loopback c=1 alternating {name}/raw throughput", floorLatency.Average() / mine.Average(), "x"));
            results.Add(new BenchResult(Name, $"loopback c=1 alternating {name} median latency", Sampling.Median(mine), "µs", raw.Name, Sampling.Median(floorLatency)));
        }
        context.Log.WriteLine($"   breakdown c=1 alternating: {alternations} rounds, " +
                              string.Join(", ", latencies.Select(l => $"{l.Key} mean {l.Value.Average():0.0} µs")));
        return results;
    }
}
