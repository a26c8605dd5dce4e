using System;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Auth;

/// <summary>An authentication header. <see cref="ToString"/> never shows the value.</summary>
public readonly struct AuthHeader
{
    public AuthHeader(string name, string value)
    {
        Name = name;
        Value = value;
    }

    /// <summary><c>x-api-key</c> or <c>Authorization</c>.</summary>
    public string Name { get; }
    public string Value { get; }
    public override string ToString() => Name + ": ***";
}

/// <summary>
/// Supplies the credential header for each request. Token-based providers cache and refresh; the
/// transport calls <see cref="GetHeaderAsync"/> with <c>forceRefresh</c> once after a 401.
/// </summary>
public interface ICredentialProvider
{
    /// <summary>ApiKey, Bearer, OAuthClientCredentials, ... (shown by Get-ClaudeConnection).</summary>
    string AuthKind { get; }
    /// <summary>Where the credential came from (parameter, variable name), never its value.</summary>
    string Source { get; }
    /// <summary>Whether a forced refresh can produce a different credential (worth a retry after 401).</summary>
    bool CanRefresh { get; }
    ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>After a 401: a fresh header, unless the credential already moved past <paramref name="rejected"/>
    /// (another caller's refresh), in which case the current one. N callers rejected together cause one refresh.</summary>
    ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken);
}

/// <summary>A fixed API key sent as <c>x-api-key</c>.</summary>
public sealed class ApiKeyCredential : ICredentialProvider
{
    private readonly AuthHeader _header;

    public ApiKeyCredential(string apiKey, string source = "parameter")
    {
        _header = new AuthHeader("x-api-key", RequireSecret(apiKey, "API key", "-ApiKey or ANTHROPIC_API_KEY"));
        Source = source;
    }

    public string AuthKind => "ApiKey";
    public string Source { get; }
    public bool CanRefresh => false;
    /// <summary>The header, which never changes (the transport sends it as a connection default).</summary>
    internal AuthHeader Header => _header;
    public ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken) => new(_header);
    public ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken) => new(_header);
    public override string ToString() => $"ApiKey ({Source})";

    internal static string RequireSecret(string? value, string what, string where)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ClaudeException(new ClaudeError("ClaudePS.EmptyCredential", ClaudeErrorCategory.InvalidArgument,
                $"The {what} is empty. Pass a non-empty value through {where}."));
        var trimmed = value!.Trim();
        foreach (char c in trimmed)
            if (char.IsControl(c) || c > 0x7e)
                throw new ClaudeException(new ClaudeError("ClaudePS.InvalidCredential", ClaudeErrorCategory.InvalidArgument,
                    $"The {what} contains characters that cannot be sent in an HTTP header (a stray newline or non-ASCII character?). Check {where}."));
        KnownSecrets.Register(trimmed);
        return trimmed;
    }
}

/// <summary>A fixed bearer token sent as <c>Authorization: Bearer</c> (ANTHROPIC_AUTH_TOKEN, gateways).</summary>
public sealed class BearerTokenCredential : ICredentialProvider
{
    private readonly AuthHeader _header;

    public BearerTokenCredential(string token, string source = "parameter")
    {
        _header = new AuthHeader("Authorization", "Bearer " + ApiKeyCredential.RequireSecret(token, "bearer token", "-AccessToken or ANTHROPIC_AUTH_TOKEN"));
        Source = source;
    }

    public string AuthKind => "Bearer";
    public string Source { get; }
    public bool CanRefresh => false;
    public ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken) => new(_header);
    public ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken) => new(_header);
    public override string ToString() => $"Bearer ({Source})";
}
