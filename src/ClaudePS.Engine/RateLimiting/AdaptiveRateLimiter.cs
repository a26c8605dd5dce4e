using System;
using System.Globalization;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Resilience;

namespace ClaudePS.Engine.RateLimiting;

/// <summary>What a Messages request will use, estimated before it is sent.</summary>
internal readonly struct RateLimitDemand
{
    public RateLimitDemand(int bodyBytes, int maxTokens, long? countedInput = null)
    {
        BodyBytes = bodyBytes;
        MaxTokens = maxTokens;
        CountedInput = countedInput;
    }

    public int BodyBytes { get; }
    public int MaxTokens { get; }
    /// <summary>Exact input tokens when the caller counted them.</summary>
    public long? CountedInput { get; }
}

/// <summary>
/// Client-side rate limiting for one connection: buckets for requests, input tokens and output tokens
/// sized from the server's anthropic-ratelimit-* headers (and the user's caps), re-synced from every
/// response; a concurrency limit; and a shared pause after a 429 so one rejection stops every sender
/// until the server's retry-after instead of each of them meeting its own 429.
/// </summary>
internal sealed class AdaptiveRateLimiter
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly bool _adaptive;
    private readonly SemaphoreSlim _slots;
    private readonly TokenBucket _requests;
    private readonly TokenBucket _input;
    private readonly TokenBucket _output;
    private long _pauseUntil;
    // Until the first response shows the server's limits, one request goes alone (the scout), so a
    // burst of callers cannot overrun a limit nobody knows yet.
    private int _scoutTaken;
    private readonly TaskCompletionSource<bool> _learned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Input estimate = body bytes / 4 × a ratio learned from actual usage; output = max_tokens until
    // enough replies give a running average.
    private double _inputRatio = 1.0;
    private double _outputAverage;
    private long _outputSamples;

    public AdaptiveRateLimiter(ResilienceSettings settings)
    {
        _clock = settings.Clock;
        _adaptive = settings.AdaptiveRateLimit;
        _slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        _requests = new TokenBucket("requests", settings.MaxRequestsPerMinute);
        _input = new TokenBucket("input tokens", settings.MaxInputTokensPerMinute);
        _output = new TokenBucket("output tokens", settings.MaxOutputTokensPerMinute);
        if (!_adaptive) _learned.TrySetResult(true);
    }

    internal TokenBucket Requests => _requests;
    internal TokenBucket InputTokens => _input;
    internal TokenBucket OutputTokens => _output;
    /// <summary>Replies whose output has been averaged before the estimate replaces max_tokens.</summary>
    internal const int OutputSamplesNeeded = 8;

    /// <summary>
    /// Waits for a concurrency slot and, for Messages calls (<paramref name="demand"/> not null), for the
    /// buckets to cover the request. <paramref name="onWait"/> hears about waits longer than a moment.
    /// </summary>
    public async ValueTask<RateLease> AcquireAsync(RateLimitDemand? demand, Action<TimeSpan, string>? onWait, CancellationToken ct)
    {
        bool scout = false;
        if (demand is not null && !_learned.Task.IsCompleted)
        {
            if (Interlocked.CompareExchange(ref _scoutTaken, 1, 0) == 0) scout = true;
            else await WaitAsync(_learned.Task, ct).ConfigureAwait(false);
        }

        var lease = new RateLease(this, scout);
        try
        {
            if (demand is { } d)
            {
                TimeSpan wait;
                string why;
                long now;
                lock (_gate)
                {
                    double input = d.CountedInput is { } counted ? counted : RawEstimate(d.BodyBytes) * _inputRatio;
                    double output = ExpectedOutput(d.MaxTokens);
                    now = _clock.GetTimestamp();
                    lease.Reserve(input, output);
                    // Only estimates teach the estimator; a counted figure is exact already.
                    lease.RawInputEstimate = d.CountedInput is null ? RawEstimate(d.BodyBytes) : 0;
                    var wr = _requests.Take(1, now, _clock);
                    var wi = _input.Take(input, now, _clock);
                    var wo = _output.Take(output, now, _clock);
                    wait = wr; why = "requests per minute";
                    if (wi > wait) { wait = wi; why = "input tokens per minute"; }
                    if (wo > wait) { wait = wo; why = "output tokens per minute"; }
                    var paused = PauseLeft(now);
                    if (paused > wait) { wait = paused; why = "a 429 pause"; }
                }
                // Sent right away: the clock just read serves as the send time (see MarkSent).
                if (wait <= TimeSpan.Zero) lease.SentAt = now;
                else
                {
                    if (wait >= TimeSpan.FromSeconds(1)) onWait?.Invoke(wait, why);
                    await _clock.DelayAsync(wait, ct).ConfigureAwait(false);
                    // A 429 seen by another sender while this one waited pauses it too.
                    while (true)
                    {
                        TimeSpan paused;
                        lock (_gate) paused = PauseLeft(_clock.GetTimestamp());
                        if (paused <= TimeSpan.Zero) break;
                        onWait?.Invoke(paused, "a 429 pause");
                        await _clock.DelayAsync(paused, ct).ConfigureAwait(false);
                    }
                }
            }
            await _slots.WaitAsync(ct).ConfigureAwait(false);
            lease.HoldsSlot = true;
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Every response: re-sync the buckets from its headers; a 429's wait pauses all senders.</summary>
    public void OnResponse(RateLease lease, HttpResponseHeaders headers, bool rateLimited, TimeSpan? serverWait)
    {
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            Sync(lease, headers, now);
            if (rateLimited)
            {
                // Without a retry-after, a short pause still keeps the other senders from piling on.
                var wait = serverWait ?? TimeSpan.FromSeconds(1);
                long until = now + (long)(wait.TotalSeconds * _clock.TimestampFrequency);
                if (until > _pauseUntil) _pauseUntil = until;
            }
        }
        _learned.TrySetResult(true);
    }

    /// <summary>Pauses every sender for <paramref name="wait"/> (used for 429s and by tests).</summary>
    public void Pause(TimeSpan wait)
    {
        lock (_gate)
        {
            long until = _clock.GetTimestamp() + (long)(wait.TotalSeconds * _clock.TimestampFrequency);
            if (until > _pauseUntil) _pauseUntil = until;
        }
    }

    /// <summary>Stamps the send time, unless the lease was taken with no wait a moment ago (AcquireAsync
    /// stamped it then): the server refills the buckets from there on (OnResponse).</summary>
    internal void MarkSent(RateLease lease)
    {
        if (lease.SentAt == 0) lease.SentAt = _clock.GetTimestamp();
    }

    /// <summary>Corrects the reservation with the usage the server reported, and learns from it. With
    /// <paramref name="headers"/> (a whole reply, read at once) it also does what <see cref="OnResponse"/>
    /// does for a success, in the same pass through the lock.</summary>
    internal void Settle(RateLease lease, ClaudeUsage usage, HttpResponseHeaders? headers)
    {
        // Cache reads do not count toward the input limit for current models.
        double actualIn = usage.InputTokens + usage.CacheWriteTokens;
        double actualOut = usage.OutputTokens;
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            if (headers is not null) Sync(lease, headers, now);
            _input.Give(lease.ReservedInput - actualIn, now, _clock);
            _output.Give(lease.ReservedOutput - actualOut, now, _clock);
            if (lease.RawInputEstimate > 0 && actualIn > 0)
                _inputRatio = 0.8 * _inputRatio + 0.2 * (actualIn / lease.RawInputEstimate);
            _outputSamples++;
            _outputAverage += (actualOut - _outputAverage) / Math.Min(_outputSamples, 50);
        }
        if (headers is not null) _learned.TrySetResult(true);
    }

    /// <summary>Re-syncs the buckets from a reply's rate-limit headers; call under the lock.</summary>
    private void Sync(RateLease lease, HttpResponseHeaders headers, long now)
    {
        if (!_adaptive) return;
        var sinceSent = lease.SentAt == 0 ? TimeSpan.Zero : _clock.GetElapsedTime(lease.SentAt, now);
        Span<long> values = stackalloc long[LimitHeaders.Length];
        ReadLimitHeaders(headers, values);
        SyncBucket(_requests, values[0], values[1], sinceSent, now);
        SyncBucket(_input, values[2], values[3], sinceSent, now);
        SyncBucket(_output, values[4], values[5], sinceSent, now);
    }

    /// <summary>A lease ended without usage: the tokens were not used (the request slot stays spent).</summary>
    internal void Release(RateLease lease, bool refund)
    {
        if (refund && (lease.ReservedInput > 0 || lease.ReservedOutput > 0))
            lock (_gate)
            {
                long now = _clock.GetTimestamp();
                _input.Give(lease.ReservedInput, now, _clock);
                _output.Give(lease.ReservedOutput, now, _clock);
            }
        if (lease.HoldsSlot) _slots.Release();
        // A scout that never got a response must not keep the others waiting.
        if (lease.IsScout) _learned.TrySetResult(true);
    }

    private static double RawEstimate(int bodyBytes) => Math.Max(1, bodyBytes / 4.0);

    /// <summary>Output tokens to reserve; call under the lock.</summary>
    private double ExpectedOutput(int maxTokens) =>
        _outputSamples < OutputSamplesNeeded ? maxTokens : Math.Min(maxTokens, Math.Ceiling(_outputAverage * 1.25) + 1);

    private TimeSpan PauseLeft(long now) =>
        _pauseUntil > now ? TimeSpan.FromSeconds((_pauseUntil - now) / (double)_clock.TimestampFrequency) : TimeSpan.Zero;

    /// <summary>The rate-limit headers read on every reply, as (limit, remaining) pairs per bucket.</summary>
    private static readonly string[] LimitHeaders =
    {
        "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
        "anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
    };

    /// <summary>Fills <paramref name="values"/> with the <see cref="LimitHeaders"/> values, -1 where absent or unreadable.</summary>
    private static void ReadLimitHeaders(HttpResponseHeaders headers, Span<long> values)
    {
        values.Fill(-1);
#if NET8_0_OR_GREATER
        // One pass over the reply's headers instead of a lookup (a scan) per name.
        foreach (var header in headers.NonValidated)
        {
            if (!header.Key.StartsWith("anthropic-ratelimit-", StringComparison.OrdinalIgnoreCase)) continue;
            for (int i = 0; i < LimitHeaders.Length; i++)
            {
                if (!string.Equals(LimitHeaders[i], header.Key, StringComparison.OrdinalIgnoreCase)) continue;
                foreach (var v in header.Value) { values[i] = ParseCount(v); break; }
                break;
            }
        }
#else
        for (int i = 0; i < LimitHeaders.Length; i++)
            if (RetryRules.First(headers, LimitHeaders[i]) is { } v) values[i] = ParseCount(v);
#endif
    }

    private static long ParseCount(string text) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : -1;

    private void SyncBucket(TokenBucket bucket, long limit, long remaining, TimeSpan sinceSent, long now)
    {
        if (limit >= 0 && remaining >= 0) bucket.Sync(limit, remaining, sinceSent, now, _clock);
    }

    private static async Task WaitAsync(Task task, CancellationToken ct)
    {
        if (task.IsCompleted || !ct.CanBeCanceled) { await task.ConfigureAwait(false); return; }
        var canceled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (ct.Register(() => canceled.TrySetResult(true)))
        {
            if (await Task.WhenAny(task, canceled.Task).ConfigureAwait(false) != task) ct.ThrowIfCancellationRequested();
        }
    }
}

/// <summary>One request's hold on the limiter: its reservations and its concurrency slot.</summary>
internal sealed class RateLease : IDisposable
{
    private readonly AdaptiveRateLimiter _owner;
    private int _done;

    public RateLease(AdaptiveRateLimiter owner, bool scout)
    {
        _owner = owner;
        IsScout = scout;
    }

    public bool IsScout { get; }
    public bool HoldsSlot { get; set; }
    public double ReservedInput { get; private set; }
    public double ReservedOutput { get; private set; }
    public double RawInputEstimate { get; set; }
    public long SentAt { get; set; }

    public void Reserve(double input, double output)
    {
        ReservedInput = input;
        ReservedOutput = output;
    }

    /// <summary>Settles with the server's usage (and, for a whole reply, syncs from its
    /// <paramref name="headers"/>); the lease is then done.</summary>
    public void Settle(ClaudeUsage usage, HttpResponseHeaders? headers = null)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        _owner.Settle(this, usage, headers);
        _owner.Release(this, refund: false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        _owner.Release(this, refund: true);
    }
}
