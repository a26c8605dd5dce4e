using System;
using System.Collections.Generic;
using System.Net;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Connections;

/// <summary>Everything Connect-Claude binds, in plain C#. <see cref="ClaudeConnection.Create"/> validates it.</summary>
public sealed class ClaudeConnectionOptions
{
    public const string DefaultBaseUri = "https://api.anthropic.com";
    public const string DefaultAnthropicVersion = ApiVersion.Current;

    /// <summary>A name for -Connection lookups; defaults to "default".</summary>
    public string Name { get; set; } = "default";
    /// <summary>Endpoints in order of preference; empty means ANTHROPIC_BASE_URL or the public API.</summary>
    public List<Uri> BaseUris { get; set; } = new();
    public ICredentialProvider? Credential { get; set; }
    public string? DefaultModel { get; set; }
    /// <summary>output_config.effort for every request that names none (Connect-Claude -Effort).</summary>
    public string? DefaultEffort { get; set; }
    /// <summary>Overall time for one call including retries (the SDKs' 10 minutes by default).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
    public Uri? Proxy { get; set; }
    public NetworkCredential? ProxyCredential { get; set; }
    public bool ProxyUseDefaultCredentials { get; set; }
    /// <summary>Allow http:// to a host that is not loopback.</summary>
    public bool AllowUnencryptedConnection { get; set; }
    public string AnthropicVersion { get; set; } = DefaultAnthropicVersion;
    /// <summary>anthropic-beta values sent on every call.</summary>
    public List<string> Betas { get; set; } = new();
    /// <summary>Labels written to the usage ledger for every call of this connection (e.g. the runbook name).</summary>
    public List<string> Tags { get; set; } = new();
    /// <summary>How many connections to hold open per endpoint (Windows PowerShell allows 2 by default).</summary>
    public int MaxConnectionsPerServer { get; set; } = 256;
    /// <summary>How the provider takes requests (Anthropic API by default, Vertex AI, ...).</summary>
    public ApiDialect Dialect { get; set; } = ApiDialect.Anthropic;
    /// <summary>Where this connection counts requests, retries and rate limits (Get-ClaudeMetrics reads the
    /// process-wide one); tests give a connection its own. Its usage recorder counts tokens and cost.</summary>
    public ClaudeMetrics Metrics { get; set; } = ClaudeMetrics.Shared;
    /// <summary>Receives every usage-bearing reply (the usage ledger); null records nothing.</summary>
    public IUsageRecorder? UsageRecorder { get; set; }
    /// <summary>The connection's cost limit (Connect-Claude -MaxCostUsd); null for none.</summary>
    public BudgetGuard? Budget { get; set; }
    /// <summary>Retries, client-side rate limits, failover and the response cache (defaults documented there;
    /// environment variables fill what is left unset).</summary>
    public ResilienceOptions Resilience { get; set; } = new();
}
