using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Pipeline;

namespace ClaudePS.Hosting;

/// <summary>
/// Base of every cmdlet that does engine work: runs it asynchronously through the pipeline pump so
/// Write* (and anything the work asks of the runspace: ShouldProcess, running a command, a prompt)
/// happens on the pipeline thread, and cancels it on Ctrl+C (StopProcessing). Work that spans the whole
/// pipeline (a batch fed row by row) owns a pump of its own and drains it from ProcessRecord.
/// </summary>
public abstract class ClaudeAsyncCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private CmdletOutputSink? _sink;

    /// <summary>Canceled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken StopToken => _stopping.Token;
    private protected IClaudeOutputSink Sink => _sink ??= new CmdletOutputSink(this);

    /// <summary>Runs engine work to completion, draining its output here. A <see cref="ClaudeException"/>
    /// becomes a terminating error with its stable id; cancellation ends quietly.</summary>
    private protected void RunEngine(Func<PipelinePump, CancellationToken, Task> work) =>
        Guarded(() => PipelinePump.Run(Sink, work, StopToken));

    private void Guarded(Action action)
    {
        try
        {
            action();
        }
        catch (ClaudeException ex) when (ex.Error.IsCanceled && StopToken.IsCancellationRequested)
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
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
