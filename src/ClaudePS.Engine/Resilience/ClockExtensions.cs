using System;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Resilience;

/// <summary>Waits on an injectable clock, the same way on netstandard2.0 and net8.0.</summary>
internal static class ClockExtensions
{
    public static Task DelayAsync(this TimeProvider clock, TimeSpan delay, CancellationToken ct)
    {
        if (delay <= TimeSpan.Zero) return Task.CompletedTask;
#if NET8_0_OR_GREATER
        return Task.Delay(delay, clock, ct);
#else
        return clock.Delay(delay, ct);
#endif
    }
}
