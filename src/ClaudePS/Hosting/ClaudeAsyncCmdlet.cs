using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Pipeline;

namespace ClaudePS.Hosting;

/// <summary>
/// Base of every cmdlet that does engine work: runs it asynchronously through the pipeline pump so
/// Write* happens on the pipeline thread, and cancels it on Ctrl+C (StopProcessing).
/// Two shapes: <see cref="RunEngine"/> for work that finishes within one call (one prompt per record),
/// and <see cref="StartEngine"/> / <see cref="DrainEngine"/> / <see cref="CompleteEngine"/> for work
/// that spans the whole pipeline (a batch fed row by row, running requests concurrently).
/// </summary>
public abstract class ClaudeAsyncCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private CmdletOutputSink? _sink;
    private PipelineWork? _work;

    /// <summary>Canceled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;
    private protected IClaudeOutputSink Sink => _sink ??= new CmdletOutputSink(this);

    /// <summary>Runs engine work to completion, draining its output here. A <see cref="ClaudeException"/>
    /// becomes a terminating error with its stable id; cancellation ends quietly.</summary>
    private protected void RunEngine(Func<IClaudeOutputSink, CancellationToken, Task> work) =>
        Guarded(() => PipelinePump.Run(Sink, work, StopToken));

    /// <summary>Starts work that outlives this call (one per cmdlet invocation); its output is written by
    /// <see cref="DrainEngine"/>, <see cref="DrainEngineUntil"/> and <see cref="CompleteEngine"/>.</summary>
    private protected void StartEngine(Func<IClaudeOutputSink, CancellationToken, Task> work)
    {
        if (_work is not null) throw new InvalidOperationException("Engine work was already started for this command.");
        _work = PipelineWork.Start(work, StopToken);
    }

    /// <summary>Whether <see cref="StartEngine"/> has run.</summary>
    private protected bool EngineStarted => _work is not null;

    /// <summary>Writes the started work's output so far (call at the start and end of ProcessRecord).</summary>
    private protected void DrainEngine()
    {
        if (_work is { } work) Guarded(() => work.DrainAvailable(Sink));
    }

    /// <summary>Writes output as it arrives until <paramref name="signal"/> completes, e.g. while waiting for a
    /// free slot before accepting the next record.</summary>
    private protected void DrainEngineUntil(Task signal)
    {
        if (_work is { } work) Guarded(() => work.DrainUntil(signal, Sink));
    }

    /// <summary>Waits for the started work to finish, writing all its output (call in EndProcessing).</summary>
    private protected void CompleteEngine()
    {
        if (_work is { } work) Guarded(() => work.Complete(Sink));
    }

    private void Guarded(Action action)
    {
        try
        {
            action();
        }
        catch (ClaudeException ex) when (ex.Error.ErrorId == "ClaudePS.Canceled" && StopToken.IsCancellationRequested)
        {
            // Ctrl+C: PowerShell reports the stop itself.
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
        }
        catch (ClaudeException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex.Error));
        }
    }

    /// <summary>The named connection, or the default; "not connected" is a terminating error.</summary>
    private protected Engine.Connections.ClaudeConnection ResolveConnection(string? name)
    {
        try { return Engine.Connections.ConnectionStore.Resolve(name); }
        catch (ClaudeException ex)
        {
            ThrowTerminating(ex);
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>Reports a ClaudeException from engine calls made directly on this thread as terminating.</summary>
    private protected void ThrowTerminating(ClaudeException ex) => ThrowTerminatingError(ErrorRecords.From(ex.Error));

    protected override void StopProcessing()
    {
        // StopProcessing comes from another thread and may race with Dispose.
        try { _stopping.Cancel(); } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        // A pipeline that stopped early leaves started work running: cancel it and wait, so no request
        // outlives the command.
        _work?.Dispose();
        _work = null;
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
