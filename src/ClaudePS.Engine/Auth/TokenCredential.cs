using System;
using System.IO;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Auth;

/// <summary>Knobs of a token-based credential; the defaults suit every real issuer.</summary>
public sealed class TokenCredentialOptions
{
    public TokenRefreshPolicy RefreshPolicy { get; init; } = TokenRefreshPolicy.Default;
    /// <summary>The in-memory cache, shared by the credentials of one <see cref="Connections.ClaudeServices"/>;
    /// a cache of its own when not given.</summary>
    public TokenCache Cache { get; init; } = new();
    /// <summary>Also keep tokens on disk for this user (Connect-Claude -Scope CurrentUser); null keeps them in memory only.</summary>
    public PersistentTokenStore? PersistentStore { get; init; }
    /// <summary>The local clock (tests replace it).</summary>
    public Func<DateTimeOffset>? Clock { get; init; }
    /// <summary>The server clock the source's assertions use; the connection shares it, so Date headers of
    /// API replies correct assertions too.</summary>
    public ServerClock? ServerClock { get; init; }
}

/// <summary>
/// A bearer credential whose token comes from an <see cref="ITokenSource"/> and is cached, refreshed
/// ahead of expiry, single-flight, and renewed once on demand after a 401.
/// </summary>
public sealed class TokenCredential : ICredentialProvider
{
    private readonly ITokenSource _source;
    private readonly TokenCredentialOptions _options;
    private readonly Func<DateTimeOffset> _clock;
    private readonly TokenCacheEntry _entry;
    private readonly AuthNotices _notices;
    private int _loadedFromDisk;

    public TokenCredential(ITokenSource source, TokenCredentialOptions? options = null, AuthNotices? notices = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = options ?? new TokenCredentialOptions();
        _clock = _options.Clock ?? (() => DateTimeOffset.UtcNow);
        _entry = _options.Cache.Entry(CacheKey);
        _notices = notices ?? new AuthNotices();
        ServerClock = _options.ServerClock ?? new ServerClock(_options.Clock);
    }

    /// <summary>The clock signed assertions use (ClaudeConnection.ServerClock is this one).</summary>
    public ServerClock ServerClock { get; }

    /// <summary>Forgets this identity's token in the shared cache and the persistent cache.</summary>
    public void Forget()
    {
        _options.Cache.Remove(CacheKey);
        if (_options.PersistentStore is { } store && File.Exists(store.PathFor(CacheKey))) File.Delete(store.PathFor(CacheKey));
    }

    /// <summary>The identity's key in the process and persistent caches.</summary>
    private string CacheKey => _source.AuthKind + "|" + _source.CacheKey;

    public string AuthKind => _source.AuthKind;
    public string Source => _source.Source;
    public bool CanRefresh => true;
    public IReadOnlyList<string> DrainNotices() => _notices.Drain();
    /// <summary>How many token requests this identity's cache entry has made (diagnostics, tests).</summary>
    public int TokenRequests => _entry.Requests;

    public async ValueTask<AuthHeader> GetHeaderAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(forceRefresh, cancellationToken).ConfigureAwait(false);
        return new AuthHeader("Authorization", "Bearer " + token.Value);
    }

    public async ValueTask<AuthHeader> RefreshAfterRejectionAsync(AuthHeader rejected, CancellationToken cancellationToken)
    {
        string? rejectedToken = rejected.Value.StartsWith("Bearer ", StringComparison.Ordinal) ? rejected.Value.Substring(7) : null;
        var token = await _entry.GetAsync(_source.RequestTokenAsync, _options.RefreshPolicy, _clock(), forceRefresh: true, SaveToDisk, cancellationToken, rejectedToken).ConfigureAwait(false);
        return new AuthHeader("Authorization", "Bearer " + token.Value);
    }

    public async ValueTask ValidateAsync(CancellationToken cancellationToken) =>
        await GetTokenAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);

    public async ValueTask<BearerToken?> GetBearerTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(forceRefresh, cancellationToken).ConfigureAwait(false);
        return new BearerToken(token.Value, token.ExpiresOn);
    }

    /// <summary>The current token, refreshed as the policy says.</summary>
    public ValueTask<AccessToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (!forceRefresh && _entry.Current is null) LoadFromDisk();
        return _entry.GetAsync(_source.RequestTokenAsync, _options.RefreshPolicy, _clock(), forceRefresh, SaveToDisk, cancellationToken);
    }

    private void LoadFromDisk()
    {
        if (_options.PersistentStore is not { } store || Interlocked.Exchange(ref _loadedFromDisk, 1) != 0) return;
        try
        {
            if (store.TryLoad(CacheKey) is { } token && _clock() < _options.RefreshPolicy.RefreshAt(token))
                _entry.Seed(token);
        }
        catch (Exception ex) when (ex is not ClaudeException)
        {
            _notices.Add($"The persistent token cache could not be read ({ex.GetType().Name}); a new token is requested.");
        }
        catch (ClaudeException ex)
        {
            _notices.Add(ex.Message);
        }
    }

    private void SaveToDisk(AccessToken token)
    {
        if (_options.PersistentStore is not { } store) return;
        try
        {
            store.Save(CacheKey, token);
        }
        catch (Exception ex)
        {
            _notices.Add($"The token was not saved to the persistent cache: {(ex is ClaudeException c ? c.Message : ex.GetType().Name)}.");
        }
    }

    public override string ToString() => $"{AuthKind} ({Source})";
}

/// <summary>Verbose-level messages from credential work that happens off the pipeline thread;
/// each distinct message is kept once.</summary>
public sealed class AuthNotices
{
    private readonly ConcurrentQueue<string> _pending = new();
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);

    public void Add(string message)
    {
        if (_seen.TryAdd(message, 0)) _pending.Enqueue(message);
    }

    /// <summary>Takes the messages not yet shown.</summary>
    public IReadOnlyList<string> Drain()
    {
        var list = new List<string>();
        while (_pending.TryDequeue(out var m)) list.Add(m);
        return list;
    }
}
