using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// Tokens by identity (<see cref="ITokenSource.CacheKey"/>). Connections share one through their
/// <see cref="Connections.ClaudeServices"/>, so two connections (or runspaces) with the same identity share
/// one token and one refresh.
/// </summary>
public sealed class TokenCache
{
    private readonly ConcurrentDictionary<string, TokenCacheEntry> _entries = new(StringComparer.Ordinal);

    internal TokenCacheEntry Entry(string key) => _entries.GetOrAdd(key, _ => new TokenCacheEntry());

    /// <summary>Forgets every token (Disconnect-Claude -All, tests).</summary>
    public void Clear() => _entries.Clear();

    /// <summary>Forgets the token of one identity.</summary>
    public bool Remove(string key) => _entries.TryRemove(key, out _);
}

/// <summary>
/// One identity's token and its refresh. All callers share <see cref="_inflight"/>, so N callers at
/// expiry cause one token request (single flight); while a refresh runs ahead of expiry, callers keep
/// the still-valid token.
/// </summary>
internal sealed class TokenCacheEntry
{
    /// <summary>A failed background refresh is not retried sooner than this (the token is still good).</summary>
    internal static readonly TimeSpan BackgroundRetryDelay = TimeSpan.FromSeconds(5);
    /// <summary>A forced refresh within this time of the previous forced one reuses its token: N requests
    /// that got 401 with the same revoked token cost one refresh, not N.</summary>
    internal static readonly TimeSpan ForcedRefreshWindow = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly Stopwatch _monotonic = Stopwatch.StartNew();
    private AccessToken? _current;
    private Task<AccessToken>? _inflight;
    private TimeSpan? _lastForcedAt;
    private TimeSpan? _lastFailedAt;
    private int _requests;

    public AccessToken? Current => Volatile.Read(ref _current);
    /// <summary>How many token requests this entry started.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Seed(AccessToken token)
    {
        lock (_gate) _current ??= token;
    }

    public async ValueTask<AccessToken> GetAsync(Func<CancellationToken, Task<AccessToken>> request, TokenRefreshPolicy policy, DateTimeOffset now,
        bool forceRefresh, Action<AccessToken>? onNew, CancellationToken cancellationToken, string? rejectedToken = null)
    {
        var current = Current;
        if (!forceRefresh && current is not null && now < policy.UnusableAt(current))
        {
            if (now >= policy.RefreshAt(current)) StartBackground(request, onNew, current);
            return current;
        }
        Task<AccessToken> task;
        lock (_gate)
        {
            current = _current;
            // A refresh that finished since this caller looked has already replaced the unusable token.
            if (!forceRefresh && current is not null && now < policy.UnusableAt(current))
                return current;
            // The caller names the token the server rejected: if it is no longer current, someone else's
            // refresh already replaced it, whatever the timing.
            if (forceRefresh && rejectedToken is not null && current is not null && _inflight is null &&
                !string.Equals(current.Value, rejectedToken, StringComparison.Ordinal))
                return current;
            if (forceRefresh && rejectedToken is null && current is not null && _inflight is null && _monotonic.Elapsed - _lastForcedAt < ForcedRefreshWindow)
                return current; // another caller's forced refresh just replaced the token this one saw fail
            if (forceRefresh && _inflight is null) _lastForcedAt = _monotonic.Elapsed;
            task = _inflight ??= RunAsync(request, onNew);
        }
        return await WithCancellation(task, cancellationToken).ConfigureAwait(false);
    }

    private void StartBackground(Func<CancellationToken, Task<AccessToken>> request, Action<AccessToken>? onNew, AccessToken due)
    {
        Task<AccessToken> started;
        lock (_gate)
        {
            // The caller read the token before taking the lock: if a refresh has replaced it since, this
            // one is not due any more.
            if (_inflight is not null || !ReferenceEquals(_current, due)) return;
            if (_monotonic.Elapsed - _lastFailedAt < BackgroundRetryDelay) return;
            started = _inflight = RunAsync(request, onNew);
        }
        // A background failure is not the caller's: it still has a valid token. Observe it so it is not
        // reported as unobserved; the next caller past the retry delay tries again.
        started.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    private async Task<AccessToken> RunAsync(Func<CancellationToken, Task<AccessToken>> request, Action<AccessToken>? onNew)
    {
        Interlocked.Increment(ref _requests); // counted at once, so Requests covers a refresh not yet running
        await Task.Yield(); // never run the request under the caller's lock
        try
        {
            // The request is shared by every waiting caller, so no single caller's token cancels it;
            // the source's HTTP timeout bounds it.
            var token = await request(CancellationToken.None).ConfigureAwait(false);
            lock (_gate) _current = token;
            onNew?.Invoke(token);
            return token;
        }
        catch
        {
            lock (_gate) _lastFailedAt = _monotonic.Elapsed;
            throw;
        }
        finally
        {
            lock (_gate) _inflight = null;
        }
    }

    private static async Task<T> WithCancellation<T>(Task<T> task, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || task.IsCompleted) return await task.ConfigureAwait(false);
        var canceled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => canceled.TrySetResult(true)))
        {
            if (await Task.WhenAny(task, canceled.Task).ConfigureAwait(false) != task)
                throw new OperationCanceledException(cancellationToken);
        }
        return await task.ConfigureAwait(false);
    }
}
