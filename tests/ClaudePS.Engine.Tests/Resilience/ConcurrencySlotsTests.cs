using ClaudePS.Engine.RateLimiting;
using Xunit;

namespace ClaudePS.Engine.Tests.Resilience;

public class ConcurrencySlotsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Free_slots_are_taken_at_once_and_the_next_caller_waits()
    {
        var slots = new ConcurrencySlots(2);
        Assert.True(slots.WaitAsync(default).IsCompletedSuccessfully);
        Assert.True(slots.WaitAsync(default).IsCompletedSuccessfully);
        var third = slots.WaitAsync(default);
        Assert.False(third.IsCompleted);
        Assert.Equal(0, slots.Free);

        slots.Release();
        Assert.True(third.IsCompletedSuccessfully);
        Assert.Equal(0, slots.Free); // handed over, not returned to the count
        slots.Release();
        slots.Release();
        Assert.Equal(2, slots.Free);
    }

    [Fact]
    public void A_released_slot_goes_to_the_oldest_waiter()
    {
        var slots = new ConcurrencySlots(1);
        Assert.True(slots.WaitAsync(default).IsCompleted);
        var waiters = Enumerable.Range(0, 5).Select(_ => slots.WaitAsync(default)).ToArray();
        for (int i = 0; i < waiters.Length; i++)
        {
            slots.Release();
            Assert.True(waiters[i].IsCompletedSuccessfully, $"waiter {i} should have the slot");
            Assert.All(waiters.Skip(i + 1), w => Assert.False(w.IsCompleted));
        }
    }

    [Fact]
    public void The_woken_waiter_goes_on_on_the_releasing_thread()
    {
        var slots = new ConcurrencySlots(1);
        Assert.True(slots.WaitAsync(default).IsCompleted);
        int ranOn = -1;
        var continued = slots.WaitAsync(default).ContinueWith(_ => ranOn = Environment.CurrentManagedThreadId, TaskContinuationOptions.ExecuteSynchronously);
        slots.Release();
        Assert.True(continued.IsCompleted, "the continuation should have run inside Release");
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [ThreadStatic] private static int t_depth;

    [Fact]
    public async Task Waiters_that_end_at_once_never_nest_on_one_stack()
    {
        // Each woken waiter releases its slot straight away. Only one runs inside any Release; the
        // next goes to the thread pool, so no thread's stack ever holds two of them.
        const int count = 2_000;
        var slots = new ConcurrencySlots(1);
        Assert.True(slots.WaitAsync(default).IsCompleted);
        int deepest = 0, done = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (int i = 0; i < count; i++)
        {
            _ = slots.WaitAsync(default).ContinueWith(_ =>
            {
                InterlockedMax(ref deepest, ++t_depth);
                slots.Release();
                t_depth--;
                if (Interlocked.Increment(ref done) == count) all.TrySetResult();
            }, TaskContinuationOptions.ExecuteSynchronously);
        }
        slots.Release();
        await all.Task.WaitAsync(Bound);
        Assert.Equal(1, deepest);
        Assert.Equal(1, slots.Free);
    }

    [Fact]
    public async Task A_canceled_waiter_leaves_the_queue_and_the_slot_goes_to_the_next()
    {
        var slots = new ConcurrencySlots(1);
        Assert.True(slots.WaitAsync(default).IsCompleted);
        using var cts = new CancellationTokenSource();
        var canceled = slots.WaitAsync(cts.Token);
        var next = slots.WaitAsync(default);
        cts.Cancel();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.WaitAsync(Bound));
        Assert.Equal(cts.Token, ex.CancellationToken);

        slots.Release();
        Assert.True(next.IsCompletedSuccessfully);
        slots.Release();
        Assert.Equal(1, slots.Free);
    }

    [Fact]
    public void A_token_canceled_already_takes_no_slot()
    {
        var slots = new ConcurrencySlots(1);
        var wait = slots.WaitAsync(new CancellationToken(canceled: true));
        Assert.True(wait.IsCanceled);
        Assert.Equal(1, slots.Free);
    }

    [Fact]
    public void Canceling_after_the_slot_was_handed_over_changes_nothing()
    {
        var slots = new ConcurrencySlots(1);
        Assert.True(slots.WaitAsync(default).IsCompleted);
        using var cts = new CancellationTokenSource();
        var wait = slots.WaitAsync(cts.Token);
        slots.Release();
        cts.Cancel();
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(0, slots.Free); // the waiter holds the slot until it releases it
        slots.Release();
        Assert.Equal(1, slots.Free);
    }

    [Fact]
    public async Task Many_callers_never_exceed_the_limit_and_all_finish()
    {
        const int limit = 3, callers = 32, rounds = 50;
        var slots = new ConcurrencySlots(limit);
        int inside = 0, most = 0;
        using var cts = new CancellationTokenSource(Bound);
        var workers = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (int r = 0; r < rounds; r++)
            {
                await slots.WaitAsync(cts.Token);
                int now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
                slots.Release();
            }
        }));
        await Task.WhenAll(workers).WaitAsync(Bound);
        Assert.InRange(most, 1, limit);
        Assert.Equal(limit, slots.Free);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
