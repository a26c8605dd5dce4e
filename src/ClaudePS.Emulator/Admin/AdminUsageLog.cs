using System.Runtime.CompilerServices;

namespace ClaudePS.Emulator.Admin;

/// <summary>One billed call as the emulator accounted it: what the Admin API reports are built from.</summary>
public sealed record AccountedCall(
    DateTimeOffset Time,
    string RequestId,
    string Model,
    long UncachedInputTokens,
    long CacheWrite5mTokens,
    long CacheWrite1hTokens,
    long CacheReadTokens,
    long OutputTokens,
    string ServiceTier = "standard",
    decimal? CostUsd = null);

/// <summary>What the Admin report endpoints read. The emulator's accounting implements it (or feeds
/// <see cref="AdminUsageLog"/>); the reports never keep a second copy of the numbers.</summary>
public interface IAdminUsageSource
{
    IReadOnlyList<AccountedCall> Snapshot();
}

/// <summary>
/// The report source of one running emulator (<see cref="For"/>): every billed request of its own
/// accounting (<see cref="EmulatorAccounting"/>), plus calls added directly (tests that need traffic on
/// past days, which no live request can have).
/// </summary>
public sealed class AdminUsageLog : IAdminUsageSource
{
    private static readonly ConditionalWeakTable<EmulatorState, AdminUsageLog> PerEmulator = new();
    private readonly List<AccountedCall> _calls = new();
    private readonly EmulatorAccounting? _accounting;

    public AdminUsageLog(EmulatorAccounting? accounting = null) => _accounting = accounting;

    /// <summary>The log of the emulator that owns <paramref name="state"/>.</summary>
    public static AdminUsageLog For(EmulatorState state) => PerEmulator.GetValue(state, s => new AdminUsageLog(s.Accounting));

    public void Add(AccountedCall call)
    {
        lock (_calls) _calls.Add(call);
    }

    public IReadOnlyList<AccountedCall> Snapshot()
    {
        var all = new List<AccountedCall>();
        if (_accounting is not null)
            foreach (var r in _accounting.Billed())
                all.Add(new AccountedCall(r.Timestamp, r.RequestId, r.Model ?? "", r.Usage!.InputTokens, r.Usage.CacheCreation5mInputTokens,
                    r.Usage.CacheCreation1hInputTokens, r.Usage.CacheReadInputTokens, r.Usage.OutputTokens, r.Usage.ServiceTier));
        lock (_calls) all.AddRange(_calls);
        return all;
    }
}
