using System.Diagnostics;

namespace ClaudePS.Bench.Harness;

/// <summary>How long to warm up, how many rounds, how long each peer's phase in a round lasts.
/// <paramref name="JitSettleLimit"/>: after the warm-up, keep warming until the JIT is quiet, for at most this long.</summary>
public sealed record RoundPlan(TimeSpan Warmup, int Rounds, TimeSpan Phase, TimeSpan JitSettleLimit = default)
{
    /// <summary>Full runs: 15 rounds of 400 ms phases after a 1 s warm-up and up to 15 s more until the
    /// JIT settles; --quick: one 50 ms round. (Nine rounds left the one-caller loopback median swinging
    /// by 0.2 between runs on a 2-core VM, where a phase now and then runs with the thread pool asleep.)</summary>
    public static RoundPlan For(bool quick) => quick
        ? new RoundPlan(TimeSpan.FromMilliseconds(50), 1, TimeSpan.FromMilliseconds(50))
        : new RoundPlan(TimeSpan.FromSeconds(1), 15, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(15));
}

/// <summary>One measured phase: how many operations, how long, how much CPU and how many bytes the
/// whole process used meanwhile, and each operation's own sample.</summary>
public sealed record Phase<T>(int Operations, TimeSpan Elapsed, TimeSpan CpuTime, long AllocatedBytes, IReadOnlyList<T> Samples)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
    public double BytesPerOperation => AllocatedBytes / (double)Operations;
    /// <summary>Process CPU per operation: barely moved by other processes competing for the cores,
    /// unlike <see cref="PerSecond"/>, so it is the steadier view of client cost on a shared machine.</summary>
    public double CpuMicrosecondsPerOperation => CpuTime.TotalMicroseconds / Operations;
}

/// <summary>
/// Measurement discipline for a noisy, shared machine: warm every peer up first, then run several
/// rounds in which each peer gets one phase of the same wall-clock length, with the peers' order
/// rotated every round (so none always runs right after a GC-heavy neighbour, and a burst of load from
/// elsewhere hits every peer alike), and report the median of the rounds.
/// </summary>
public static class Sampling
{
    /// <summary>Calls <paramref name="operation"/> from <paramref name="concurrency"/> callers until
    /// <paramref name="duration"/> has passed (each caller finishes the call it is in and makes at least
    /// one). Allocation is counted process-wide (<see cref="GC.GetTotalAllocatedBytes(bool)"/>) because
    /// async continuations hop threads; CPU is the process's (<see cref="Environment.CpuUsage"/>).</summary>
    public static async Task<Phase<T>> RunPhaseAsync<T>(TimeSpan duration, int concurrency, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var perWorker = new List<T>[concurrency];
        for (int i = 0; i < concurrency; i++) perWorker[i] = new List<T>(1024);
        var workers = new Task[concurrency];
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < workers.Length; i++)
        {
            var samples = perWorker[i];
            workers[i] = Task.Run(async () =>
            {
                do samples.Add(await operation(cancellationToken).ConfigureAwait(false));
                while (clock.Elapsed < duration);
            }, cancellationToken);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        clock.Stop();
        long after = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var all = perWorker.SelectMany(w => w).ToList();
        return new Phase<T>(all.Count, clock.Elapsed, cpu, after - before, all);
    }

    /// <summary>Warm-up, then <paramref name="rounds"/> interleaved phases per peer; the phases of each
    /// peer in round order.</summary>
    public static async Task<Dictionary<string, List<Phase<T>>>> InterleaveAsync<T>(
        IReadOnlyList<(string Name, Func<CancellationToken, Task<T>> Operation)> peers,
        RoundPlan plan, int concurrency, TextWriter log, string label, CancellationToken cancellationToken)
    {
        foreach (var (_, operation) in peers)
            await RunPhaseAsync(plan.Warmup, concurrency, operation, cancellationToken).ConfigureAwait(false);
        await SettleJitAsync(peers, plan, concurrency, log, label, cancellationToken).ConfigureAwait(false);

        var phases = peers.ToDictionary(p => p.Name, _ => new List<Phase<T>>());
        for (int round = 0; round < plan.Rounds; round++)
        {
            for (int k = 0; k < peers.Count; k++)
            {
                var (name, operation) = peers[(k + round) % peers.Count];
                var phase = await RunPhaseAsync(plan.Phase, concurrency, operation, cancellationToken).ConfigureAwait(false);
                phases[name].Add(phase);
            }
        }
        foreach (var (name, list) in phases)
        {
            var rates = list.Select(p => p.PerSecond).ToList();
            var cpu = list.Select(p => p.CpuMicrosecondsPerOperation).ToList();
            log.WriteLine($"   {label} {name}: {Median(rates):0} op/s (spread {Spread(rates):P0}), {Median(cpu):0.0} CPU µs/op (spread {Spread(cpu):P0}), " +
                $"{Median(list.Select(p => p.BytesPerOperation)):0} B/op; {plan.Rounds} rounds, {list.Sum(p => p.Operations)} ops");
        }
        return phases;
    }

    /// <summary>Tiered compilation goes on recompiling hot methods for seconds after a process starts (about
    /// 8 s for the emulator and a client on this 2-core VM). While it runs it takes one of the cores from
    /// whichever peer's phase it overlaps, so warm-up passes over every peer continue until one whole pass
    /// compiled at most a few methods (a trickle goes on for good), or <see cref="RoundPlan.JitSettleLimit"/> has passed.</summary>
    private static async Task SettleJitAsync<T>(IReadOnlyList<(string Name, Func<CancellationToken, Task<T>> Operation)> peers,
        RoundPlan plan, int concurrency, TextWriter log, string label, CancellationToken cancellationToken)
    {
        if (plan.JitSettleLimit <= TimeSpan.Zero) return;
        var pass = TimeSpan.FromMilliseconds(300);
        var clock = Stopwatch.StartNew();
        const int Quiet = 3;
        long compiledInPass;
        do
        {
            long before = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (var (_, operation) in peers)
                await RunPhaseAsync(pass, concurrency, operation, cancellationToken).ConfigureAwait(false);
            compiledInPass = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
        }
        while (compiledInPass > Quiet && clock.Elapsed < plan.JitSettleLimit);
        log.WriteLine($"   {label}: JIT {(compiledInPass <= Quiet ? "settled" : "still compiling")} after {clock.Elapsed.TotalSeconds:0.0} s more warm-up ({compiledInPass} methods in the last pass)");
    }

    /// <summary>One caller that rotates through the peers request by request (after <paramref name="warmup"/>
    /// rounds): each peer's call latencies in microseconds. Neighbouring calls see the same moment of
    /// the machine, so the comparison is nearly free of load drift; but every peer then also runs with
    /// caches the others just used, which phase-by-phase runs (<see cref="InterleaveAsync{T}"/>) avoid.</summary>
    public static async Task<Dictionary<string, List<double>>> AlternateAsync<T>(
        IReadOnlyList<(string Name, Func<CancellationToken, Task<T>> Operation)> peers, int warmup, int rounds, CancellationToken cancellationToken)
    {
        var latencies = peers.ToDictionary(p => p.Name, _ => new List<double>(rounds));
        await Task.Run(async () =>
        {
            for (int round = -warmup; round < rounds; round++)
                for (int k = 0; k < peers.Count; k++)
                {
                    var (name, operation) = peers[(k + Math.Max(round, 0)) % peers.Count];
                    long start = Stopwatch.GetTimestamp();
                    await operation(cancellationToken).ConfigureAwait(false);
                    if (round >= 0) latencies[name].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
        }, cancellationToken).ConfigureAwait(false);
        return latencies;
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
