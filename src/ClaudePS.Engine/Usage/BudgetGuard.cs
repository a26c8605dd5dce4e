using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// A spending limit in USD, enforced before anything is sent: each request reserves an estimate of its
/// highest possible cost (input from the body size, output at max_tokens), and settles on the real usage
/// when the reply arrives. Reservations count against the limit, so calls in flight cannot together
/// overshoot it. One guard per connection (Connect-Claude -MaxCostUsd) and one per bulk run.
/// </summary>
public sealed class BudgetGuard
{
    /// <summary>The ErrorId of the terminating error a refused reservation raises.</summary>
    public const string ExceededErrorId = "ClaudePS.BudgetExceeded";
    public const string PriceUnknownErrorId = "ClaudePS.BudgetPriceUnknown";

    /// <summary>True for the budget errors, which end the whole run (terminating), not just one item.</summary>
    public static bool Stops(ClaudeError error) => error.ErrorId is ExceededErrorId or PriceUnknownErrorId;

    private readonly object _gate = new();
    private readonly Func<PriceTable> _prices;
    private decimal _spent, _reserved;
    // Completed (and replaced) whenever a reservation is settled or released, for callers waiting to fit.
    private TaskCompletionSource<bool> _changed = NewSignal();
    private long _sent, _refused;

    /// <param name="limitUsd">The most this scope may spend.</param>
    /// <param name="scope">Names the scope in messages, e.g. "connection 'default'" or "this Invoke-ClaudeBatch run".</param>
    /// <param name="prices">The price table to estimate and settle with (the connection's services').</param>
    public BudgetGuard(decimal limitUsd, string scope, Func<PriceTable> prices)
    {
        if (limitUsd <= 0) throw new ArgumentOutOfRangeException(nameof(limitUsd), "The cost limit must be positive.");
        LimitUsd = limitUsd;
        Scope = scope;
        _prices = prices ?? throw new ArgumentNullException(nameof(prices));
    }

    public decimal LimitUsd { get; }
    public string Scope { get; }
    public decimal SpentUsd { get { lock (_gate) return _spent; } }
    /// <summary>Estimates held by calls in flight.</summary>
    public decimal ReservedUsd { get { lock (_gate) return _reserved; } }
    public decimal RemainingUsd { get { lock (_gate) return LimitUsd - _spent - _reserved; } }
    public long SentRequests { get { lock (_gate) return _sent; } }
    public long RefusedRequests { get { lock (_gate) return _refused; } }

    /// <summary>
    /// The most a request can cost: its body at about 3 bytes per input token (JSON overhead makes
    /// this high rather than low) at the input price, plus max_tokens at the output price; halved for
    /// batches. Null when the model's price is unknown.
    /// </summary>
    public decimal? Estimate(string model, long requestBytes, int maxTokens, bool batch = false)
    {
        var price = _prices().Find(model);
        if (price is null) return null;
        var usage = new ClaudeUsage { InputTokens = Math.Max(1, requestBytes / 3), OutputTokens = maxTokens, ServiceTier = batch ? "batch" : null };
        return PriceTable.Cost(price, usage, batch);
    }

    /// <summary>Reserves <paramref name="estimateUsd"/>; null (and nothing reserved) when it would pass the limit.</summary>
    public BudgetReservation? TryReserve(decimal estimateUsd)
    {
        lock (_gate)
        {
            if (_spent + _reserved + estimateUsd > LimitUsd)
            {
                _refused++;
                return null;
            }
            _reserved += estimateUsd;
            _sent++;
            return new BudgetReservation(this, estimateUsd);
        }
    }

