using System;

namespace ClaudePS.Engine.RateLimiting;

/// <summary>
/// A per-minute limit as a continuously refilling bucket. Takes may overdraw it: the level then goes
/// negative and the taker waits until refill brings it back to zero. That queues callers in the order
/// they asked, with one wake-up each, instead of a herd polling for tokens.
/// Not thread-safe: <see cref="AdaptiveRateLimiter"/> holds its lock around every call.
/// </summary>
internal sealed class TokenBucket
{
    /// <summary>Refill slightly slower than the limit so small clock and accounting differences between
    /// this client and the server do not turn into 429s.</summary>
    internal const double SafetyFactor = 0.97;

    private double _level;
    private long _stamp;

    public TokenBucket(string name, double? userCap)
    {
        Name = name;
        UserCap = userCap;
        if (userCap is { } cap) _level = cap;
    }

    public string Name { get; }
    /// <summary>The limit the server announced (anthropic-ratelimit-*-limit), once seen.</summary>
    public double? ServerLimit { get; private set; }
    /// <summary>The user's cap (-Max...PerMinute).</summary>
    public double? UserCap { get; }
    /// <summary>The effective limit per minute; null means unlimited (nothing known, no cap).</summary>
    public double? Capacity => ServerLimit is { } s ? UserCap is { } u ? Math.Min(s, u) : s : UserCap;
    public double Level => _level;

    private double PerTick(double capacity, TimeProvider clock) => capacity * SafetyFactor / 60.0 / clock.TimestampFrequency;

    private void Refill(long now, TimeProvider clock)
    {
        if (Capacity is not { } cap) { _stamp = now; return; }
        if (_stamp != 0 && now > _stamp) _level = Math.Min(cap, _level + (now - _stamp) * PerTick(cap, clock));
        _stamp = now;
    }

    /// <summary>Takes <paramref name="amount"/>; returns how long the taker must wait before using it.</summary>
    public TimeSpan Take(double amount, long now, TimeProvider clock)
    {
        Refill(now, clock);
        if (Capacity is not { } cap || amount <= 0) return TimeSpan.Zero;
        _level -= amount;
        if (_level >= 0) return TimeSpan.Zero;
        double ticks = -_level / PerTick(cap, clock);
        return TimeSpan.FromSeconds(ticks / clock.TimestampFrequency);
    }

    /// <summary>Returns tokens (a refund) or, with a negative amount, charges more (a late correction).</summary>
    public void Give(double amount, long now, TimeProvider clock)
    {
        Refill(now, clock);
        if (Capacity is not { } cap) return;
        _level = Math.Min(cap, _level + amount);
    }

    /// <summary>
    /// Re-syncs from a response's limit and remaining. The server computed <paramref name="remaining"/> when
    /// the request arrived; since then it refilled at most <paramref name="sinceSent"/> worth. The level only
    /// moves down here (the server knows of use this client did not make, e.g. another process with the
    /// same key); it never rises, because the server may not have counted requests still in flight.
    /// </summary>
    public void Sync(long limit, long remaining, TimeSpan sinceSent, long now, TimeProvider clock)
    {
        bool first = ServerLimit is null;
        Refill(now, clock);
        if (limit > 0) ServerLimit = limit;
        if (Capacity is not { } cap) return;
        double upper = remaining + cap / 60.0 * Math.Max(0, sinceSent.TotalSeconds);
        if (first && UserCap is null) _level = Math.Min(cap, upper);
        else _level = Math.Min(_level, Math.Min(cap, upper));
        _stamp = now;
    }
}
