using System;
using System.Security;

namespace ClaudePS;

/// <summary>What Get-ClaudeAccessToken returns: the token a connection sends, as a SecureString (as
/// Get-AzAccessToken does), with its expiry. Convert it only where a tool needs the text.</summary>
public sealed class ClaudeAccessToken
{
    public SecureString Token { get; init; } = new();
    /// <summary>Null when the issuer did not say (a static -AccessToken).</summary>
    public DateTimeOffset? ExpiresOn { get; init; }
    public string AuthKind { get; init; } = "";
    public string CredentialSource { get; init; } = "";
    public string ConnectionName { get; init; } = "";
    public string Type { get; init; } = "Bearer";

    public override string ToString() => ExpiresOn is { } e ? $"{AuthKind} token of '{ConnectionName}' (expires {e:u})" : $"{AuthKind} token of '{ConnectionName}'";
}
