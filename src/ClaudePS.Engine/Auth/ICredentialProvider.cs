using System;
using System.Collections.Generic;
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
/// transport calls <see cref="GetHeaderAsync"/> with <c>forceRefresh</c> once after a 401. What differs
/// between kinds of credential is decided here, by each kind, not by type checks at the call sites.
/// </summary>
public interface ICredentialProvider
{
    /// <summary>ApiKey, Bearer, OAuthClientCredentials, ... (shown by Get-ClaudeConnection).</summary>
    string AuthKind { get; }
    /// <summary>Where the credential came from (parameter, variable name), never its value.</summary>
    string Source { get; }
    /// <summary>Whether a forced refresh can produce a different credential (worth a retry after 401).</summary>
    bool CanRefresh { get; }
    /// <summary>The clock the credential's signed assertions use, which the connection corrects from
    /// Date headers; null when it signs nothing.</summary>
    ServerClock? ServerClock { get; }

    ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>After a 401: a fresh header, unless the credential already moved past <paramref name="rejected"/>
    /// (another caller's refresh), in which case the current one. N callers rejected together cause one refresh.</summary>
    ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken);

    /// <summary>Proves the credential now (Connect-Claude): a token-based one gets its first token, so a
    /// wrong secret or an unreadable key fails at connect time rather than at the first prompt.</summary>
    ValueTask ValidateAsync(CancellationToken cancellationToken);

    /// <summary>The bearer token it sends, for Get-ClaudeAccessToken; null when it sends none (an API key).</summary>
    ValueTask<BearerToken?> GetBearerTokenAsync(bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>Messages for verbose output that its work produced (clock skew, cache problems), each once.</summary>
    IReadOnlyList<string> DrainNotices();

    /// <summary>Forgets cached tokens of this identity (Disconnect-Claude); the next use requests new ones.</summary>
    void Forget();
}

/// <summary>A bearer token as Get-ClaudeAccessToken shows it. <see cref="ToString"/> never shows the value.</summary>
public readonly struct BearerToken
{
    public BearerToken(string value, DateTimeOffset? expiresOn)
    {
        Value = value;
        ExpiresOn = expiresOn;
    }

    public string Value { get; }
    /// <summary>Null when the issuer did not say (a static -AccessToken).</summary>
    public DateTimeOffset? ExpiresOn { get; }
    public override string ToString() => "bearer token ***";
}

/// <summary>A credential that is one fixed header: nothing to refresh, prove, cache or forget.</summary>
public abstract class StaticCredential : ICredentialProvider
{
    protected StaticCredential(AuthHeader header, string authKind, string source)
    {
        Header = header;
        AuthKind = authKind;
        Source = source;
    }

    public string AuthKind { get; }
    public string Source { get; }
    public bool CanRefresh => false;
    public ServerClock? ServerClock => null;
    /// <summary>The header, which never changes (the transport sends it as a connection default).</summary>
    internal AuthHeader Header { get; }

    public ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken) => new(Header);
    public ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken) => new(Header);
    public ValueTask ValidateAsync(CancellationToken cancellationToken) => default;
    public virtual ValueTask<BearerToken?> GetBearerTokenAsync(bool forceRefresh, CancellationToken cancellationToken) => new((BearerToken?)null);
    public IReadOnlyList<string> DrainNotices() => Array.Empty<string>();
    public void Forget()
    {
    }

    public override string ToString() => $"{AuthKind} ({Source})";
}

/// <summary>A fixed API key sent as <c>x-api-key</c>.</summary>
public sealed class ApiKeyCredential : StaticCredential
{
    public ApiKeyCredential(string apiKey, string source = "parameter")
        : base(new AuthHeader("x-api-key", RequireSecret(apiKey, "API key", "-ApiKey or ANTHROPIC_API_KEY")), "ApiKey", source)
    {
    }

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
public sealed class BearerTokenCredential : StaticCredential
{
    private const string Scheme = "Bearer ";

    public BearerTokenCredential(string token, string source = "parameter")
        : base(new AuthHeader("Authorization", Scheme + ApiKeyCredential.RequireSecret(token, "bearer token", "-AccessToken or ANTHROPIC_AUTH_TOKEN")), "Bearer", source)
    {
    }

    public override ValueTask<BearerToken?> GetBearerTokenAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        new(new BearerToken(Header.Value.Substring(Scheme.Length), null));
}
