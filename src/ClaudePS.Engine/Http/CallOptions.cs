using System;
using System.Collections.Generic;
using ClaudePS.Engine.Resilience;

namespace ClaudePS.Engine.Http;

/// <summary>Per-call settings that override the connection's.</summary>
public sealed class CallOptions
{
    public static CallOptions Default { get; } = new();

    /// <summary>Labels for the usage ledger, added to the connection's.</summary>
    public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
    /// <summary>Receives verbose lines (retries, waits); null for none.</summary>
    public IClaudeOutputSink? Log { get; set; }
    /// <summary>Overrides the connection's overall timeout for this call.</summary>
    public TimeSpan? Timeout { get; set; }
    /// <summary>Keep the reply's JSON on <see cref="ClaudeResponse"/> for -Raw.</summary>
    public bool KeepRawJson { get; set; }
    /// <summary>A cost limit for this call in addition to the connection's (a bulk run's -MaxCostUsd).</summary>
    public Usage.BudgetGuard? Budget { get; set; }
    /// <summary>Overrides the connection's retry and timeout settings for this call (MaxRetries,
    /// RetryBudget, BaseDelay, MaxDelay, AttemptTimeout, StreamIdleTimeout); other fields are ignored.</summary>
    public ResilienceOptions? Resilience { get; set; }
    /// <summary>How this call uses the connection's response cache.</summary>
    public CacheMode Cache { get; set; }
    /// <summary>The request's input tokens when the caller counted them (count_tokens): the rate limiter
    /// then reserves exactly that instead of its estimate.</summary>
    public long? InputTokens { get; set; }
}
