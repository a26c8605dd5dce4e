using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Models;
using ClaudePS.Engine.Wire;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Pipeline;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Runs Invoke-ClaudeBatch. The caller feeds rows one at a time with <see cref="Add"/> (the cmdlet does
/// it from ProcessRecord) and ends with <see cref="Complete"/>; both run on the caller's thread and
/// write whatever output is ready to the caller's sink, so results flow while input is still arriving.
///
/// Parallel mode: at most <see cref="BatchOptions.ThrottleLimit"/> requests in flight. In input order,
/// finished rows wait in a reorder buffer until every earlier row has finished. Admission is bounded:
/// when <see cref="BatchOptions.ReorderBufferSize"/> rows are in flight or waiting, <see cref="Add"/>
/// blocks (still writing output) until the oldest row finishes. That backpressure stops the pipeline
/// from reading more input, so memory follows the buffer size, never the row count.
///
/// Server mode (<see cref="BatchOptions.UseBatchApi"/>): rows are collected into batches of at most
/// 100,000 requests / 256 MB, submitted as each fills, then polled and joined back by custom id.
/// </summary>
public sealed class BatchRunner : IDisposable
{
    private readonly ClaudeConnection _connection;
    private readonly BatchOptions _options;
    private readonly CancellationTokenSource _cts;
    private readonly PipelinePump _pump = new();
    private readonly BatchRequestBuilder _builder;
    private readonly IBatchPricing _pricing;
    private readonly BatchProgress _progress;
    private readonly BatchCheckpoint? _checkpoint;
    private readonly BudgetGuard? _budget;
    /// <summary>Set once a budget that cannot recover refuses a row (the connection's limit, or a Message Batches
    /// run whose rows all hold their reservations until the batch ends): later rows are not sent either.</summary>
    private volatile ClaudeError? _budgetStop;
    /// <summary>The latest row -MaxCostUsd refused in parallel mode, for the summary error.</summary>
    private volatile ClaudeError? _lastBudgetRefusal;
    private long _budgetRefused;
    private readonly HashSet<string>? _seenIds;
    private readonly ServerBatchSession? _server;
    private readonly CustomIdAllocator? _customIds;
    private readonly SemaphoreSlim _window;
    private readonly int _windowSize;
    private readonly SemaphoreSlim _throttle;
    private readonly object _emitGate = new();
    private readonly ReorderBuffer<ClaudeBatchResult> _reorder = new();
    private readonly List<ClaudeBatchResult> _ready = new();
    // The first rows (in input order) that were not sent, for the summary warning.
    private readonly SortedSet<(long Number, string Id)> _skippedIds = new();
    private readonly CallOptions _call;
    private long _count;
    private long _skippedCount;
    private bool _suggested;
    private bool _completed;
    private ClaudeException? _fatal;
    private int _admittedHighWater;
    private int _admitted;

    public BatchRunner(ClaudeConnection connection, BatchOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        _connection = connection;
        _options = options;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _pricing = options.Pricing ?? BatchPricing.Default;
        _builder = new BatchRequestBuilder(options, connection.Options.DefaultModel ?? KnownModels.DefaultModel)
        {
            Check = request => ModelGuard.Check(connection, request, _pump),
        };
        // The shared parameters are checked before the first row is read: a run every row of which the model
        // would reject fails here, once, with nothing sent.
        var probe = MessageRequest.ForPrompt("-", options.Model ?? connection.Options.DefaultModel ?? KnownModels.DefaultModel, options.MaxTokens);
        probe.Temperature = options.Temperature;
        probe.Effort = options.Effort;
        ModelGuard.Check(connection, probe, _pump);
        _progress = new BatchProgress(options, options.UseBatchApi ? "Claude batch (Message Batches API)" : "Claude batch") { Total = options.ExpectedRows ?? 0 };
        _call = new CallOptions { Tags = options.Tags, Log = _pump };
        if (options.MaxCostUsd is { } max) _budget = new BudgetGuard(max, "this Invoke-ClaudeBatch run", () => PriceTable.Current);
        _windowSize = options.UseBatchApi ? 1 : options.AsCompleted ? Math.Max(2, options.ThrottleLimit * 2) : options.EffectiveReorderBuffer;
        _window = new SemaphoreSlim(_windowSize, _windowSize);
        _throttle = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
        // The connection's own cap on requests in flight applies to every caller; a higher -ThrottleLimit
        // would only queue rows inside the client, so say what really bounds the run.
        int inFlightCap = connection.Transport.Settings.MaxConcurrency;
        if (!options.UseBatchApi && options.ThrottleLimit > inFlightCap)
            _pump.WriteWarning($"-ThrottleLimit {options.ThrottleLimit} is above this connection's limit of {inFlightCap} requests in flight, so at most {inFlightCap} rows run at once. " +
                $"Connect-Claude -MaxConcurrency {options.ThrottleLimit} (or CLAUDEPS_MAX_CONCURRENCY) raises it.");
        if (options.CheckpointPath is { } path)
        {
            _checkpoint = BatchCheckpoint.Open(path);
            if (_checkpoint.UnreadableLines > 0)
                _pump.WriteWarning($"The checkpoint '{_checkpoint.Path}' had {_checkpoint.UnreadableLines} unreadable line(s){(_checkpoint.TornTail ? " (a last line cut short by a crash)" : "")}; those rows will be sent again.");
            if (_checkpoint.Count > 0)
                _pump.WriteVerbose($"Checkpoint '{_checkpoint.Path}' holds {_checkpoint.Count} finished row(s); they are replayed, not sent again.");
        }
        if (options.CheckpointPath is not null || options.UseBatchApi) _seenIds = new HashSet<string>(StringComparer.Ordinal);
        if (options.UseBatchApi)
        {
            _customIds = new CustomIdAllocator();
            _server = new ServerBatchSession(connection, options, _pricing, Settle, _progress, _pump, Finish);
        }
    }

    /// <summary>The totals so far.</summary>
    public BatchSummary Summary => _progress.Snapshot(_cts.IsCancellationRequested);
    /// <summary>The most rows ever admitted and not yet written (in flight plus waiting to be in order).</summary>
    public int AdmittedHighWater => Volatile.Read(ref _admittedHighWater);
    /// <summary>The bound on admitted rows (parallel mode).</summary>
    public int WindowSize => _windowSize;

    /// <summary>Takes one row. Blocks while the reorder buffer is full (writing output meanwhile).</summary>
    public void Add(BatchRow row, IClaudeOutputSink target)
    {
        if (_completed) throw new InvalidOperationException("The batch is complete.");
        _cts.Token.ThrowIfCancellationRequested();
        long number = ++_count;
        _progress.RowAdded();
        MaybeSuggestBatchApi(number);
        string? customId = _customIds?.Next(BatchRequestBuilder.RowIdOf(row, number));
        var prepared = _builder.Prepare(row, number);

        if (_server is null)
        {
            if (!_window.Wait(0)) WaitDraining(_window.WaitAsync(_cts.Token), target);
            int now = Interlocked.Increment(ref _admitted);
            if (now > Volatile.Read(ref _admittedHighWater)) Volatile.Write(ref _admittedHighWater, now);
        }

        var immediate = Screen(prepared, customId, out var reservations, out var worstCase);
        if (immediate is not null) Finish(prepared, immediate);
        else if (_server is not null) WaitDraining(_server.AddAsync(prepared, customId!, reservations, _cts.Token), target);
        else _ = Task.Run(() => RunRowAsync(prepared, worstCase));
        _progress.Report(_pump);
        Drain(target);
    }

    /// <summary>Waits for every row, writes the rest of the output and the summary, and returns the totals.</summary>
    public BatchSummary Complete(IClaudeOutputSink target)
    {
        if (_completed) return Summary;
        _completed = true;
        if (_server is not null)
        {
            try { WaitDraining(_server.CompleteAsync(_cts.Token), target); }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested) { }
        }
        else
        {
            for (int i = 0; i < _windowSize; i++) WaitDraining(_window.WaitAsync(CancellationToken.None), target);
            _window.Release(_windowSize);
        }
        var summary = Summary;
        _progress.ReportCompleted(_pump);
        if (_skippedCount > 0)
        {
            string list = string.Join(", ", _skippedIds.Select(s => s.Id)) + (_skippedCount > _skippedIds.Count ? $" and {_skippedCount - _skippedIds.Count} more" : "");
            _pump.WriteWarning($"{_skippedCount} row(s) were not sent: {list}. They are in the output with Status Skipped and the reason in Error.");
        }
        if (_budgetRefused > 0 && (_budgetStop ?? _lastBudgetRefusal) is { } stop)
            _pump.WriteError(new ClaudeError(stop.ErrorId, stop.Category, $"{_budgetRefused} row(s) were not sent because of the cost limit. {stop.Message}"));
        _pump.WriteVerbose("Invoke-ClaudeBatch: " + summary);
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
    /// checkpoint, or refused by the budget. Otherwise, with -MaxCostUsd, gives the row's worst-case cost:
    /// in server mode reserved now (every row of a Message Batch is in flight until the batch ends); in
    /// parallel mode reserved when the row's turn to send comes (<see cref="RunRowAsync"/>), so rows that
    /// wait for a slot or in the reorder buffer hold nothing.</summary>
    private ClaudeBatchResult? Screen(PreparedRow p, string? customId, out IReadOnlyList<BudgetReservation> reservations, out decimal? worstCase)
    {
        reservations = Array.Empty<BudgetReservation>();
        worstCase = null;
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
        var guards = Guards();
        if (guards.Count > 0)
        {
            if (BatchBilling.WorstCase(_pricing, p, _options.UseBatchApi) is not { } worst)
                return Outcome(p, ClaudeBatchRowStatus.Skipped, BatchErrors.PriceUnknown(p.RowId, p.Request!.Model!, p.Row.Original), customId);
            worstCase = worst;
            if (_server is null) return null;
            var held = new List<BudgetReservation>(guards.Count);
            for (int i = 0; i < guards.Count; i++)
            {
                if (guards[i].TryReserve(worst) is { } r) { held.Add(r); continue; }
                for (int j = 0; j < held.Count; j++) guards[j].Release(held[j]);
                var error = guards[i].Exceeded(worst, $"Row {p.RowId} and every row after it").Error;
                _budgetStop = new ClaudeError(error.ErrorId, error.Category, error.Message);
                return Outcome(p, ClaudeBatchRowStatus.Skipped, error.WithTarget(p.Row.Original), customId);
            }
            reservations = held;
        }
        return null;
    }

    /// <summary>The budgets this run reserves against itself: -MaxCostUsd, and in server mode the
    /// connection's (in parallel mode the client reserves against the connection's on each call).</summary>
    private List<BudgetGuard> Guards()
    {
        var list = new List<BudgetGuard>(2);
        if (_budget is not null) list.Add(_budget);
        if (_options.UseBatchApi && _connection.Options.Budget is { } connectionBudget) list.Add(connectionBudget);
        return list;
    }

    /// <summary>Settles each reservation with its own guard, in the order <see cref="Guards"/> made them.</summary>
    internal void Settle(IReadOnlyList<BudgetReservation> reservations, decimal? actual)
    {
        if (reservations.Count == 0) return;
        var guards = Guards();
        for (int i = 0; i < reservations.Count && i < guards.Count; i++) guards[i].Settle(reservations[i], actual);
    }

    private async Task RunRowAsync(PreparedRow p, decimal? worstCase)
    {
        ClaudeBatchResult result;
        decimal? spent = 0m;
        IReadOnlyList<BudgetReservation> reservations = Array.Empty<BudgetReservation>();
        // The slot is held until the row is finished (checkpointed), not just until its reply arrives: so a
        // run killed at any moment leaves at most ThrottleLimit rows billed without a checkpoint record.
        bool holdsSlot = false;
        try
        {
            try
            {
                await _throttle.WaitAsync(_cts.Token).ConfigureAwait(false);
                holdsSlot = true;
                // A stop can race with the release that let this row in: never start a request after it.
                _cts.Token.ThrowIfCancellationRequested();
                if (worstCase is { } worst)
                {
                    // Skipped only if what was really spent plus this row's worst case passes the limit;
                    // otherwise it waits here until rows in flight have settled and it fits.
                    if (await _budget!.ReserveWhenAffordableAsync(worst, _cts.Token).ConfigureAwait(false) is not { } reservation)
                    {
                        var refusal = _budget.Exceeded(worst, $"Row {p.RowId}").Error;
                        _lastBudgetRefusal = new ClaudeError(refusal.ErrorId, refusal.Category, refusal.Message);
                        Finish(p, Outcome(p, ClaudeBatchRowStatus.Skipped, refusal.WithTarget(p.Row.Original), null));
                        return;
                    }
                    reservations = new[] { reservation };
                }
                var response = await _connection.Client.CreateMessageAsync(p.Request!, _call, _cts.Token).ConfigureAwait(false);
                spent = response.CostUsd ?? (_connection.Options.UsageRecorder is null ? _pricing.Cost(response.Model, response.Usage, batch: false) : null);
                result = Success(p, response, spent, null, null, _options.Redaction);
            }
            catch (Exception ex) when (_cts.IsCancellationRequested && (ex is OperationCanceledException || ex is ClaudeException { Error.ErrorId: "ClaudePS.Canceled" }))
            {
                result = Outcome(p, ClaudeBatchRowStatus.Skipped, BatchErrors.Stopped(p.RowId, p.Row.Original), null);
            }
            catch (ClaudeException ex) when (BudgetGuard.Stops(ex.Error))
            {
                // The connection's own limit (Connect-Claude -MaxCostUsd) refused it: nothing was sent, and nothing more will be.
                _budgetStop ??= new ClaudeError(ex.Error.ErrorId, ex.Error.Category, ex.Error.Message);
                result = Outcome(p, ClaudeBatchRowStatus.Skipped, ex.Error.WithTarget(p.Row.Original), null);
            }
            catch (ClaudeException ex)
            {
                spent = ex.Error.PartialUsage is { } partial && p.Request?.Model is { } model ? _pricing.Cost(model, partial, batch: false) : 0m;
                result = Outcome(p, ClaudeBatchRowStatus.Failed, ex.Error.WithTarget(p.Row.Original), null);
            }
            catch (Exception ex)
            {
                result = Outcome(p, ClaudeBatchRowStatus.Failed, new ClaudeError("ClaudePS.UnexpectedError", ClaudeErrorCategory.NotSpecified,
                    $"Row {p.RowId} failed unexpectedly: {ex.Message}") { Target = p.Row.Original, Cause = ex }, null);
            }
            Settle(reservations, spent);
            Finish(p, result);
        }
        finally
        {
            if (holdsSlot) _throttle.Release();
        }
    }

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
    private void Finish(PreparedRow p, ClaudeBatchResult result)
    {
        _progress.RowFinished(result);
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
        _progress.Report(_pump);
    }

    private void Emit(ClaudeBatchResult r)
    {
        _pump.WriteObject(r);
        if (r.Status == ClaudeBatchRowStatus.Failed && r.Error is not null) _pump.WriteError(r.Error.Target is null ? r.Error.WithTarget(r.Input) : r.Error);
        if (_server is null)
        {
            Interlocked.Decrement(ref _admitted);
            _window.Release();
        }
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
            _pump.WriteWarning(string.Format(CultureInfo.InvariantCulture,
                "This job has {0}{1} rows. -UseBatchApi sends them through the Message Batches API at half the price, without rate-limit pressure (results within 24 hours).",
                known >= threshold ? "" : "at least ", known >= threshold ? known : threshold));
        }
    }

    /// <summary>Waits for <paramref name="task"/> on the caller's thread, writing output as it arrives
    /// (the pump wakes on each write and on the task's end; nothing polls).</summary>
    private void WaitDraining(Task task, IClaudeOutputSink target)
    {
        try { _pump.DrainUntil(task, target); }
        catch
        {
            _cts.Cancel(); // the consumer stopped, as in Drain
            throw;
        }
        task.GetAwaiter().GetResult();
    }

    private void Drain(IClaudeOutputSink target)
    {
        try { _pump.DrainAvailable(target); }
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
        if (_server is null && !_completed)
        {
            // Let in-flight rows observe the cancellation and finish before the checkpoint closes.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            for (int i = 0; i < _windowSize; i++)
                if (!_window.Wait(Math.Max(0, (int)(deadline - DateTime.UtcNow).TotalMilliseconds))) break;
        }
        _checkpoint?.Dispose();
        _cts.Dispose();
    }
}
