using System;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Auth;

/// <summary>An access token and when it stops working. <see cref="ToString"/> never shows the value.</summary>
public sealed class AccessToken
{
    public AccessToken(string value, DateTimeOffset obtainedOn, DateTimeOffset expiresOn)
    {
        Value = value;
        ObtainedOn = obtainedOn;
        ExpiresOn = expiresOn;
    }

    public string Value { get; }
    /// <summary>When this client received it (local clock).</summary>
    public DateTimeOffset ObtainedOn { get; }
    /// <summary>When it expires, on the local clock (the server's expiry converted through the lifetime).</summary>
    public DateTimeOffset ExpiresOn { get; }
    public TimeSpan Lifetime => ExpiresOn - ObtainedOn;
    public override string ToString() => $"access token (expires {ExpiresOn:u})";
}

/// <summary>
/// Something that obtains a fresh access token from an issuer (a token endpoint, the instance metadata
/// service). It does not cache: <see cref="TokenCredential"/> decides when to call it.
/// </summary>
public interface ITokenSource
{
    /// <summary>OAuthClientCredentials, ManagedIdentity, ServiceAccount, WorkloadIdentity, ...</summary>
    string AuthKind { get; }
    /// <summary>Where the credential came from, for display; never a secret.</summary>
    string Source { get; }
    /// <summary>Identifies the identity (issuer, client, scope, a digest of the secret) for the process-wide
    /// cache: two connections with the same key share one token.</summary>
    string CacheKey { get; }
    /// <summary>Requests a new token. Failures are <see cref="ClaudeException"/> with a message that says what to fix.</summary>
    Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// When a cached token is renewed: ahead of expiry, so requests never carry a token about to lapse.
/// By default when 80 % of its lifetime has passed or less than 5 minutes remain, whichever comes
/// first; the 5-minute rule is ignored where it would fall before half the lifetime (a 4-minute token
/// would otherwise be renewed at once, forever).
/// </summary>
public sealed class TokenRefreshPolicy
{
    public static TokenRefreshPolicy Default { get; } = new();

    /// <summary>Renew once this fraction of the lifetime has passed (0.5 to 1).</summary>
    public double LifetimeFraction { get; init; } = 0.8;
    /// <summary>Renew once less than this remains.</summary>
    public TimeSpan MinimumRemaining { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>A token this close to expiry is not used at all: callers wait for the new one (network
    /// time to the server must not make it lapse in flight).</summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The moment from which <paramref name="token"/> should be renewed in the background.</summary>
    public DateTimeOffset RefreshAt(AccessToken token)
    {
        var lifetime = token.Lifetime;
        if (lifetime <= TimeSpan.Zero) return token.ObtainedOn;
        double fraction = Math.Min(1.0, Math.Max(0.5, LifetimeFraction));
        var byFraction = token.ObtainedOn + TimeSpan.FromTicks((long)(lifetime.Ticks * fraction));
        var byRemaining = token.ExpiresOn - MinimumRemaining;
        var floor = token.ObtainedOn + TimeSpan.FromTicks(lifetime.Ticks / 2);
        // "Less than 5 minutes left" is true from the start for short tokens: then the fraction alone decides.
        return byRemaining < byFraction && byRemaining >= floor ? byRemaining : byFraction;
    }

    /// <summary>The moment from which <paramref name="token"/> must not be sent any more.</summary>
    public DateTimeOffset UnusableAt(AccessToken token)
    {
        var margin = ExpiryMargin.Ticks < token.Lifetime.Ticks / 10 ? ExpiryMargin : TimeSpan.FromTicks(token.Lifetime.Ticks / 10);
        return token.ExpiresOn - margin;
    }
}
