using System;
using System.Collections.Concurrent;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// The default <see cref="IUsageRecorder"/>: prices each billed reply, appends it to the ledger (when
/// there is one) and counts it in the metrics. Recording never fails the call it records: the reply was
/// already paid for, so a ledger it cannot write becomes a warning.
/// </summary>
public sealed class LedgerUsageRecorder : IUsageRecorder
{
    // One warning per unknown model per process, however many calls use it.
    private static readonly ConcurrentDictionary<string, bool> WarnedModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly ClaudeServices _services;

    /// <param name="ledger">Null keeps nothing on disk (Connect-Claude -NoLedger) but still prices and counts.</param>
    /// <param name="services">Where the prices come from and the metrics go.</param>
    public LedgerUsageRecorder(UsageLedger? ledger, ClaudeServices services)
    {
        Ledger = ledger;
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    public UsageLedger? Ledger { get; }
    public ClaudeMetrics Metrics => _services.Metrics;

    public decimal? Record(UsageEvent usage)
    {
        if (usage.FromCache) return 0m; // served locally: nothing was billed, nothing to record
        var table = _services.Prices;
        var cost = table.Cost(usage.Model, usage.Usage, usage.IsBatch);
        if (cost is null && WarnedModels.TryAdd(usage.Model ?? "", true))
            usage.Log?.WriteWarning($"No price is known for model '{usage.Model}', so its cost shows as unknown (not zero). Add one with Set-ClaudePrice -Model {usage.Model} -InputPerMTok <usd> -OutputPerMTok <usd>.");
        if (Ledger is not null)
        {
            try
            {
                if (!Ledger.Append(LedgerRecord.From(usage, cost, table.Version)))
                    usage.Log?.WriteVerbose($"Usage of request {usage.RequestId} is already in the ledger; not written twice.");
            }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or ClaudeException)
            {
                usage.Log?.WriteWarning($"The usage of request {usage.RequestId} could not be written to the ledger in '{Ledger.Paths.LedgerFolder}': {ex.Message} The call itself succeeded.");
            }
        }
        Metrics.RecordUsage(usage.Model ?? "", usage.Usage, cost);
        return cost;
    }

    /// <summary>Forgets which models were warned about (tests).</summary>
    internal static void ResetWarnings() => WarnedModels.Clear();
}
