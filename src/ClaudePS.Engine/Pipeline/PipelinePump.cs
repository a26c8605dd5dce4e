using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Pipeline;

/// <summary>
/// The two-way pipe between engine work running on any thread and the one thread that may call a
/// cmdlet's Write* methods and its runspace. Engine code writes to the pump (it is an
/// <see cref="IClaudeOutputSink"/>) and asks the pipeline thread to do something and awaits the answer
/// (<see cref="InvokeAsync{T}"/>: ShouldProcess, running a command, a host prompt); the cmdlet thread
/// drains both into the real sink, in the order they were queued. Every cmdlet uses this one protocol:
/// a prompt drains until its work ends (<see cref="Run"/>), a batch drains between records and while it
/// waits (<see cref="DrainAvailable"/>, <see cref="DrainUntil"/>); nothing polls.
/// </summary>
public sealed class PipelinePump : IClaudeOutputSink, IDisposable
{
    private readonly BlockingCollection<Action<IClaudeOutputSink>> _queue = new();

    public void WriteObject(object item) => Post(s => s.WriteObject(item));
    public void WriteError(ClaudeError error) => Post(s => s.WriteError(error));
    public void WriteWarning(string text) => Post(s => s.WriteWarning(text));
    public void WriteVerbose(string text) => Post(s => s.WriteVerbose(text));
    public void WriteDebug(string text) => Post(s => s.WriteDebug(text));
    public void WriteProgress(ProgressInfo progress) => Post(s => s.WriteProgress(progress));
    public void WriteHostText(string text) => Post(s => s.WriteHostText(text));

    /// <summary>
    /// Runs <paramref name="action"/> on the pipeline thread at its next drain and completes with its
    /// result (or its exception). Canceled by <paramref name="cancellationToken"/> if the pipeline thread
    /// never gets to it (the work was stopped), so an awaiting caller never hangs.
    /// </summary>
    public Task<T> InvokeAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        if (action is null) throw new ArgumentNullException(nameof(action));
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (cancellationToken.IsCancellationRequested) { answer.TrySetCanceled(cancellationToken); return answer.Task; }
        var registration = cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
        bool queued = Post(_ =>
        {
            registration.Dispose();
            if (answer.Task.IsCompleted) return; // canceled while queued: do not act on a stale request
            try { answer.TrySetResult(action()); }
            catch (Exception ex) { answer.TrySetException(ex); }
        });
        if (!queued)
        {
            registration.Dispose();
            answer.TrySetException(new InvalidOperationException("The command has finished; nothing runs on its pipeline thread any more."));
        }
        return answer.Task;
    }

    private bool Post(Action<IClaudeOutputSink> write)
    {
        // InvalidOperationException covers ObjectDisposedException too: the pump is finished, the
        // cmdlet has gone, and output has nowhere to go.
        try { _queue.Add(write); return true; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Writes whatever is queued now, without waiting (for use between ProcessRecord calls).</summary>
    public void DrainAvailable(IClaudeOutputSink target)
    {
        while (_queue.TryTake(out var write)) write(target);
    }

    /// <summary>
    /// Drains output as it arrives until <paramref name="signal"/> completes, then writes what the signal's
    /// producer queued before completing. Does not observe the signal's result: the caller owns it. Used to
    /// wait for the work to end, or for a batch slot to free up, without leaving output unwritten.
    /// </summary>
    public void DrainUntil(Task signal, IClaudeOutputSink target)
    {
        // Not disposed: it has no timer, and the continuation may run after this method returns.
        var done = new CancellationTokenSource();
        signal.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Cancel(), done,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (!signal.IsCompleted)
        {
            Action<IClaudeOutputSink>? write;
            try
            {
                if (!_queue.TryTake(out write, Timeout.Infinite, done.Token)) break; // completed and empty
            }
            catch (OperationCanceledException) { break; }
            write(target);
        }
        // Everything written before the signal completed is queued by now.
        DrainAvailable(target);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and drains its output on the calling thread until
    /// it finishes. The work's exception is rethrown only after everything it wrote has been drained. If
    /// the target throws (the pipeline was stopped downstream), the work is canceled, awaited, and the
    /// target's exception is rethrown.
    /// </summary>
    public static void Run(IClaudeOutputSink target, Func<PipelinePump, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var pump = new PipelinePump();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task task = Task.Run(() => work(pump, cts.Token), cts.Token);
        pump.RunUntilComplete(task, target, cts);
    }

    /// <summary>Drains until <paramref name="task"/> completes, then rethrows its exception (if any).</summary>
    public void RunUntilComplete(Task task, IClaudeOutputSink target, CancellationTokenSource? cancelOnTargetFailure = null)
    {
        try
        {
            DrainUntil(task, target);
        }
        catch
        {
            StopAfterTargetFailure(task, cancelOnTargetFailure);
            throw;
        }
        task.GetAwaiter().GetResult();
    }

    /// <summary>The target failed: cancel the work and wait for it, so nothing runs on after the cmdlet.
    /// The target's failure is the one to report; the work's own outcome is dropped.</summary>
    internal static void StopAfterTargetFailure(Task task, CancellationTokenSource? cancel)
    {
        try { cancel?.Cancel(); } catch (ObjectDisposedException) { }
        try { task.Wait(); } catch (Exception) { }
    }

    public void Dispose() => _queue.Dispose();
}