    /// <summary>
    /// Reserves <paramref name="estimateUsd"/> as soon as it fits beside the calls in flight. Null (nothing
    /// reserved) only when it cannot fit even after every call in flight has settled: what was really spent
    /// plus this estimate passes the limit. So calls in flight never make a request be refused for good,
    /// and together they still never overshoot the limit.
    /// </summary>
    public async Task<BudgetReservation?> ReserveWhenAffordableAsync(decimal estimateUsd, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_spent + estimateUsd > LimitUsd)
                {
                    _refused++;
                    return null;
                }
                if (_spent + _reserved + estimateUsd <= LimitUsd)
                {
                    _reserved += estimateUsd;
                    _sent++;
                    return new BudgetReservation(this, estimateUsd);
                }
                changed = _changed.Task;
            }
            // The signal is shared by every waiter, so cancellation ends only this wait, not the signal.
            var canceled = NewSignal();
            using (cancellationToken.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(true), canceled))
                await Task.WhenAny(changed, canceled.Task).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _gate: wakes the callers waiting for room.
    private void SignalChanged()
    {
        var done = _changed;
        _changed = NewSignal();
        done.TrySetResult(true);
    }

    /// <summary>Reserves <paramref name="estimateUsd"/> or throws the terminating <see cref="ExceededErrorId"/> error.</summary>
    /// <param name="notSent">What will not be sent, for the message (e.g. "this request (claude-opus-4-5)" or "the remaining 412 rows").</param>
    public BudgetReservation Reserve(decimal estimateUsd, string notSent) =>
        TryReserve(estimateUsd) ?? throw Exceeded(estimateUsd, notSent);

    /// <summary>Reserves the estimate of one Messages request, or throws.</summary>
    public BudgetReservation ReserveRequest(string model, long requestBytes, int maxTokens, bool batch = false)
    {
        var estimate = Estimate(model, requestBytes, maxTokens, batch) ?? throw new ClaudeException(new ClaudeError(PriceUnknownErrorId, ClaudeErrorCategory.InvalidOperation,
            $"A cost limit is set for {Scope}, but no price is known for model '{model}', so the request cannot be checked against it and was not sent. Add a price with Set-ClaudePrice -Model {model} ..., or remove the limit."));
        return Reserve(estimate, $"This request ({model}, up to {Usd(estimate)})");
    }

    /// <summary>What <paramref name="usage"/> cost at this guard's prices; null when the price is unknown.</summary>
    public decimal? Cost(string? model, ClaudeUsage usage, bool batch) => _prices().Cost(model, usage, batch);

    /// <summary>Replaces the reservation by what was really billed (null: the price is unknown, keep the estimate).</summary>
    public void Settle(BudgetReservation reservation, decimal? actualUsd)
    {
        if (!ReferenceEquals(reservation.Guard, this)) throw new ArgumentException("The reservation belongs to another budget.", nameof(reservation));
        lock (_gate)
        {
            if (reservation.Settled) return;
            reservation.Settled = true;
            _reserved -= reservation.AmountUsd;
            _spent += actualUsd ?? reservation.AmountUsd;
            SignalChanged();
        }
    }

    /// <summary>Gives a reservation back: nothing was billed (the request failed before the server took it).</summary>
    public void Release(BudgetReservation reservation)
    {
        lock (_gate)
        {
            if (reservation.Settled) return;
            reservation.Settled = true;
            _reserved -= reservation.AmountUsd;
            _sent--;
            SignalChanged();
        }
    }

    /// <summary>The terminating error: what was spent of what limit, and what was not sent.</summary>
    public ClaudeException Exceeded(decimal estimateUsd, string notSent)
    {
        decimal spent, reserved;
        lock (_gate) { spent = _spent; reserved = _reserved; }
        var inFlight = reserved > 0 ? $" (plus {Usd(reserved)} reserved by calls in flight)" : "";
        return new ClaudeException(new ClaudeError(ExceededErrorId, ClaudeErrorCategory.QuotaExceeded,
            $"The cost limit of {Scope} is reached: {Usd(spent)} spent{inFlight} of {Usd(LimitUsd)}. {notSent} was not sent, because it could cost up to {Usd(estimateUsd)} more. " +
            "Raise the limit (-MaxCostUsd) to go on; Get-ClaudeUsage shows what was spent."));
    }

    internal static string Usd(decimal value) => value.ToString("0.00####", CultureInfo.InvariantCulture) + " USD";

    public override string ToString() => $"{Scope}: {Usd(SpentUsd)} of {Usd(LimitUsd)}";
}

/// <summary>An estimate held against a <see cref="BudgetGuard"/> until settled or released.</summary>
public sealed class BudgetReservation
{
    internal BudgetReservation(BudgetGuard guard, decimal amountUsd) { Guard = guard; AmountUsd = amountUsd; }
    internal BudgetGuard Guard { get; }
    public decimal AmountUsd { get; }
    internal bool Settled { get; set; }
}

/// <summary>The client's use of the guards for one call: reserve on the connection's and the call's
/// guard before the first attempt; settle both once with what was billed.</summary>
internal sealed class BudgetHold
{
    private readonly BudgetGuard? _a, _b;
    private readonly BudgetReservation? _ra, _rb;

    private BudgetHold(BudgetGuard? a, BudgetReservation? ra, BudgetGuard? b, BudgetReservation? rb) { _a = a; _ra = ra; _b = b; _rb = rb; }

    /// <summary>The hold of a call without budgets (most calls): nothing to settle, nothing allocated.</summary>
    private static readonly BudgetHold None = new(null, null, null, null);

    public static BudgetHold Begin(BudgetGuard? connection, BudgetGuard? call, string model, long requestBytes, int maxTokens, bool batch)
    {
        var ra = connection?.ReserveRequest(model, requestBytes, maxTokens, batch);
        BudgetReservation? rb;
        try { rb = call is null || ReferenceEquals(call, connection) ? null : call.ReserveRequest(model, requestBytes, maxTokens, batch); }
        catch
        {
            if (ra is not null) connection!.Release(ra);
            throw;
        }
        return ra is null && rb is null ? None : new BudgetHold(connection, ra, call, rb);
    }

    /// <summary>Settles on <paramref name="billed"/> usage, or releases when nothing was billed (null).</summary>
    public void Settle(string model, ClaudeUsage? billed, bool batch)
    {
        if (_ra is null && _rb is null) return;
        // Both guards price with the connection's table: one cost serves both.
        decimal? cost = billed is null ? null : (_a ?? _b)!.Cost(model, billed, batch);
        Apply(_a, _ra, billed, cost);
        Apply(_b, _rb, billed, cost);
    }

    private static void Apply(BudgetGuard? guard, BudgetReservation? r, ClaudeUsage? billed, decimal? cost)
    {
        if (guard is null || r is null) return;
        if (billed is null) guard.Release(r);
        else guard.Settle(r, cost);
    }
}
