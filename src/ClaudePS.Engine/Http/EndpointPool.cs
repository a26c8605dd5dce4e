using System;
using System.Collections.Generic;
using System.Threading;
using ClaudePS.Engine.Resilience;

namespace ClaudePS.Engine.Http;

/// <summary>
/// The connection's endpoints in order of preference. An endpoint whose attempt failed in a way that
/// says the endpoint is unwell (no connection, 5xx, 529, timeouts) is avoided for the failback
/// interval; after it, one real request probes it, and if that succeeds traffic fails back to it.
/// Each endpoint also has a circuit breaker that opens when most recent attempts there failed.
/// </summary>
internal sealed class EndpointPool
{
    private readonly EndpointState[] _all;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _failback;

    public EndpointPool(IReadOnlyList<Uri> endpoints, ResilienceSettings settings)
    {
        _clock = settings.Clock;
        _failback = settings.FailbackInterval;
        _all = new EndpointState[endpoints.Count];
        for (int i = 0; i < endpoints.Count; i++) _all[i] = new EndpointState(i, endpoints[i], settings);
    }

    public IReadOnlyList<EndpointState> All => _all;

    /// <summary>The endpoint for the next attempt: the first healthy one in order; a failed one whose
    /// interval has passed is probed by this request (one prober at a time); when none is healthy, the
    /// one that failed longest ago.</summary>
    public (EndpointState endpoint, bool probe) Choose()
    {
        long now = 0; // read only when an endpoint is down: the usual call needs no clock
        EndpointState? fallback = null;
        foreach (var e in _all)
        {
            if (e.Breaker.IsOpen) continue;
            long down = Interlocked.Read(ref e.DownUntil);
            if (down == 0) return (e, false);
            if (now == 0) now = _clock.GetUtcNow().UtcTicks;
            if (now >= down && Interlocked.CompareExchange(ref e.Probing, 1, 0) == 0) return (e, true);
            if (fallback is null || down < Interlocked.Read(ref fallback.DownUntil)) fallback = e;
        }
        return (fallback ?? _all[0], false);
    }

    /// <summary>Whether an endpoint other than <paramref name="index"/> can take the next attempt at once.</summary>
    public bool HasHealthyOtherThan(int index)
    {
        long now = _clock.GetUtcNow().UtcTicks;
        foreach (var e in _all)
        {
            if (e.Index == index || e.Breaker.IsOpen) continue;
            long down = Interlocked.Read(ref e.DownUntil);
            if (down == 0 || (now >= down && Volatile.Read(ref e.Probing) == 0)) return true;
        }
        return false;
    }

    /// <summary>A probe that did not go out (its breaker refused it): another request may probe.</summary>
    public void EndProbe(EndpointState endpoint) => Volatile.Write(ref endpoint.Probing, 0);

    /// <summary>Records how an attempt at <paramref name="endpoint"/> ended (null failure: it answered).</summary>
    public void Report(EndpointState endpoint, AttemptFailure? failure)
    {
        if (failure is { MovesEndpoint: true })
            Interlocked.Exchange(ref endpoint.DownUntil, (_clock.GetUtcNow() + _failback).UtcTicks);
        else if (failure is null || failure.Kind == FailureKind.Status || failure.Kind == FailureKind.Stream)
            Interlocked.Exchange(ref endpoint.DownUntil, 0);
        Volatile.Write(ref endpoint.Probing, 0);
    }
}

/// <summary>One endpoint's health: failback state and its circuit breaker.</summary>
internal sealed class EndpointState
{
    /// <summary>UTC ticks until which the endpoint is avoided; 0 when healthy.</summary>
    public long DownUntil;
    /// <summary>1 while one request probes the endpoint after its interval.</summary>
    public int Probing;

    public EndpointState(int index, Uri uri, ResilienceSettings settings)
    {
        Index = index;
        Uri = uri;
        Shown = ClaudeClient.Shown(uri);
        Breaker = new EndpointBreaker(settings);
    }

    public int Index { get; }
    public Uri Uri { get; }
    /// <summary>The base URI as shown to users (no query, no trailing slash).</summary>
    public string Shown { get; }
    public EndpointBreaker Breaker { get; }
}

