using System;
using System.Diagnostics;
using System.Threading;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// The offset between this machine's clock and the server's, learned from response Date headers.
/// Signed assertions use <see cref="UtcNow"/> so a drifting client clock does not get them rejected.
/// </summary>
public sealed class ServerClock
{
    /// <summary>Offsets smaller than this are ordinary network delay, not drift.</summary>
    public static readonly TimeSpan SignificantSkew = TimeSpan.FromSeconds(30);

    private readonly Func<DateTimeOffset> _localNow;
    private long _skewTicks;
    private int _reported;
    private long _nextObservation;

    public ServerClock(Func<DateTimeOffset>? localNow = null) => _localNow = localNow ?? (() => DateTimeOffset.UtcNow);

    /// <summary>Server time minus local time (zero until a significant skew was seen).</summary>
    public TimeSpan Skew => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));

    /// <summary>This machine's clock, uncorrected (token lifetimes are measured on it).</summary>
    public DateTimeOffset LocalNow => _localNow();

    /// <summary>The local clock corrected by the observed skew.</summary>
    public DateTimeOffset UtcNow => _localNow() + Skew;

    /// <summary>Whether a reply's Date is worth reading now. Date has one-second resolution, so the
    /// transport reads at most one a second instead of parsing it on every reply.</summary>
    public bool ObservationDue()
    {
        // The coarse tick count: this runs on every reply, and a second needs no finer clock.
#if NET8_0_OR_GREATER
        long now = Environment.TickCount64;
#else
        long now = Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1000);
#endif
        long next = Interlocked.Read(ref _nextObservation);
        return now >= next && Interlocked.CompareExchange(ref _nextObservation, now + 1000, next) == next;
    }

    /// <summary>Records a server Date. Returns a message the first time a significant skew is detected
    /// (for verbose output, once), otherwise null.</summary>
    public string? Observe(DateTimeOffset serverDate)
    {
        var skew = serverDate - _localNow();
        if (skew.Duration() < SignificantSkew)
        {
            Interlocked.Exchange(ref _skewTicks, 0);
            return null;
        }
        Interlocked.Exchange(ref _skewTicks, skew.Ticks);
        return Interlocked.Exchange(ref _reported, 1) == 0
            ? $"This machine's clock differs from the server's by {skew.TotalSeconds:0} s; signed assertions are corrected for it. Fix the clock (NTP) to silence this."
            : null;
    }
}
