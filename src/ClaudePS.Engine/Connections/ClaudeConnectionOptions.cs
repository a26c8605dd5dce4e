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
    /// <summary>The metrics, prices and token cache this connection shares with others (the process's by
    /// default: Get-ClaudeMetrics and Set-ClaudePrice work on those); tests give a connection its own.</summary>
    public ClaudeServices Services { get; set; } = ClaudeServices.Process;
    /// <summary>How billed replies are recorded; <see cref="UsageRecorder"/>, when set, replaces it.</summary>
    public UsageRecording Recording { get; set; } = UsageRecording.None;
    /// <summary>A recorder of the caller's own (tests, hosts that keep usage elsewhere).</summary>
    public IUsageRecorder? UsageRecorder { get; set; }
    /// <summary>The connection's cost limit in USD (Connect-Claude -MaxCostUsd); null for none.</summary>
    public decimal? MaxCostUsd { get; set; }
    /// <summary>Retries, client-side rate limits, failover and the response cache (defaults documented there;
    /// environment variables fill what is left unset).</summary>
    public ResilienceOptions Resilience { get; set; } = new();
}

/// <summary>What a connection does with the usage of each billed reply.</summary>
public enum UsageRecording
{
    /// <summary>Nothing: replies carry no cost and the metrics count no tokens (a connection built in code).</summary>
    None,
    /// <summary>Priced and counted in the metrics, but kept nowhere on disk (Connect-Claude -NoLedger).</summary>
    Priced,
    /// <summary>Priced, counted, and appended to the usage ledger in the data folder (Connect-Claude's default).</summary>
    Ledger,
}
