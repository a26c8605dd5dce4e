using System.Diagnostics;

namespace ClaudePS.Bench.Harness;

/// <summary>One measured phase: how many operations, how long, how many bytes the whole process
/// allocated meanwhile, and each operation's own sample.</summary>
public sealed record Phase<T>(int Operations, TimeSpan Elapsed, long AllocatedBytes, T[] Samples)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
    public double BytesPerOperation => AllocatedBytes / (double)Operations;
}

/// <summary>
/// Measurement discipline for a noisy, shared machine: warm every peer up first, then run several
/// rounds in which each peer gets one phase, with the peers' order rotated every round (so none
/// always runs right after a GC-heavy neighbour), and report the median of the rounds.
/// </summary>
public static class Sampling
{
    /// <summary>Runs <paramref name="operations"/> calls of <paramref name="operation"/> spread over
    /// <paramref name="concurrency"/> callers. Allocation is counted process-wide
    /// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>) because async continuations hop threads.</summary>
    public static async Task<Phase<T>> RunPhaseAsync<T>(int operations, int concurrency, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var samples = new T[operations];
        var workers = new Task[concurrency];
        int next = -1;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < operations)
                    samples[index] = await operation(cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        clock.Stop();
        long after = GC.GetTotalAllocatedBytes(precise: true);
        return new Phase<T>(operations, clock.Elapsed, after - before, samples);
    }

    /// <summary>Warm-up, then <paramref name="rounds"/> interleaved phases per peer; the phases of each
    /// peer in round order.</summary>
    public static async Task<Dictionary<string, List<Phase<T>>>> InterleaveAsync<T>(
        IReadOnlyList<(string Name, Func<CancellationToken, Task<T>> Operation)> peers,
        int rounds, int operations, int concurrency, int warmup, TextWriter log, string label, CancellationToken cancellationToken)
    {
        foreach (var (_, operation) in peers)
            await RunPhaseAsync(warmup, concurrency, operation, cancellationToken).ConfigureAwait(false);

        var phases = peers.ToDictionary(p => p.Name, _ => new List<Phase<T>>());
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < peers.Count; k++)
            {
                var (name, operation) = peers[(k + round) % peers.Count];
                var phase = await RunPhaseAsync(operations, concurrency, operation, cancellationToken).ConfigureAwait(false);
                phases[name].Add(phase);
            }
        }
        foreach (var (name, list) in phases)
        {
            var rates = list.Select(p => p.PerSecond).ToList();
            log.WriteLine($"   {label} {name}: {Median(rates):0} op/s median of {rates.Count} rounds (spread {Spread(rates):P0}: {string.Join(", ", rates.Select(r => r.ToString("0")))}), {Median(list.Select(p => p.BytesPerOperation)):0} B/op");
        }
        return phases;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>(max - min) / median: how far apart the rounds were.</summary>
    public static double Spread(IReadOnlyCollection<double> values)
    {
        if (values.Count < 2) return 0;
        double median = Median(values);
        return median == 0 ? 0 : (values.Max() - values.Min()) / median;
    }

    /// <summary>The value at fraction <paramref name="p"/> (0..1) of the sorted samples, nearest rank.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
