using ClaudePS.Engine.Pipeline;
using Xunit;

namespace ClaudePS.Engine.Tests.Pipeline;

/// <summary>The pump's second direction: work asks the pipeline thread to do something and awaits the answer.</summary>
public class PipelinePumpInvokeTests
{
    [Fact]
    public void Work_awaits_an_answer_computed_on_the_pipeline_thread_in_order_with_its_output()
    {
        var sink = new RecordingSink();
        int pipelineThread = Environment.CurrentManagedThreadId;
        var answeredOn = new List<int>();
        PipelinePump.Run(sink, async (pump, ct) =>
        {
            pump.WriteObject("before");
            // e.g. ShouldProcess: only the pipeline thread may ask.
            bool yes = await pump.InvokeAsync(() => { answeredOn.Add(Environment.CurrentManagedThreadId); sink.WriteObject("asked"); return true; }, ct);
            int n = await pump.InvokeAsync(() => { answeredOn.Add(Environment.CurrentManagedThreadId); return 42; }, ct);
            pump.WriteObject(yes ? "after " + n : "no");
        }, CancellationToken.None);

        Assert.Equal(new object[] { "before", "asked", "after 42" }, sink.Items);
        Assert.Equal(new[] { pipelineThread, pipelineThread }, answeredOn);
    }

    [Fact]
    public void An_exception_on_the_pipeline_thread_goes_to_the_awaiting_work_not_the_drain()
    {
        var sink = new RecordingSink();
        string? seen = null;
        PipelinePump.Run(sink, async (pump, ct) =>
        {
            try { await pump.InvokeAsync<int>(() => throw new InvalidOperationException("host said no"), ct); }
            catch (InvalidOperationException ex) { seen = ex.Message; }
            pump.WriteObject("went on");
        }, CancellationToken.None);
        Assert.Equal("host said no", seen);
        Assert.Equal(new object[] { "went on" }, sink.Items);
    }

    [Fact]
    public async Task A_request_nobody_drains_is_canceled_with_the_work_and_never_runs_later()
    {
        using var pump = new PipelinePump();
        using var cts = new CancellationTokenSource();
        bool ran = false;
        var pending = pump.InvokeAsync(() => { ran = true; return 1; }, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        pump.DrainAvailable(new RecordingSink());
        Assert.False(ran);
    }

    [Fact]
    public async Task A_request_after_the_pump_is_finished_fails_instead_of_hanging()
    {
        var pump = new PipelinePump();
        pump.Dispose();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pump.InvokeAsync(() => 1, CancellationToken.None));
    }
}
