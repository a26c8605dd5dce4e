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
/// Each endpoint also has a circuit breaker (Polly's) that opens when most recent attempts there
/// failed; endpoint choice skips an endpoint while its breaker is open.
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
/// One endpoint's circuit breaker: Polly's circuit-breaker strategy in a pipeline of its own, which each
/// attempt at the endpoint runs through (ClaudeTransport's EndpointStep). It opens when, over the
/// sampling window, at least the minimum throughput of attempts ended and the failure ratio of them
/// failed in a way that blames the endpoint; refuses for the break duration; then lets one trial
/// through, whose success closes it and whose failure (or cancellation) opens it again. Its state tells
/// endpoint choice to skip the endpoint meanwhile.
/// </summary>
internal sealed class EndpointBreaker
{
    private readonly TimeProvider _clock;
    private readonly CircuitBreakerStateProvider _state = new();
    /// <summary>UTC ticks at which the current break ends; 0 while closed, so the usual check reads no lock.</summary>
    private long _openUntil;

    public EndpointBreaker(ResilienceSettings settings)
    {
        _clock = settings.Clock;
        BreakDuration = settings.BreakerBreakDuration;
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = settings.Clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakerBreakDuration,
                StateProvider = _state,
                ShouldHandle = args => new ValueTask<bool>(Blames(args.Outcome.Exception)),
                OnOpened = args =>
                {
                    Volatile.Write(ref _openUntil, (_clock.GetUtcNow() + args.BreakDuration).UtcTicks);
                    return default;
                },
                OnClosed = _ =>
                {
                    Volatile.Write(ref _openUntil, 0);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>The pipeline an attempt at this endpoint runs through.</summary>
    public ResiliencePipeline Pipeline { get; }
    public TimeSpan BreakDuration { get; }

    /// <summary>Attempts are refused: open with break time left, or half-open with its trial out.</summary>
    public bool IsOpen => Volatile.Read(ref _openUntil) != 0 && _state.CircuitState switch
    {
        CircuitState.HalfOpen => true,
        // Past the break Polly stays Open until the next attempt, which becomes the trial.
        CircuitState.Open => _clock.GetUtcNow().UtcTicks < Volatile.Read(ref _openUntil),
        _ => false,
    };

    /// <summary>Whether an attempt's end counts as a failure of the endpoint. A cancelled trial does
    /// (Polly would count it a success and close the circuit on no evidence); other cancellations do not.</summary>
    private bool Blames(Exception? exception) => exception switch
    {
        AttemptFailure f => f.MovesEndpoint,
        OperationCanceledException => _state.CircuitState == CircuitState.HalfOpen,
        _ => false,
    };
}
