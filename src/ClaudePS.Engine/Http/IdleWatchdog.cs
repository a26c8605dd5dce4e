using System;
using System.Threading;

namespace ClaudePS.Engine.Http;

/// <summary>
/// Cancels an attempt when a stream sends no bytes for the idle timeout. The reader kicks it after
/// every read. Runs on the real clock: it guards against a stalled socket, not a simulated wait.
/// </summary>
internal sealed class IdleWatchdog : IDisposable
{
    private readonly Timer _timer;
    private readonly TimeSpan _idle;
    private readonly CancellationTokenSource _target;
    private int _fired;
    private int _disposed;

    public IdleWatchdog(TimeSpan idle, CancellationTokenSource target)
    {
        _idle = idle;
        _target = target;
        _timer = new Timer(_ => Fire(), null, idle, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public TimeSpan Idle => _idle;
    public bool Fired => Volatile.Read(ref _fired) == 1;

    /// <summary>Bytes arrived: the idle clock starts over.</summary>
    public void Kick()
    {
        if (Volatile.Read(ref _disposed) == 0)
            try { _timer.Change(_idle, System.Threading.Timeout.InfiniteTimeSpan); }
            catch (ObjectDisposedException) { /* the attempt ended meanwhile */ }
    }

    private void Fire()
    {
        if (Volatile.Read(ref _disposed) == 1) return;
        Interlocked.Exchange(ref _fired, 1);
        try { _target.Cancel(); }
        catch (ObjectDisposedException) { /* the attempt ended meanwhile */ }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        _timer.Dispose();
    }
}
