using System.Diagnostics;
using ClaudePS.Bench.Harness;
using ClaudePS.Bench.Peers;
using ClaudePS.Emulator;
using ClaudePS.Engine.Redaction;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// Streaming (issue 9): time to first token and the time each text delta costs on top of the raw floor
/// (an HttpClient reading SSE lines without parsing JSON), one caller, unpaced emulator. Loopback gives
/// time to first token and the whole stream; canned (a recorded SSE reply, no socket) isolates the
/// client's per-delta work and allocation.
/// Redaction on/off: two more peers run the prompt the way Invoke-ClaudePrompt -Stream does
/// (PromptRunner), with redaction None and Standard (the default); their difference is what redaction
/// costs per delta.
/// </summary>
public sealed class StreamingScenario : IBenchScenario, IConfiguresEmulator
{
    /// <summary>300 tokens at the emulator's 3 tokens per delta: 100 text deltas per reply.</summary>
    public const int ReplyTokens = 300;

    public string Name => "streaming";

    public EmulatorOptions CreateEmulatorOptions(bool quick) => new() { ReplyTokens = ReplyTokens };

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var plan = RoundPlan.For(context.Quick);
        var results = new List<BenchResult>();
        foreach (var transport in new[] { PeerTransport.Loopback, PeerTransport.Canned })
        {
            using var peers = await PeerSet.CreateAsync(transport, context.EmulatorBaseUri, stream: true, cancellationToken).ConfigureAwait(false);
            await peers.VerifySameReplyAsync(stream: true, cancellationToken).ConfigureAwait(false);
            using var promptOff = new PromptStreamPeer(context.EmulatorBaseUri, RedactionOptions.None, peers.NewHandler());
            using var promptOn = new PromptStreamPeer(context.EmulatorBaseUri, RedactionOptions.Standard, peers.NewHandler());
            var all = peers.All.Select(p => (p.Name, (Func<CancellationToken, Task<StreamSample>>)p.StreamAsync)).ToList();
            all.Add((promptOff.Name, promptOff.StreamAsync));
            all.Add((promptOn.Name, promptOn.StreamAsync));
            var phases = await Sampling.InterleaveAsync(all,
                plan, concurrency: 1, context.Log, peers.Label + " stream", cancellationToken).ConfigureAwait(false);

            int deltas = phases[peers.Raw.Name][0].Samples[0].TextDeltas;
            foreach (var peer in peers.All) // the prompt peers count host writes, not deltas
            {
                var seen = phases[peer.Name].SelectMany(p => p.Samples).Select(s => s.TextDeltas).Distinct().ToList();
                if (seen.Count != 1 || seen[0] != deltas)
                    throw new InvalidOperationException($"{peer.Name} saw {string.Join("/", seen)} text deltas per stream; the raw floor saw {deltas}.");
            }
            results.AddRange(transport == PeerTransport.Loopback ? LoopbackRows(peers, phases, deltas) : CannedRows(peers, phases, deltas));
            results.AddRange(RedactionRows(peers.Label, promptOff.Name, promptOn.Name, phases, deltas));
        }
        return results;
    }

    private static double Microseconds(double ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Median over rounds of the per-round median.</summary>
    private static double MedianOfRounds(List<Phase<StreamSample>> phases, Func<StreamSample, double> pick) =>
        Sampling.Median(phases.Select(p => Sampling.Median(p.Samples.Select(pick))));

    private IEnumerable<BenchResult> LoopbackRows(PeerSet peers, Dictionary<string, List<Phase<StreamSample>>> phases, int deltas)
    {
        double Ttft(IMessagePeer p) => MedianOfRounds(phases[p.Name], s => Microseconds(s.FirstTextTicks));
        double Total(IMessagePeer p) => MedianOfRounds(phases[p.Name], s => Microseconds(s.TotalTicks));
        double Overhead(IMessagePeer p) => (Total(p) - Total(peers.Raw)) / deltas;
        string raw = peers.Raw.Name, sdk = peers.Sdk.Name, cps = peers.ClaudePs.Name;

        yield return new BenchResult(Name, $"loopback {cps} time to first token", Ttft(peers.ClaudePs), "µs", raw, Ttft(peers.Raw));
        yield return new BenchResult(Name, $"loopback {cps} time to first token", Ttft(peers.ClaudePs), "µs", sdk, Ttft(peers.Sdk),
            "<= 1.00 x SDK", Ttft(peers.ClaudePs) <= Ttft(peers.Sdk));
        yield return new BenchResult(Name, $"loopback {sdk} time to first token", Ttft(peers.Sdk), "µs", raw, Ttft(peers.Raw));
        yield return new BenchResult(Name, $"loopback {raw} time to first token", Ttft(peers.Raw), "µs");
        yield return new BenchResult(Name, $"loopback {cps} whole stream ({deltas} deltas)", Total(peers.ClaudePs), "µs", raw, Total(peers.Raw));
        yield return new BenchResult(Name, $"loopback {sdk} whole stream ({deltas} deltas)", Total(peers.Sdk), "µs", raw, Total(peers.Raw));
        yield return new BenchResult(Name, $"loopback {raw} whole stream ({deltas} deltas)", Total(peers.Raw), "µs");
        yield return new BenchResult(Name, $"loopback {cps} per-delta overhead over raw", Overhead(peers.ClaudePs), "µs/delta", sdk, Overhead(peers.Sdk),
            "<= 1.00 x SDK", Overhead(peers.ClaudePs) <= Overhead(peers.Sdk));
        yield return new BenchResult(Name, $"loopback {sdk} per-delta overhead over raw", Overhead(peers.Sdk), "µs/delta");
    }

    private IEnumerable<BenchResult> RedactionRows(string label, string off, string on, Dictionary<string, List<Phase<StreamSample>>> phases, int deltas)
    {
        double Ttft(string p) => MedianOfRounds(phases[p], s => Microseconds(s.FirstTextTicks));
        double Wall(string p) => Sampling.Median(phases[p].Select(x => x.Elapsed.TotalMicroseconds / x.Operations));
        double Cpu(string p) => Sampling.Median(phases[p].Select(x => x.CpuMicrosecondsPerOperation));
        double Bytes(string p) => Sampling.Median(phases[p].Select(x => x.BytesPerOperation));
        // Paired by round, like the throughput targets: each round's on-minus-off, then the median.
        double PairedPerDelta(Func<Phase<StreamSample>, double> pick) =>
            Sampling.Median(phases[on].Zip(phases[off], (a, b) => (pick(a) - pick(b)) / deltas));

        yield return new BenchResult(Name, $"{label} {on} time to first text", Ttft(on), "µs", off, Ttft(off));
        yield return new BenchResult(Name, $"{label} {on} whole prompt", Wall(on), "µs", off, Wall(off));
        yield return new BenchResult(Name, $"{label} redaction Standard added time per delta, paired", PairedPerDelta(x => x.Elapsed.TotalMicroseconds / x.Operations), "µs/delta");
        yield return new BenchResult(Name, $"{label} redaction Standard added CPU per delta, paired", PairedPerDelta(x => x.CpuMicrosecondsPerOperation), "CPU µs/delta");
        yield return new BenchResult(Name, $"{label} {on} CPU per prompt", Cpu(on), "CPU µs", off, Cpu(off));
        yield return new BenchResult(Name, $"{label} {on} allocation per delta", Bytes(on) / deltas, "B/delta", off, Bytes(off) / deltas);
    }

    private IEnumerable<BenchResult> CannedRows(PeerSet peers, Dictionary<string, List<Phase<StreamSample>>> phases, int deltas)
    {
        double PerDelta(IMessagePeer p) => Sampling.Median(phases[p.Name].Select(x => x.Elapsed.TotalMicroseconds / x.Operations / deltas));
        double CpuPerDelta(IMessagePeer p) => Sampling.Median(phases[p.Name].Select(x => x.CpuMicrosecondsPerOperation / deltas));
        double BytesPerDelta(IMessagePeer p) => Sampling.Median(phases[p.Name].Select(x => x.BytesPerOperation / deltas));
        double Overhead(IMessagePeer p) => PerDelta(p) - PerDelta(peers.Raw);
        string raw = peers.Raw.Name, sdk = peers.Sdk.Name, cps = peers.ClaudePs.Name;

        yield return new BenchResult(Name, $"canned {cps} client time per delta", PerDelta(peers.ClaudePs), "µs/delta", raw, PerDelta(peers.Raw));
        yield return new BenchResult(Name, $"canned {sdk} client time per delta", PerDelta(peers.Sdk), "µs/delta", raw, PerDelta(peers.Raw));
        yield return new BenchResult(Name, $"canned {raw} client time per delta", PerDelta(peers.Raw), "µs/delta");
        yield return new BenchResult(Name, $"canned {cps} per-delta overhead over raw", Overhead(peers.ClaudePs), "µs/delta", sdk, Overhead(peers.Sdk),
            "<= 1.00 x SDK", Overhead(peers.ClaudePs) <= Overhead(peers.Sdk));
        yield return new BenchResult(Name, $"canned {cps} CPU per delta", CpuPerDelta(peers.ClaudePs), "CPU µs/delta", sdk, CpuPerDelta(peers.Sdk));
        yield return new BenchResult(Name, $"canned {cps} CPU per delta", CpuPerDelta(peers.ClaudePs), "CPU µs/delta", raw, CpuPerDelta(peers.Raw));
        yield return new BenchResult(Name, $"canned {sdk} CPU per delta", CpuPerDelta(peers.Sdk), "CPU µs/delta", raw, CpuPerDelta(peers.Raw));
        yield return new BenchResult(Name, $"canned {raw} CPU per delta", CpuPerDelta(peers.Raw), "CPU µs/delta");
        yield return new BenchResult(Name, $"canned {cps} allocation per delta", BytesPerDelta(peers.ClaudePs), "B/delta", sdk, BytesPerDelta(peers.Sdk),
            "<= 1.00 x SDK", BytesPerDelta(peers.ClaudePs) <= BytesPerDelta(peers.Sdk));
        yield return new BenchResult(Name, $"canned {cps} allocation per delta", BytesPerDelta(peers.ClaudePs), "B/delta", raw, BytesPerDelta(peers.Raw));
        yield return new BenchResult(Name, $"canned {sdk} allocation per delta", BytesPerDelta(peers.Sdk), "B/delta", raw, BytesPerDelta(peers.Raw));
        yield return new BenchResult(Name, $"canned {raw} allocation per delta", BytesPerDelta(peers.Raw), "B/delta");
    }
}
