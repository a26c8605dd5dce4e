using System;
using System.Threading;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Connections;

/// <summary>
/// What connections share rather than own: the metrics counters, the price table and the token cache.
/// <see cref="Process"/> is the set the cmdlets use (Get-ClaudeMetrics reads its metrics, Set-ClaudePrice
/// replaces its prices, two connections with one identity share one token). A connection reaches them
/// only through <see cref="ClaudeConnectionOptions.Services"/>, so a test gives a connection its own set.
/// </summary>
public sealed class ClaudeServices
{
    private PriceTable? _prices;

    /// <param name="prices">The price table; null loads the shipped table plus the user's overrides
    /// (prices.json in the data folder) on first use.</param>
    public ClaudeServices(PriceTable? prices = null)
    {
        _prices = prices;
    }

    /// <summary>The services of this PowerShell process.</summary>
    public static ClaudeServices Process { get; } = new();

    public ClaudeMetrics Metrics { get; } = new();
    public TokenCache Tokens { get; } = new();

    /// <summary>The prices that cost every reply; replaced as a whole when the user changes one.</summary>
    public PriceTable Prices
    {
        get
        {
            var table = Volatile.Read(ref _prices);
            if (table is not null) return table;
            Interlocked.CompareExchange(ref _prices, PriceTable.LoadWithOverrides(UsagePaths.Default.PricesFile), null);
            return Volatile.Read(ref _prices)!;
        }
        set => Volatile.Write(ref _prices, value ?? throw new ArgumentNullException(nameof(value)));
    }
}
