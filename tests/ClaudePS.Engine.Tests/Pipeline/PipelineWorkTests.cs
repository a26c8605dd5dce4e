using System.Threading.Channels;
using ClaudePS.Engine.Pipeline;
using Xunit;

namespace ClaudePS.Engine.Tests.Pipeline;

/// <summary>Work that spans many ProcessRecord calls, driven the way a cmdlet drives it.</summary>
public class PipelineWorkTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public void Records_fed_between_drains_come_out_in_order_with_the_rest_at_Complete()
    {
        var rows = Channel.CreateUnbounded<int>();
        var sink = new RecordingSink();
        using var work = PipelineWork.Start(async (pump, ct) =>
        {
            await foreach (var row in rows.Reader.ReadAllAsync(ct))
                pump.WriteObject(row * 10);
        }, CancellationToken.None);

        for (int i = 0; i < 20; i++) // ProcessRecord: hand the row over, write what is ready
        {
            rows.Writer.TryWrite(i);
            work.DrainAvailable(sink);
        }
        rows.Writer.Complete();
        work.Complete(sink); // EndProcessing

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (object)(i * 10)), sink.Items);
        Assert.Equal(new[] { Environment.CurrentManagedThreadId }, sink.Threads.Distinct());
    }

    [Fact]
    public void DrainUntil_waits_for_capacity_while_writing_output()
    {
        // A throttle of one: the next row is accepted only when the previous one has been answered.
        var slot = new SemaphoreSlim(1, 1);
        var rows = Channel.CreateUnbounded<int>();
        var sink = new RecordingSink();
        using var work = PipelineWork.Start(async (pump, ct) =>
        {
            await foreach (var row in rows.Reader.ReadAllAsync(ct))
            {
                await Task.Yield();
                pump.WriteObject(row);
                slot.Release();
            }
        }, CancellationToken.None);

        for (int i = 0; i < 10; i++)
        {
            work.DrainUntil(slot.WaitAsync(), sink);
            Assert.Equal(i, sink.Items.Count); // everything before this row was written while waiting
            rows.Writer.TryWrite(i);
        }
        rows.Writer.Complete();
        work.Complete(sink);
        Assert.Equal(Enumerable.Range(0, 10).Cast<object>(), sink.Items);
    }

    [Fact]
    public void A_failed_work_surfaces_at_the_next_drain_after_its_output()
    {
        var sink = new RecordingSink();
        using var work = PipelineWork.Start(async (pump, ct) =>
        {
            pump.WriteObject("row 1");
            await Task.Yield();
            throw new ClaudeException(new ClaudeError("ClaudePS.NotConnected", ClaudeErrorCategory.ConnectionError, "not connected"));
        }, CancellationToken.None);
        ((IAsyncResult)work.Task).AsyncWaitHandle.WaitOne(Guard);

        var ex = Assert.Throws<ClaudeException>(() => work.DrainAvailable(sink));
        Assert.Equal("ClaudePS.NotConnected", ex.Error.ErrorId);
        Assert.Equal(new object[] { "row 1" }, sink.Items);
    }

    [Fact]
    public async Task A_target_failing_during_a_drain_cancels_the_work()
    {
        var sink = new RecordingSink(failAt: 1);
        bool canceled = false;
        var wrote = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = PipelineWork.Start(async (pump, ct) =>
        {
            pump.WriteObject("x");
            wrote.SetResult();
            try { await Task.Delay(Guard, ct); }
            catch (OperationCanceledException) { canceled = true; throw; }
        }, CancellationToken.None);
        await wrote.Task.WaitAsync(Guard);

        Assert.Throws<InvalidOperationException>(() => work.DrainAvailable(sink));
        Assert.True(work.Task.IsCompleted);
        Assert.True(canceled);
        work.Dispose();
    }

    [Fact]
    public async Task Dispose_cancels_work_left_running_by_a_stopped_pipeline()
    {
        bool canceled = false;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = PipelineWork.Start(async (pump, ct) =>
        {
            started.SetResult();
            try { await Task.Delay(Guard, ct); }
            catch (OperationCanceledException) { canceled = true; throw; }
        }, CancellationToken.None);
        await started.Task.WaitAsync(Guard);

        work.Dispose();
        Assert.True(work.Task.IsCompleted);
        Assert.True(canceled);
    }

    [Fact]
    public void The_callers_token_reaches_the_work()
    {
        using var stop = new CancellationTokenSource();
        using var work = PipelineWork.Start((pump, ct) => Task.Delay(Guard, ct), stop.Token);
        stop.Cancel(); // StopProcessing
        Assert.True(work.Token.IsCancellationRequested);
        Assert.ThrowsAny<OperationCanceledException>(() => work.Complete(new RecordingSink()));
    }
}
