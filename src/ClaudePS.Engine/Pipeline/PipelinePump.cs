using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Pipeline;

/// <summary>
/// Marshals output from engine work running on any thread onto the one thread that may call a
/// cmdlet's Write* methods. Engine code writes to the pump (it is an <see cref="IClaudeOutputSink"/>);
/// the cmdlet thread drains it into the real sink, in the order the writes happened.
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

    private void Post(Action<IClaudeOutputSink> write)
    {
        // InvalidOperationException covers ObjectDisposedException too: the pump is finished, the
        // cmdlet has gone, and output has nowhere to go.
        try { _queue.Add(write); }
        catch (InvalidOperationException) { }
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
    public static void Run(IClaudeOutputSink target, Func<IClaudeOutputSink, CancellationToken, Task> work, CancellationToken cancellationToken)
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
