using System.Diagnostics;
using ClaudePS.Bench.Harness;
using ClaudePS.Emulator;

namespace ClaudePS.Bench.Scenarios;

/// <summary>
/// What one call costs on cold caches (diagnostic for client-overhead; information, no target). On
/// loopback the client's code runs right after the in-process server's, on caches that work just used,
/// so a call costs several times its warm price, and that price grows with how much code and memory the
/// call touches. This measures it without a socket or a server: each peer, on a recorded reply, makes two
/// calls back to back (the second is timed: warm), then 8 MB of memory is written (more than this VM's L2
/// and most of its share of L3), then one call (timed: cold). Medians over many such pairs, peers in rotating order. Steadier than the loopback
/// ratios: use it to judge a change that makes a call touch less.
/// </summary>
public sealed class ClientColdScenario : IBenchScenario, IConfiguresEmulator
{
    private const int TouchedBytes = 8 << 20;

    public string Name => "client-cold";

    public EmulatorOptions CreateEmulatorOptions(bool quick) => new() { ReplyTokens = 48 };

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        using var peers = await PeerSet.CreateAsync(PeerTransport.Canned, context.EmulatorBaseUri, stream: false, cancellationToken).ConfigureAwait(false);
        await peers.VerifySameReplyAsync(stream: false, cancellationToken).ConfigureAwait(false);
        int warmup = context.Quick ? 20 : 20_000, pairs = context.Quick ? 20 : 4_000;
        var touched = new byte[TouchedBytes];
        var hot = peers.All.ToDictionary(p => p.Name, _ => new List<double>(pairs));
        var cold = peers.All.ToDictionary(p => p.Name, _ => new List<double>(pairs));
        await Task.Run(async () =>
        {
            for (int i = 0; i < warmup; i++)
                foreach (var peer in peers.All) await peer.CreateAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < pairs; i++)
            {
                for (int k = 0; k < peers.All.Count; k++)
                {
                    var peer = peers.All[(k + i) % peers.All.Count];
                    // The untimed call brings the peer's code and data back after the other peers ran.
                    await peer.CreateAsync(cancellationToken).ConfigureAwait(false);
                    hot[peer.Name].Add(await TimeAsync(peer, cancellationToken).ConfigureAwait(false));
                    Touch(touched);
                    cold[peer.Name].Add(await TimeAsync(peer, cancellationToken).ConfigureAwait(false));
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        string raw = peers.Raw.Name;
        double rawHot = Sampling.Median(hot[raw]), rawCold = Sampling.Median(cold[raw]);
        var results = new List<BenchResult>();
        foreach (var peer in peers.All)
        {
            double h = Sampling.Median(hot[peer.Name]), c = Sampling.Median(cold[peer.Name]);
            bool floor = peer.Name == raw;
            results.Add(new BenchResult(Name, $"canned {peer.Name} call, warm (median)", h, "µs", floor ? null : raw, floor ? null : rawHot));
            results.Add(new BenchResult(Name, $"canned {peer.Name} call after {TouchedBytes >> 20} MB written (median)", c, "µs", floor ? null : raw, floor ? null : rawCold));
            context.Log.WriteLine($"   cold {peer.Name}: warm {h:0.00} µs, cold {c:0.00} µs ({c / h:0.0}x; {pairs} pairs)");
        }
        return results;
    }

    private static async Task<double> TimeAsync(Peers.IMessagePeer peer, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        await peer.CreateAsync(cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    /// <summary>Writes one byte per cache line, so every line of the buffer is brought in and dirtied.</summary>
    private static void Touch(byte[] buffer)
    {
        for (int i = 0; i < buffer.Length; i += 64) buffer[i]++;
    }
}
