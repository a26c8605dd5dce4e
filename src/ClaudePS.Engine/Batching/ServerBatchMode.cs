using System;
using System.Collections.Generic;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Server mode of <see cref="BatchRunner"/> (<see cref="BatchOptions.UseBatchApi"/>): rows go to a
/// <see cref="ServerBatchSession"/> under unique custom ids. Every row of a Message Batch is in flight until
/// the batch ends, so budgets are reserved at admission, against -MaxCostUsd and the connection's own limit
/// (in parallel mode the client reserves against the connection's on each call).
/// </summary>
internal sealed class ServerBatchMode : BatchMode
{
    private readonly BatchRunner _runner;
    private readonly ClaudeConnection _connection;
    private readonly List<BudgetGuard> _guards = new(2);
    private readonly CustomIdAllocator _customIds = new();
    private readonly ServerBatchSession _session;

    public ServerBatchMode(BatchRunner runner, ClaudeConnection connection, BatchOptions options, BudgetGuard? budget)
    {
        _runner = runner;
        _connection = connection;
        if (budget is not null) _guards.Add(budget);
        if (connection.Budget is { } connectionBudget) _guards.Add(connectionBudget);
        _session = new ServerBatchSession(connection, options, Settle, runner.Progress, runner.Pump, runner.Finish);
    }

    public override int WindowSize => 1;

    public override string? CustomIdFor(BatchRow row, long number) => _customIds.Next(BatchRequestBuilder.RowIdOf(row, number));

    public override void Send(PreparedRow p, string? customId, IClaudeOutputSink target)
    {
        IReadOnlyList<BudgetReservation> reservations = Array.Empty<BudgetReservation>();
        if (_guards.Count > 0)
        {
            if (BatchBilling.WorstCase(_connection, p, batch: true) is not { } worst)
            {
                _runner.Finish(p, BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, BatchErrors.PriceUnknown(p.RowId, p.Request!.Model!, p.Row.Original), customId));
                return;
            }
            var held = new List<BudgetReservation>(_guards.Count);
            for (int i = 0; i < _guards.Count; i++)
            {
                if (_guards[i].TryReserve(worst) is { } r) { held.Add(r); continue; }
                for (int j = 0; j < held.Count; j++) _guards[j].Release(held[j]);
                // A reservation that fails now cannot succeed later (nothing settles before the batch ends).
                var error = _guards[i].Exceeded(worst, $"Row {p.RowId} and every row after it").Error;
                _runner.StopForBudget(error);
                _runner.Finish(p, BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, error.WithTarget(p.Row.Original), customId));
                return;
            }
            reservations = held;
        }
        _runner.WaitDraining(_session.AddAsync(p, customId!, reservations, _runner.Token), target);
    }

    public override void WaitAll(IClaudeOutputSink target)
    {
        try { _runner.WaitDraining(_session.CompleteAsync(_runner.Token), target); }
        catch (OperationCanceledException) when (_runner.Token.IsCancellationRequested) { }
    }

    /// <summary>Settles each reservation with its own guard, in the order <see cref="Send"/> made them.</summary>
    private void Settle(IReadOnlyList<BudgetReservation> reservations, decimal? actual)
    {
        for (int i = 0; i < reservations.Count && i < _guards.Count; i++) _guards[i].Settle(reservations[i], actual);
    }
}
