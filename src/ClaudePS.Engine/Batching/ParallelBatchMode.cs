using System;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Parallel mode of <see cref="BatchRunner"/>: one Messages call per row, at most
/// <see cref="BatchOptions.ThrottleLimit"/> in flight. Admission is bounded by a window of
/// <see cref="WindowSize"/> rows (in flight or waiting in the reorder buffer): when it is full,
/// <see cref="Admit"/> blocks, which stops the pipeline from reading more input, so memory follows the
/// buffer size, never the row count. With -MaxCostUsd a row reserves its worst case only when its turn to
/// send comes, so rows waiting for a slot or in the reorder buffer hold nothing.
/// </summary>
internal sealed class ParallelBatchMode : BatchMode
{
    private readonly BatchRunner _runner;
    private readonly ClaudeConnection _connection;
    private readonly BatchOptions _options;
    private readonly BudgetGuard? _budget;
    private readonly CallOptions _call;
    private readonly SemaphoreSlim _window;
    private readonly int _windowSize;
    private readonly SemaphoreSlim _throttle;
    private int _admitted;
    private int _admittedHighWater;

    public ParallelBatchMode(BatchRunner runner, ClaudeConnection connection, BatchOptions options, BudgetGuard? budget)
    {
        _runner = runner;
        _connection = connection;
        _options = options;
        _budget = budget;
        _call = new CallOptions { Tags = options.Tags, Log = runner.Pump };
        _windowSize = options.AsCompleted ? Math.Max(2, options.ThrottleLimit * 2) : options.EffectiveReorderBuffer;
        _window = new SemaphoreSlim(_windowSize, _windowSize);
        _throttle = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
        // The connection's own cap on requests in flight applies to every caller; a higher -ThrottleLimit
        // would only queue rows inside the client, so say what really bounds the run.
        int inFlightCap = connection.Transport.Settings.MaxConcurrency;
        if (options.ThrottleLimit > inFlightCap)
            runner.Pump.WriteWarning($"-ThrottleLimit {options.ThrottleLimit} is above this connection's limit of {inFlightCap} requests in flight, so at most {inFlightCap} rows run at once. " +
                $"Connect-Claude -MaxConcurrency {options.ThrottleLimit} (or CLAUDEPS_MAX_CONCURRENCY) raises it.");
    }

    public override int WindowSize => _windowSize;
    public override int AdmittedHighWater => Volatile.Read(ref _admittedHighWater);

    public override void Admit(IClaudeOutputSink target)
    {
        if (!_window.Wait(0)) _runner.WaitDraining(_window.WaitAsync(_runner.Token), target);
        int now = Interlocked.Increment(ref _admitted);
        if (now > Volatile.Read(ref _admittedHighWater)) Volatile.Write(ref _admittedHighWater, now);
    }

    public override void Send(PreparedRow p, string? customId, IClaudeOutputSink target)
    {
        decimal? worstCase = null;
        if (_budget is not null)
        {
            if (BatchBilling.WorstCase(_connection, p, batch: false) is not { } worst)
            {
                _runner.Finish(p, BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, BatchErrors.PriceUnknown(p.RowId, p.Request!.Model!, p.Row.Original), customId));
                return;
            }
            worstCase = worst;
        }
        _ = RunRowAsync(p, worstCase);
    }

    public override void WaitAll(IClaudeOutputSink target)
    {
        for (int i = 0; i < _windowSize; i++) _runner.WaitDraining(_window.WaitAsync(CancellationToken.None), target);
        _window.Release(_windowSize);
    }

    public override void Emitted()
    {
        Interlocked.Decrement(ref _admitted);
        _window.Release();
    }

    public override void Abandon()
    {
        // Let in-flight rows observe the cancellation and finish before the checkpoint closes.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (int i = 0; i < _windowSize; i++)
            if (!_window.Wait(Math.Max(0, (int)(deadline - DateTime.UtcNow).TotalMilliseconds))) break;
    }

    /// <summary>Starts on the caller's thread, so rows take their turns (a slot, then the budget) in input
    /// order; the request itself runs on the thread pool.</summary>
    private async Task RunRowAsync(PreparedRow p, decimal? worstCase)
    {
        ClaudeBatchResult result;
        decimal? spent = 0m;
        BudgetReservation? reservation = null;
        var token = _runner.Token;
        // The slot is held until the row is finished (checkpointed), not just until its reply arrives: so a
        // run killed at any moment leaves at most ThrottleLimit rows billed without a checkpoint record.
        bool holdsSlot = false;
        try
        {
            try
            {
                await _throttle.WaitAsync(token).ConfigureAwait(false);
                holdsSlot = true;
                // A stop can race with the release that let this row in: never start a request after it.
                token.ThrowIfCancellationRequested();
                if (worstCase is { } worst)
                {
                    // Skipped only if what was really spent plus this row's worst case passes the limit;
                    // otherwise it waits here until rows in flight have settled and it fits.
                    reservation = await _budget!.ReserveWhenAffordableAsync(worst, token).ConfigureAwait(false);
                    if (reservation is null)
                    {
                        var refusal = _budget.Exceeded(worst, $"Row {p.RowId}").Error;
                        _runner.NoteBudgetRefusal(refusal);
                        _runner.Finish(p, BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, refusal.WithTarget(p.Row.Original), null));
                        return;
                    }
                }
                var response = await Task.Run(() => _connection.Client.CreateMessageAsync(p.Request!, _call, token)).ConfigureAwait(false);
                spent = response.CostUsd ?? (_connection.UsageRecorder is null ? _connection.Services.Prices.Cost(response.Model, response.Usage, batch: false) : null);
                result = BatchRunner.Success(p, response, spent, null, null, _options.Redaction);
            }
            catch (Exception ex) when (token.IsCancellationRequested && (ex is OperationCanceledException || ex is ClaudeException { Error.IsCanceled: true }))
            {
                result = BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, BatchErrors.Stopped(p.RowId, p.Row.Original), null);
            }
            catch (ClaudeException ex) when (BudgetGuard.Stops(ex.Error))
            {
                // The connection's own limit (Connect-Claude -MaxCostUsd) refused it: nothing was sent, and nothing more will be.
                _runner.StopForBudget(ex.Error);
                result = BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, ex.Error.WithTarget(p.Row.Original), null);
            }
            catch (ClaudeException ex)
            {
                spent = ex.Error.PartialUsage is { } partial && p.Request?.Model is { } model ? _connection.Services.Prices.Cost(model, partial, batch: false) : 0m;
                result = BatchRunner.Outcome(p, ClaudeBatchRowStatus.Failed, ex.Error.WithTarget(p.Row.Original), null);
            }
            catch (Exception ex)
            {
                result = BatchRunner.Outcome(p, ClaudeBatchRowStatus.Failed, new ClaudeError("ClaudePS.UnexpectedError", ClaudeErrorCategory.NotSpecified,
                    $"Row {p.RowId} failed unexpectedly: {ex.Message}") { Target = p.Row.Original, Cause = ex }, null);
            }
            if (reservation is not null) _budget!.Settle(reservation, spent);
            _runner.Finish(p, result);
        }
        finally
        {
            if (holdsSlot) _throttle.Release();
        }
    }
}
