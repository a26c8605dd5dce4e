using ClaudePS.Engine.Pipeline;
using Xunit;

namespace ClaudePS.Engine.Tests.Pipeline;

public class PipelinePumpTests
{
    // Bounds waits that only end if the behaviour under test works; never a speed assertion.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public void Output_keeps_its_order_across_threads_and_is_written_only_on_the_calling_thread()
    {
        var sink = new RecordingSink();
        var workThreads = new HashSet<int>();
        PipelinePump.Run(sink, async (pump, ct) =>
        {
            for (int i = 0; i < 500; i++)
            {
                lock (workThreads) workThreads.Add(Environment.CurrentManagedThreadId);
                pump.WriteObject(i);
                if (i % 50 == 0) pump.WriteVerbose("at " + i);
                await Task.Yield(); // resumes on any pool thread
            }
        }, CancellationToken.None);

        var expected = new List<object>();
        for (int i = 0; i < 500; i++)
        {
            expected.Add(i);
            if (i % 50 == 0) expected.Add("verbose:at " + i);
        }
        Assert.Equal(expected, sink.Items);
        Assert.Equal(new[] { Environment.CurrentManagedThreadId }, sink.Threads.Distinct());
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, workThreads);
    }

    [Fact]
    public void Concurrent_writers_each_keep_their_own_order()
    {
        var sink = new RecordingSink();
        PipelinePump.Run(sink, (pump, ct) => Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                pump.WriteObject((w, i));
                if (i % 17 == 0) await Task.Yield();
            }
        }))), CancellationToken.None);

        Assert.Equal(800, sink.Items.Count);
        foreach (var writer in sink.Items.Cast<(int W, int I)>().GroupBy(x => x.W))
            Assert.Equal(Enumerable.Range(0, 200), writer.Select(x => x.I));
    }

    [Fact]
    public void The_works_exception_is_rethrown_after_everything_it_wrote_was_drained()
    {
        int drainedWhenThrown = -1;
        var sink = new RecordingSink { OnWrite = _ => Thread.SpinWait(2000) }; // a slow consumer
        var error = new ClaudeError("ClaudePS.Test", ClaudeErrorCategory.InvalidResult, "boom");
        var thrown = Assert.Throws<ClaudeException>(() => PipelinePump.Run(sink, async (pump, ct) =>
        {
            for (int i = 0; i < 300; i++) pump.WriteObject(i);
            pump.WriteError(new ClaudeError("ClaudePS.PerItem", ClaudeErrorCategory.InvalidData, "one row failed"));
            await Task.Yield();
            throw new ClaudeException(error);
        }, CancellationToken.None));
        drainedWhenThrown = sink.Items.Count;

        Assert.Same(error, thrown.Error);
        Assert.Equal(301, drainedWhenThrown);
        Assert.Equal("ClaudePS.PerItem", Assert.IsType<ClaudeError>(sink.Items[^1]).ErrorId);
    }

    [Fact]
    public void A_synchronous_throw_in_the_work_is_still_rethrown()
    {
        var sink = new RecordingSink();
        Assert.Throws<ArgumentException>(() => PipelinePump.Run(sink, (pump, ct) =>
        {
            pump.WriteObject("before");
            throw new ArgumentException("sync");
        }, CancellationToken.None));
        Assert.Equal(new object[] { "before" }, sink.Items);
    }

    [Fact]
    public void A_failing_target_cancels_the_work_and_its_exception_is_reported()
    {
        var sink = new RecordingSink(failAt: 3);
        bool workSawCancellation = false;
        var ex = Assert.Throws<InvalidOperationException>(() => PipelinePump.Run(sink, async (pump, ct) =>
        {
            for (int i = 0; i < 5; i++) pump.WriteObject(i);
            try { await Task.Delay(Guard, ct); }
            catch (OperationCanceledException) { workSawCancellation = true; throw; }
            pump.WriteObject("never");
        }, CancellationToken.None));

        Assert.Equal("downstream stopped", ex.Message);
        Assert.True(workSawCancellation, "the work was not canceled when the target failed");
        Assert.Equal(new object[] { 0, 1 }, sink.Items);
    }

    [Fact]
    public void The_callers_token_cancels_the_work()
    {
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink { OnWrite = item => { if (item is "started") cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => PipelinePump.Run(sink, async (pump, ct) =>
        {
            pump.WriteObject("started");
            await Task.Delay(Guard, ct);
        }, cts.Token));
        Assert.Equal(new object[] { "started" }, sink.Items);
    }

    [Fact]
    public void Writes_after_the_pump_is_finished_are_dropped_quietly()
    {
        var pump = new PipelinePump();
        pump.WriteObject(1);
        pump.Dispose();
        pump.WriteObject(2); // no exception: the cmdlet has gone
        pump.WriteError(new ClaudeError("ClaudePS.Late", ClaudeErrorCategory.NotSpecified, "late"));
    }

    [Fact]
    public void DrainUntil_writes_output_as_it_arrives_and_stops_at_the_signal()
    {
        using var pump = new PipelinePump();
        var sink = new RecordingSink();
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The producer releases the signal only after the consumer has written its first item, so the
        // drain provably writes while waiting.
        sink.OnWrite = item => { if (item is 1) pump.WriteObject(2); if (item is 2) signal.TrySetResult(); };
        pump.WriteObject(1);
        pump.DrainUntil(signal.Task, sink);
        Assert.Equal(new object[] { 1, 2 }, sink.Items);
        Assert.True(signal.Task.IsCompleted);
    }

    [Fact]
    public void Every_sink_method_is_forwarded_in_order()
    {
        using var pump = new PipelinePump();
        var sink = new RecordingSink();
        var progress = new ProgressInfo(1, "a", "s");
        var error = new ClaudeError("ClaudePS.X", ClaudeErrorCategory.NotSpecified, "x");
        pump.WriteObject("o");
        pump.WriteError(error);
        pump.WriteWarning("w");
        pump.WriteVerbose("v");
        pump.WriteDebug("d");
        pump.WriteProgress(progress);
        pump.WriteHostText("h");
        pump.DrainAvailable(sink);
        Assert.Equal(new object[] { "o", error, "warning:w", "verbose:v", "debug:d", progress, "host:h" }, sink.Items);
        pump.DrainAvailable(sink);
        Assert.Equal(7, sink.Items.Count);
    }
}