/// <summary>
/// A circuit breaker for one endpoint: it opens when, over the sampling window, at least the minimum
/// number of attempts ended and the failure ratio of them failed in a way that blames the endpoint;
/// it then refuses attempts for the break duration, lets one trial attempt through, and closes on its
/// success or opens again on its failure. Written here rather than taken from Polly because it sits on
/// every attempt: a lock and two counters cost far less than a second resilience pipeline per request
/// (measured in bench/ client-breakdown).
/// </summary>
internal sealed class EndpointBreaker
{
    private const int Buckets = 10;
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly long _bucketTicks;
    private readonly TimeSpan _breakDuration;
    private readonly int[] _failures = new int[Buckets];
    private readonly int[] _attempts = new int[Buckets];
    private long _currentBucket;
    private long _openUntil;          // timestamp; meaningful while _state is Open
    private volatile int _state;      // 0 closed, 1 open, 2 half-open (a trial is out)

    public EndpointBreaker(ResilienceSettings settings)
    {
        _clock = settings.Clock;
        _failureRatio = settings.BreakerFailureRatio;
        _minimumThroughput = settings.BreakerMinimumThroughput;
        _breakDuration = settings.BreakerBreakDuration;
        _bucketTicks = Math.Max(1, (long)(settings.BreakerSamplingDuration.TotalSeconds * _clock.TimestampFrequency / Buckets));
    }

    /// <summary>Open or half-open: attempts are refused until the trial succeeds.</summary>
    public bool IsOpen
    {
        get
        {
            if (_state == 0) return false;
            lock (_gate) return _state == 2 || (_state == 1 && _clock.GetTimestamp() < _openUntil);
        }
    }

    /// <summary>Whether an attempt may go; when not, how long the break still lasts.</summary>
    public bool TryEnter(out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_state == 0) return true;
        lock (_gate)
        {
            if (_state == 0) return true;
            long now = _clock.GetTimestamp();
            if (_state == 1 && now >= _openUntil)
            {
                _state = 2; // this attempt is the trial
                return true;
            }
            retryAfter = _state == 1 ? _clock.GetElapsedTime(now, _openUntil) : _breakDuration;
            return false;
        }
    }

    /// <summary>Records how an attempt that <see cref="TryEnter"/> let through ended: failed (in a way
    /// that blames the endpoint) or not; null when it gave no verdict (cancelled by the caller).</summary>
    public void Record(bool? failed)
    {
        // Nearly every attempt is a success while the breaker is closed: count it without the lock, which
        // every concurrent caller would otherwise queue on. A count racing a window move is off by one at most.
        if (failed == false && _state == 0)
        {
            long bucket = _clock.GetTimestamp() / _bucketTicks;
            if (bucket == Interlocked.Read(ref _currentBucket))
            {
                Interlocked.Increment(ref _attempts[bucket % Buckets]);
                return;
            }
        }
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            if (_state == 2)
            {
                if (failed == false) Close();
                else if (failed == true) Open(now);
                else
                {
                    // A trial without a verdict: the next attempt becomes the trial.
                    _openUntil = now;
                    _state = 1;
                }
                return;
            }
            if (failed is null) return;
            if (_state != 0) return;
            Advance(now);
            int slot = (int)(_currentBucket % Buckets);
            _attempts[slot]++;
            if (failed == false) return;
            _failures[slot]++;
            int attempts = 0, failures = 0;
            for (int i = 0; i < Buckets; i++) { attempts += _attempts[i]; failures += _failures[i]; }
            if (attempts >= _minimumThroughput && failures >= _failureRatio * attempts) Open(now);
        }
    }

    private void Open(long now)
    {
        _openUntil = now + (long)(_breakDuration.TotalSeconds * _clock.TimestampFrequency);
        _state = 1;
    }

    private void Close()
    {
        Array.Clear(_attempts, 0, Buckets);
        Array.Clear(_failures, 0, Buckets);
        _state = 0;
    }

    /// <summary>Moves the window to the bucket of <paramref name="now"/>, emptying the buckets it passes.</summary>
    private void Advance(long now)
    {
        long bucket = now / _bucketTicks;
        if (bucket == _currentBucket) return;
        long steps = Math.Min(Buckets, bucket - _currentBucket);
        for (long i = 1; i <= steps; i++)
        {
            int slot = (int)((_currentBucket + i) % Buckets);
            _attempts[slot] = 0;
            _failures[slot] = 0;
        }
        Interlocked.Exchange(ref _currentBucket, bucket); // read without the lock by Record
    }
}
