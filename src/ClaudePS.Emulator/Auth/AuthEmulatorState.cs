using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ClaudePS.Emulator.Auth;

/// <summary>
/// The emulator's identity provider: registered clients, issued tokens with their expiry, revocation,
/// a token lifetime tests can shorten and a clock they can move. Tests reach it as
/// <c>server.State.Auth</c>; everything is thread-safe.
/// </summary>
public sealed class AuthEmulatorState
{
    public const string TokenPrefix = "emu-at-";
    public const string AnthropicTokenPrefix = "sk-ant-oat01-emu-";

    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AsymmetricAlgorithm> _clientKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RSA> _serviceAccounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Federation> _federations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _usedAssertionIds = new(StringComparer.Ordinal);
    private int _issued;
    private int _requests;
    private int _rejected;
    private long _offsetTicks;
    private readonly Func<DateTimeOffset> _clock;

    /// <param name="clock">The emulator's clock (EmulatorOptions.Clock); <see cref="ClockOffset"/> is added to it.</param>
    public AuthEmulatorState(Func<DateTimeOffset>? clock = null) => _clock = clock ?? (() => DateTimeOffset.UtcNow);

    /// <summary>Lifetime of every token issued from now on (seconds).</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;
    /// <summary>Added to the real clock: tests move the emulator's time (expiry, iat checks, Date headers).</summary>
    public TimeSpan ClockOffset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }
    public DateTimeOffset Now => _clock() + ClockOffset;
    /// <summary>How far an assertion's iat/nbf may lie in the future.</summary>
    public TimeSpan AllowedSkew { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Managed identity: the secret the App Service style endpoint expects in X-IDENTITY-HEADER (null: IMDS style only).</summary>
    public string? IdentityHeaderSecret { get; set; }
    /// <summary>Managed identity: user-assigned client ids that exist (the system-assigned one always does).</summary>
    public ConcurrentDictionary<string, byte> ManagedIdentityClientIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Tokens issued (successful token requests).</summary>
    public int IssuedTokens => Volatile.Read(ref _issued);
    /// <summary>Token requests, successful or not.</summary>
    public int TokenRequests => Volatile.Read(ref _requests);
    /// <summary>API requests refused with 401 because their bearer token was expired, revoked or unknown.</summary>
    public int RejectedBearerRequests => Volatile.Read(ref _rejected);

    public void RegisterClientSecret(string clientId, string secret) => _secrets[clientId] = secret;
    /// <summary>A client that authenticates with assertions signed by this key (RSA or ECDsa public key).</summary>
    public void RegisterClientKey(string clientId, AsymmetricAlgorithm publicKey) => _clientKeys[clientId] = publicKey;
    public void RegisterServiceAccount(string clientEmail, RSA publicKey) => _serviceAccounts[clientEmail] = publicKey;
    /// <summary>A federation rule: identity tokens from <paramref name="issuer"/> signed by <paramref name="issuerKey"/>.</summary>
    public void RegisterFederation(string ruleId, string organizationId, string issuer, RSA issuerKey) =>
        _federations[ruleId] = new Federation(organizationId, issuer, issuerKey);

    /// <summary>Revokes one issued token: API calls with it get 401 from now on.</summary>
    public bool Revoke(string token) => _tokens.TryGetValue(token, out var t) && (t.Revoked = true);
    /// <summary>Revokes every token issued so far.</summary>
    public void RevokeAll()
    {
        foreach (var t in _tokens.Values) t.Revoked = true;
    }
    /// <summary>The most recently issued token that is neither expired nor revoked.</summary>
    public string? LatestValidToken() =>
        _tokens.Where(p => !p.Value.Revoked && p.Value.ExpiresOn > Now).OrderByDescending(p => p.Value.Sequence).Select(p => p.Key).FirstOrDefault();

    public IssuedTokenStatus Check(string token)
    {
        if (!_tokens.TryGetValue(token, out var t))
            return token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.StartsWith(AnthropicTokenPrefix, StringComparison.Ordinal) ? IssuedTokenStatus.Unknown : IssuedTokenStatus.NotOurs;
        if (t.Revoked) return IssuedTokenStatus.Revoked;
        return t.ExpiresOn <= Now ? IssuedTokenStatus.Expired : IssuedTokenStatus.Valid;
    }

    /// <summary>The principal an issued token stands for (accounting keys on it, never on the token).</summary>
    internal string? SubjectOf(string token) => _tokens.TryGetValue(token, out var t) ? t.Subject : null;

    internal void CountRequest() => Interlocked.Increment(ref _requests);
    internal void CountRejected() => Interlocked.Increment(ref _rejected);
    internal string? SecretOf(string clientId) => _secrets.TryGetValue(clientId, out var s) ? s : null;
    internal AsymmetricAlgorithm? KeyOf(string clientId) => _clientKeys.TryGetValue(clientId, out var k) ? k : null;
    internal RSA? ServiceAccountKey(string email) => _serviceAccounts.TryGetValue(email, out var k) ? k : null;
    internal Federation? FederationOf(string ruleId) => _federations.TryGetValue(ruleId, out var f) ? f : null;
    /// <summary>False when this assertion id was seen before (a replayed assertion).</summary>
    internal bool UseAssertionId(string jti) => _usedAssertionIds.TryAdd(jti, 0);

    internal (string Token, int Lifetime) Issue(string subject, string prefix = TokenPrefix)
    {
        int lifetime = Math.Max(1, TokenLifetimeSeconds);
        var token = prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        int sequence = Interlocked.Increment(ref _issued);
        _tokens[token] = new IssuedToken(subject, Now.AddSeconds(lifetime), sequence);
        return (token, lifetime);
    }

    internal sealed record Federation(string OrganizationId, string Issuer, RSA IssuerKey);

    private sealed class IssuedToken(string subject, DateTimeOffset expiresOn, int sequence)
    {
        public string Subject { get; } = subject;
        public DateTimeOffset ExpiresOn { get; } = expiresOn;
        public int Sequence { get; } = sequence;
        public volatile bool Revoked;
    }
}

public enum IssuedTokenStatus
{
    /// <summary>Not issued by this emulator's token endpoints: the API's own rules apply.</summary>
    NotOurs,
    Valid,
    Expired,
    Revoked,
    /// <summary>Shaped like ours but never issued.</summary>
    Unknown,
}
