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
/// A thread-safe list of accounted calls, one per running emulator (<see cref="For"/>). The message
/// handlers add to it for every reply that carried usage; tests may add directly.
/// </summary>
public sealed class AdminUsageLog : IAdminUsageSource
{
    private static readonly ConditionalWeakTable<EmulatorState, AdminUsageLog> PerEmulator = new();
    private readonly List<AccountedCall> _calls = new();

    /// <summary>The log of the emulator that owns <paramref name="state"/>.</summary>
    public static AdminUsageLog For(EmulatorState state) => PerEmulator.GetValue(state, _ => new AdminUsageLog());

    public void Add(AccountedCall call)
    {
        lock (_calls) _calls.Add(call);
    }

    public IReadOnlyList<AccountedCall> Snapshot()
    {
        lock (_calls) return _calls.ToArray();
    }
}
