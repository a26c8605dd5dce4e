using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Resilience;
using Polly;
using Polly.CircuitBreaker;

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
        long now = _clock.GetUtcNow().UtcTicks;
        EndpointState? fallback = null;
        foreach (var e in _all)
        {
            if (e.BreakerOpen) continue;
            long down = Interlocked.Read(ref e.DownUntil);
            if (down == 0) return (e, false);
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
            if (e.Index == index || e.BreakerOpen) continue;
            long down = Interlocked.Read(ref e.DownUntil);
            if (down == 0 || (now >= down && Volatile.Read(ref e.Probing) == 0)) return true;
        }
        return false;
    }

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
    private readonly CircuitBreakerStateProvider _breakerState = new();

    public EndpointState(int index, Uri uri, ResilienceSettings settings)
    {
        Index = index;
        Uri = uri;
        Shown = ClaudeClient.Shown(uri);
        Breaker = new ResiliencePipelineBuilder { TimeProvider = settings.Clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakerBreakDuration,
                StateProvider = _breakerState,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is AttemptFailure { MovesEndpoint: true }),
            })
            .Build();
    }

    public int Index { get; }
    public Uri Uri { get; }
    /// <summary>The base URI as shown to users (no query, no trailing slash).</summary>
    public string Shown { get; }
    public ResiliencePipeline Breaker { get; }
    public CircuitState BreakerState => _breakerState.CircuitState;
    public bool BreakerOpen => _breakerState.CircuitState is CircuitState.Open or CircuitState.Isolated;
}
