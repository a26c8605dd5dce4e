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
        try { _queue.Add(write); }
        catch (InvalidOperationException) { /* the pump is finished: the cmdlet has gone, output has nowhere to go */ }
    }

    /// <summary>Writes whatever is queued now, without waiting (for use between ProcessRecord calls).</summary>
    public void DrainAvailable(IClaudeOutputSink target)
    {
        while (_queue.TryTake(out var write)) write(target);
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
        task.ContinueWith(_ => _queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var write in _queue.GetConsumingEnumerable()) write(target);
        }
        catch
        {
            cancelOnTargetFailure?.Cancel();
            try { task.Wait(); } catch { /* the target's failure is the one to report */ }
            throw;
        }
        task.GetAwaiter().GetResult();
    }

    public void Dispose() => _queue.Dispose();
}
