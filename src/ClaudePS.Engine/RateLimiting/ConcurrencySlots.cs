using System;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.RateLimiting;

/// <summary>
/// The connection's concurrency limit: a count of free slots and a first-come queue of callers
/// waiting for one. A released slot goes straight to the oldest waiter, which goes on on the
/// releasing thread up to its own first wait (its send), instead of being queued to the thread pool
/// as <see cref="SemaphoreSlim.WaitAsync(CancellationToken)"/> does, under a linked wait of its own.
/// With more callers than slots every request waits, so that hop and its allocations were paid on
/// every call (measured in docs/benchmarks.md, "64 callers").
/// </summary>
internal sealed class ConcurrencySlots
{
    private readonly object _gate = new();
    private int _free;
    private Waiter? _head;
    private Waiter? _tail;
    // A waiter woken on this thread may itself end at once and release: its own next waiter goes to
    // the thread pool, so a chain of such callers never nests more than one on any thread's stack.
    [ThreadStatic] private static bool t_handingOver;

    public ConcurrencySlots(int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A concurrency limit must be positive.");
        _free = count;
    }

    /// <summary>Slots free now (for tests and diagnostics).</summary>
    public int Free
    {
        get { lock (_gate) return _free; }
    }

    /// <summary>Takes a slot: at once when one is free, else when one is released to this caller.</summary>
    public Task WaitAsync(CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled(ct);
        Waiter waiter;
        lock (_gate)
        {
            if (_free > 0)
            {
                _free--;
                return Task.CompletedTask;
            }
            waiter = new Waiter(this, ct);
            if (_tail is null) _head = waiter;
            else
            {
                _tail.Next = waiter;
                waiter.Previous = _tail;
            }
            _tail = waiter;
        }
        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(static w => ((Waiter)w!).Cancel(), waiter);
            lock (_gate)
            {
                // Still queued: the release that dequeues it ends the registration. Otherwise it got a
                // slot (or was canceled) in between, and nothing is left to cancel.
                if (!waiter.Dequeued)
                {
                    waiter.Registration = registration;
                    registration = default;
                }
            }
            registration.Dispose();
        }
        return waiter.Task;
    }

    /// <summary>Gives a slot back: to the oldest waiter if there is one, else to the free count.</summary>
    public void Release()
    {
        Waiter? next;
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            next = _head;
            if (next is null)
            {
                _free++;
                return;
            }
            Unlink(next);
            registration = next.Registration;
            next.Registration = default;
        }
        registration.Dispose();
        if (t_handingOver) ThreadPool.UnsafeQueueUserWorkItem(static w => HandOver((Waiter)w!), next);
        else HandOver(next);
    }

    /// <summary>Completes the waiter, whose caller goes on here until its first wait.</summary>
    private static void HandOver(Waiter waiter)
    {
        t_handingOver = true;
        try
        {
            waiter.TrySetResult(true);
        }
        finally
        {
            t_handingOver = false;
        }
    }

    /// <summary>Call under the lock; the waiter is queued.</summary>
    private void Unlink(Waiter waiter)
    {
        if (waiter.Previous is null) _head = waiter.Next;
        else waiter.Previous.Next = waiter.Next;
        if (waiter.Next is null) _tail = waiter.Previous;
        else waiter.Next.Previous = waiter.Previous;
        waiter.Previous = waiter.Next = null;
        waiter.Dequeued = true;
    }

    /// <summary>One waiting caller. Its continuation runs where the slot is handed over (see Release).</summary>
    private sealed class Waiter : TaskCompletionSource<bool>
    {
        private readonly ConcurrencySlots _owner;

        private readonly CancellationToken _token;

        public Waiter(ConcurrencySlots owner, CancellationToken token)
        {
            _owner = owner;
            _token = token;
        }

        // Guarded by the owner's lock.
        public Waiter? Previous;
        public Waiter? Next;
        public bool Dequeued;
        public CancellationTokenRegistration Registration;

        public void Cancel()
        {
            lock (_owner._gate)
            {
                // Already handed a slot: the caller has it and gives it back as usual.
                if (Dequeued) return;
                _owner.Unlink(this);
            }
            // Not on the canceling thread: it may be a Ctrl+C handler that must not run the caller's code.
            ThreadPool.UnsafeQueueUserWorkItem(static w => ((Waiter)w!).SetCanceledNow(), this);
        }

        private void SetCanceledNow() => TrySetCanceled(_token);
    }
}
