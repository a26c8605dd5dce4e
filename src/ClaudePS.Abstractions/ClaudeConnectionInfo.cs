using System;
using System.Collections.Generic;

namespace ClaudePS;

/// <summary>What Get-ClaudeConnection shows: where and how a connection talks, never its secret.</summary>
public sealed class ClaudeConnectionInfo
{
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Endpoints { get; init; } = Array.Empty<string>();
    /// <summary>ApiKey, Bearer, OAuthClientCredentials, ManagedIdentity, Vertex, ...</summary>
    public string AuthKind { get; init; } = "";
    /// <summary>Where the credential came from (parameter, environment variable name, vault), never its value.</summary>
    public string CredentialSource { get; init; } = "";
    public string? DefaultModel { get; init; }
    /// <summary>The anthropic-version header the connection sends.</summary>
    public string AnthropicVersion { get; init; } = "";
    /// <summary>anthropic-beta values sent on every call.</summary>
    public IReadOnlyList<string> Betas { get; init; } = Array.Empty<string>();
    /// <summary>The effort level sent when a prompt names none.</summary>
    public string? DefaultEffort { get; init; }
    public string? Proxy { get; init; }
    public TimeSpan Timeout { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    public DateTimeOffset ConnectedAt { get; init; }
    public bool IsDefault { get; set; }

    public override string ToString() => $"{Name} ({AuthKind} at {string.Join(", ", Endpoints)})";
}
