using System.Collections.Concurrent;

namespace ClaudePS.Engine.Tests.Resilience;

/// <summary>
/// A clock for waits: every timer fires at once (on the thread pool) and moves the clock forward to its
/// due time, so a 10 s retry-after costs no real time and the waits are recorded for assertions.
/// The transport's timeouts run on the real clock, so nothing else is fast-forwarded by this.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly object _gate = new();
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override DateTimeOffset GetUtcNow() { lock (_gate) return new DateTimeOffset(_ticks, TimeSpan.Zero); }
    public override long GetTimestamp() { lock (_gate) return _ticks; }
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward by hand (e.g. past a failback interval or a cache TTL).</summary>
    public void Advance(TimeSpan by) { lock (_gate) _ticks += by.Ticks; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new FastTimer(this, callback, state, dueTime);

    private void FastForward(TimeSpan due)
    {
        Waits.Enqueue(due);
        lock (_gate)
        {
            long target = _ticks + due.Ticks;
            if (target > _ticks) _ticks = target;
        }
    }

    private sealed class FastTimer : ITimer
    {
        private readonly TestClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private volatile bool _disposed;

        public FastTimer(TestClock clock, TimerCallback callback, object? state, TimeSpan due)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            Change(due, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed || dueTime == Timeout.InfiniteTimeSpan) return !_disposed;
            _clock.FastForward(dueTime);
            ThreadPool.QueueUserWorkItem(_ => { if (!_disposed) _callback(_state); });
            return true;
        }

        public void Dispose() => _disposed = true;
        public ValueTask DisposeAsync() { _disposed = true; return default; }
    }
}
