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
    /// <summary>Whether this was the default connection when the object was written.</summary>
    public bool IsDefault { get; private set; }

    /// <summary>A copy that says whether it is the default (the connection's own info is shared and never changes).</summary>
    public ClaudeConnectionInfo WithIsDefault(bool isDefault)
    {
        var copy = (ClaudeConnectionInfo)MemberwiseClone();
        copy.IsDefault = isDefault;
        return copy;
    }

    public override string ToString() => $"{Name} ({AuthKind} at {string.Join(", ", Endpoints)})";
}
