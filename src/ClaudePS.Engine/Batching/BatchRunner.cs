using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Models;
using ClaudePS.Engine.Wire;
using ClaudePS.Engine.Pipeline;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Runs Invoke-ClaudeBatch. The caller feeds rows one at a time with <see cref="Add"/> (the cmdlet does
/// it from ProcessRecord) and ends with <see cref="Complete"/>; both run on the caller's thread and
/// write whatever output is ready to the caller's sink, so results flow while input is still arriving.
///
/// This class is the part both modes share: it prepares and screens each row (build errors, duplicate
/// ids, checkpoint replay), hands the rest to its <see cref="BatchMode"/> to send, and finishes every row
/// the same way (progress, checkpoint record, input order through a reorder buffer, the summary).
/// <see cref="ParallelBatchMode"/> sends one Messages call per row; <see cref="ServerBatchMode"/>
/// (<see cref="BatchOptions.UseBatchApi"/>) collects rows into Message Batches.
/// </summary>
public sealed class BatchRunner : IDisposable
{
    private readonly BatchOptions _options;
    private readonly CancellationTokenSource _cts;
    private readonly BatchRequestBuilder _builder;
    private readonly BatchCheckpoint? _checkpoint;
    private readonly HashSet<string>? _seenIds;
    private readonly BatchMode _mode;
    /// <summary>Set once a budget that cannot recover refuses a row (the connection's limit, or a Message Batches
    /// run whose rows all hold their reservations until the batch ends): later rows are not sent either.</summary>
    private volatile ClaudeError? _budgetStop;
    /// <summary>The latest row -MaxCostUsd refused in parallel mode, for the summary error.</summary>
    private volatile ClaudeError? _lastBudgetRefusal;
    private long _budgetRefused;
    private readonly object _emitGate = new();
    private readonly ReorderBuffer<ClaudeBatchResult> _reorder = new();
    private readonly List<ClaudeBatchResult> _ready = new();
    // The first rows (in input order) that were not sent, for the summary warning.
    private readonly SortedSet<(long Number, string Id)> _skippedIds = new();
    private long _count;
    private long _skippedCount;
    private bool _suggested;
    private bool _completed;
    private ClaudeException? _fatal;

    public BatchRunner(ClaudeConnection connection, BatchOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        _options = options;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Each row's request is checked against its model as the row is read, before it is sent: a run every
        // row of which the model would reject ends at its first row, once, with nothing sent. (Not a check
        // of the shared parameters up front: rows may name models of their own that take them.)
        _builder = new BatchRequestBuilder(options, connection.DefaultModel)
        {
            Check = request => ModelGuard.Check(connection, request, Pump),
        };
        Progress = new BatchProgress(options, options.UseBatchApi ? "Claude batch (Message Batches API)" : "Claude batch") { Total = options.ExpectedRows ?? 0 };
        var budget = options.MaxCostUsd is { } max ? new BudgetGuard(max, "this Invoke-ClaudeBatch run", () => connection.Services.Prices) : null;
        _mode = options.UseBatchApi
            ? new ServerBatchMode(this, connection, options, budget)
            : new ParallelBatchMode(this, connection, options, budget);
        if (options.CheckpointPath is { } path)
        {
            _checkpoint = BatchCheckpoint.Open(path);
            if (_checkpoint.UnreadableLines > 0)
                Pump.WriteWarning($"The checkpoint '{_checkpoint.Path}' had {_checkpoint.UnreadableLines} unreadable line(s){(_checkpoint.TornTail ? " (a last line cut short by a crash)" : "")}; those rows will be sent again.");
            if (_checkpoint.Count > 0)
                Pump.WriteVerbose($"Checkpoint '{_checkpoint.Path}' holds {_checkpoint.Count} finished row(s); they are replayed, not sent again.");
        }
        if (options.CheckpointPath is not null || options.UseBatchApi) _seenIds = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The totals so far.</summary>
    public BatchSummary Summary => Progress.Snapshot(_cts.IsCancellationRequested);
    /// <summary>The most rows ever admitted and not yet written (in flight plus waiting to be in order).</summary>
    public int AdmittedHighWater => _mode.AdmittedHighWater;
    /// <summary>The bound on admitted rows (parallel mode).</summary>
    public int WindowSize => _mode.WindowSize;

    /// <summary>Where output and log records wait for the caller's thread.</summary>
    internal PipelinePump Pump { get; } = new();
    internal BatchProgress Progress { get; }
    /// <summary>Cancelled when the run stops (the caller's token, the consumer, a checkpoint failure).</summary>
    internal CancellationToken Token => _cts.Token;

    /// <summary>Takes one row. Blocks while the reorder buffer is full (writing output meanwhile).</summary>
    public void Add(BatchRow row, IClaudeOutputSink target)
    {
        if (_completed) throw new InvalidOperationException("The batch is complete.");
        _cts.Token.ThrowIfCancellationRequested();
        long number = ++_count;
        Progress.RowAdded();
        MaybeSuggestBatchApi(number);
        string? customId = _mode.CustomIdFor(row, number);
        var prepared = _builder.Prepare(row, number);
        _mode.Admit(target);
        if (Screen(prepared, customId) is { } immediate) Finish(prepared, immediate);
        else _mode.Send(prepared, customId, target);
        Progress.Report(Pump);
        Drain(target);
    }

    /// <summary>Waits for every row, writes the rest of the output and the summary, and returns the totals.</summary>
    public BatchSummary Complete(IClaudeOutputSink target)
    {
        if (_completed) return Summary;
        _completed = true;
        _mode.WaitAll(target);
        var summary = Summary;
        Progress.ReportCompleted(Pump);
        if (_skippedCount > 0)
        {
            string list = string.Join(", ", _skippedIds.Select(s => s.Id)) + (_skippedCount > _skippedIds.Count ? $" and {_skippedCount - _skippedIds.Count} more" : "");
            Pump.WriteWarning($"{_skippedCount} row(s) were not sent: {list}. They are in the output with Status Skipped and the reason in Error.");
        }
        if (_budgetRefused > 0 && (_budgetStop ?? _lastBudgetRefusal) is { } stop)
            Pump.WriteError(new ClaudeError(stop.ErrorId, stop.Category, $"{_budgetRefused} row(s) were not sent because of the cost limit. {stop.Message}"));
        Pump.WriteVerbose("Invoke-ClaudeBatch: " + summary);
        Drain(target);
        if (_fatal is not null) throw _fatal;
        return summary;
    }

    /// <summary>Runs a whole batch over <paramref name="rows"/> on a background thread (demo, bench, tests).</summary>
    public static Task<BatchSummary> RunAsync(ClaudeConnection connection, BatchOptions options, IEnumerable<BatchRow> rows, IClaudeOutputSink sink, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() =>
        {
            using var runner = new BatchRunner(connection, options, cancellationToken);
            try
            {
                foreach (var row in rows) runner.Add(row, sink);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped: what finished is still written by Complete.
            }
            return runner.Complete(sink);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Rows that are answered without sending: unbuildable, duplicate id, already in the
    /// checkpoint, or after a budget stopped the run. The mode screens the rest against its budgets.</summary>
    private ClaudeBatchResult? Screen(PreparedRow p, string? customId)
    {
        if (p.Error is not null) return Outcome(p, ClaudeBatchRowStatus.Failed, p.Error, customId);
        if (_seenIds is not null && !_seenIds.Add(p.RowId)) return Outcome(p, ClaudeBatchRowStatus.Failed, BatchErrors.DuplicateId(p.RowId, p.Row.Original), customId);
        if (_checkpoint is not null)
        {
            switch (_checkpoint.Find(p.RowId, p.ContentHash))
            {
                case BatchCheckpoint.Lookup.Match: return _checkpoint.Replay(p.RowId, p.Row, p.Number, p.Schema);
                case BatchCheckpoint.Lookup.Mismatch: return Outcome(p, ClaudeBatchRowStatus.Skipped, BatchErrors.CheckpointMismatch(p.RowId, _checkpoint.Path, p.Row.Original), customId);
            }
        }
        if (_budgetStop is { } stop) return Outcome(p, ClaudeBatchRowStatus.Skipped, stop.WithTarget(p.Row.Original), customId);
        return null;
    }

    /// <summary>A budget that cannot recover refused a row: no later row is sent.</summary>
    internal void StopForBudget(ClaudeError error) => _budgetStop ??= new ClaudeError(error.ErrorId, error.Category, error.Message);

    /// <summary>-MaxCostUsd refused one row in parallel mode (later rows may still fit).</summary>
    internal void NoteBudgetRefusal(ClaudeError error) => _lastBudgetRefusal = new ClaudeError(error.ErrorId, error.Category, error.Message);

    /// <summary>A succeeded row, its reply redacted (every mode ends here, so checkpoints and CSV files
    /// never hold what the redaction profile removes).</summary>
    internal static ClaudeBatchResult Success(PreparedRow p, ClaudeResponse response, decimal? cost, string? customId, string? batchId, Redaction.RedactionOptions redaction)
    {
        // The whole reply, as prompts do; a row shows only Text, but its counts cover everything redacted.
        var redacted = Redaction.ResponseRedaction.Apply(Redaction.Redactor.For(redaction), response);
        // With a schema, a reply that does not fit fails its row (billed, its text kept); the rest go on.
        ClaudeError? mismatch = null;
        var fields = p.Schema?.TryProject(redacted.Text, response.StopReason, out mismatch);
        return new()
        {
            Columns = p.Row.Columns, Input = p.Row.Original, RowId = p.RowId, RowNumber = p.Number,
            Fields = fields ?? Array.Empty<KeyValuePair<string, object?>>(),
            Error = mismatch is null ? null : new ClaudeError(mismatch.ErrorId, mismatch.Category, $"Row {p.RowId}: {mismatch.Message}")
            { RequestId = response.RequestId, PartialText = redacted.Text, PartialUsage = response.Usage, Target = p.Row.Original },
            Status = mismatch is null ? ClaudeBatchRowStatus.Succeeded : ClaudeBatchRowStatus.Failed, Text = redacted.Text, Redactions = redacted.Redactions, Model = response.Model, StopReason = response.StopReason,
            Usage = response.Usage, CostUsd = cost, RequestId = response.RequestId ?? response.MessageId, CustomId = customId, BatchId = batchId,
        };
    }

    internal static ClaudeBatchResult Outcome(PreparedRow p, ClaudeBatchRowStatus status, ClaudeError error, string? customId, string? batchId = null) => new()
    {
        Columns = p.Row.Columns, Input = p.Row.Original, RowId = p.RowId, RowNumber = p.Number,
        Status = status, Error = error, Model = p.Request?.Model, CustomId = customId, BatchId = batchId,
        Usage = error.PartialUsage ?? ClaudeUsage.Empty,
    };

    /// <summary>A row is done: count it, checkpoint it, and write it when its turn comes.</summary>
    internal void Finish(PreparedRow p, ClaudeBatchResult result)
    {
        Progress.RowFinished(result);
        if (result.Status == ClaudeBatchRowStatus.Succeeded && !result.FromCheckpoint && _checkpoint is not null && p.ContentHash is { } hash)
        {
            try { _checkpoint.Append(result, hash); }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // Without a durable record a rerun would pay for this row again: stop sending.
                _fatal ??= new ClaudeException(new ClaudeError("ClaudePS.BatchCheckpointWriteFailed", ClaudeErrorCategory.WriteError,
                    $"Writing the checkpoint '{_checkpoint.Path}' failed: {ex.Message} The batch was stopped so no row is paid for twice; fix the disk problem and run the same command again."), ex);
                _cts.Cancel();
            }
        }
        lock (_emitGate)
        {
            if (result.Status == ClaudeBatchRowStatus.Skipped)
            {
                if (result.Error is { } e && BudgetGuard.Stops(e)) _budgetRefused++;
                _skippedCount++;
                _skippedIds.Add((result.RowNumber, result.RowId));
                if (_skippedIds.Count > 20) _skippedIds.Remove(_skippedIds.Max);
            }
            if (_options.AsCompleted) Emit(result);
            else
            {
                _ready.Clear();
                _reorder.Put(result.RowNumber, result, _ready);
                foreach (var r in _ready) Emit(r);
            }
        }
        Progress.Report(Pump);
    }

    private void Emit(ClaudeBatchResult r)
    {
        Pump.WriteObject(r);
        if (r.Status == ClaudeBatchRowStatus.Failed && r.Error is not null) Pump.WriteError(r.Error.Target is null ? r.Error.WithTarget(r.Input) : r.Error);
        _mode.Emitted();
    }

    private void MaybeSuggestBatchApi(long number)
    {
        if (_suggested || _options.UseBatchApi) return;
        long threshold = _options.SuggestBatchApiAboveRows;
        if (threshold <= 0) return;
        long known = _options.ExpectedRows ?? 0;
        if (number == threshold || (number == 1 && known >= threshold))
        {
            _suggested = true;
            Pump.WriteWarning(string.Format(CultureInfo.InvariantCulture,
                "This job has {0}{1} rows. -UseBatchApi sends them through the Message Batches API at half the price, without rate-limit pressure (results within 24 hours).",
                known >= threshold ? "" : "at least ", known >= threshold ? known : threshold));
        }
    }

    /// <summary>Waits for <paramref name="task"/> on the caller's thread, writing output as it arrives
    /// (the pump wakes on each write and on the task's end; nothing polls).</summary>
    internal void WaitDraining(Task task, IClaudeOutputSink target)
    {
        try { Pump.DrainUntil(task, target); }
        catch
        {
            _cts.Cancel(); // the consumer stopped, as in Drain
            throw;
        }
        task.GetAwaiter().GetResult();
    }

    private void Drain(IClaudeOutputSink target)
    {
        try { Pump.DrainAvailable(target); }
        catch
        {
            // The consumer stopped (Select-Object -First, Ctrl+C): stop sending.
            _cts.Cancel();
            throw;
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        if (!_completed) _mode.Abandon();
        _checkpoint?.Dispose();
        _cts.Dispose();
    }
}
