using System;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Pipeline;

/// <summary>
/// Engine work that outlives one ProcessRecord call, e.g. a batch that is fed row by row and runs
/// requests concurrently: started in BeginProcessing (or at the first record), drained between records
/// with <see cref="DrainAvailable"/> (or <see cref="DrainUntil"/> while waiting for capacity), and
/// finished in EndProcessing with <see cref="Complete"/>. Output order and the pump's rules hold
/// throughout: writes reach the target only on the caller's thread, in order; the work's exception
/// surfaces only after its output; a failing target cancels the work.
/// </summary>
public sealed class PipelineWork : IDisposable
{
    private readonly PipelinePump _pump = new();
    private readonly CancellationTokenSource _cts;

    private PipelineWork(Func<IClaudeOutputSink, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _cts.Token;
        Task = Task.Run(() => work(_pump, token), token);
    }

    /// <summary>Starts <paramref name="work"/> on the thread pool; its output waits in the pump until drained.</summary>
    public static PipelineWork Start(Func<IClaudeOutputSink, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        new(work ?? throw new ArgumentNullException(nameof(work)), cancellationToken);

    /// <summary>The running work (for callers that hand it further input and need to know it is alive).</summary>
    public Task Task { get; }

    /// <summary>Canceled by the caller's token, by <see cref="Cancel"/>, or by a failing target.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>
    /// Writes what is queued now without waiting. When the work has already failed, its exception is
    /// rethrown here (after its output), so a terminating failure does not wait for the end of the input.
    /// </summary>
    public void DrainAvailable(IClaudeOutputSink target)
    {
        // Looked at before draining: everything the work wrote before it ended is then in this drain.
        bool ended = Task.IsCompleted;
        Guard(() => _pump.DrainAvailable(target));
        if (ended && Task.Status != TaskStatus.RanToCompletion) Task.GetAwaiter().GetResult();
    }

    /// <summary>Drains output as it arrives until <paramref name="signal"/> completes (back-pressure: a free
    /// slot) or the work itself ends; the work's failure is rethrown as in <see cref="DrainAvailable"/>.</summary>
    public void DrainUntil(Task signal, IClaudeOutputSink target)
    {
        Guard(() => _pump.DrainUntil(Task.WhenAny(signal, Task), target));
        DrainAvailable(target);
    }

    /// <summary>Drains until the work finishes; rethrows its exception after everything it wrote.</summary>
    public void Complete(IClaudeOutputSink target) => _pump.RunUntilComplete(Task, target, _cts);

    /// <summary>Asks the work to stop (its token is canceled); output already queued can still be drained.</summary>
    public void Cancel()
    {
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    private void Guard(Action drain)
    {
        try { drain(); }
        catch
        {
            PipelinePump.StopAfterTargetFailure(Task, _cts);
            throw;
        }
    }

    /// <summary>Cancels work still running (the pipeline was stopped) and waits for it to end, so no
    /// request outlives the cmdlet.</summary>
    public void Dispose()
    {
        if (!Task.IsCompleted) PipelinePump.StopAfterTargetFailure(Task, _cts);
        _cts.Dispose();
        _pump.Dispose();
    }
}
