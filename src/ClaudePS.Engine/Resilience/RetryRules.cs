using System;
using System.Globalization;
using System.Net.Http.Headers;

namespace ClaudePS.Engine.Resilience;

/// <summary>The outcome of the retry rules for one failed attempt.</summary>
internal readonly struct RetryDecision
{
    private RetryDecision(bool retry, TimeSpan delay, string reason, string? giveUp)
    {
        Retry = retry;
        Delay = delay;
        Reason = reason;
        GiveUpMessage = giveUp;
    }

    public bool Retry { get; }
    public TimeSpan Delay { get; }
    /// <summary>Why the wait is what it is ("retry-after 2 s", "backoff").</summary>
    public string Reason { get; }
    /// <summary>When the call stops although the failure was retryable: why (budget, attempts).</summary>
    public string? GiveUpMessage { get; }

    public static RetryDecision Wait(TimeSpan delay, string reason) => new(true, delay, reason, null);
    public static RetryDecision Stop() => new(false, TimeSpan.Zero, "", null);
    public static RetryDecision GiveUp(string message) => new(false, TimeSpan.Zero, "", message);
}

/// <summary>
/// Which failures are retried and how long to wait: pure functions of the failure, the attempt count,
/// the time used and the settings, so each rule is tested on its own.
/// </summary>
internal static class RetryRules
{
    /// <summary>Whether the failure may be retried at all (before counting attempts and budget).
    /// Order: content already delivered (never), x-should-retry, then the kind and status.</summary>
    public static bool IsRetryable(AttemptFailure f)
    {
        if (f.ContentDelivered) return false;
        if (f.ShouldRetryHeader is { } told) return told;
        return f.Kind switch
        {
            FailureKind.Connection or FailureKind.AttemptTimeout or FailureKind.StreamIdle or FailureKind.CircuitOpen or FailureKind.InvalidReply => true,
            FailureKind.Stream => f.Error.IsTransient,
            FailureKind.Status => f.Status switch
            {
                429 => f.Error.ErrorId != "ClaudePS.SpendLimitReached",
                408 or 409 or 500 or 502 or 503 or 504 or 529 => true,
                _ => false,
            },
            _ => false,
        };
    }

    /// <summary>
    /// Decides the next step after attempt number <paramref name="attempts"/> (1-based) failed.
    /// <paramref name="elapsed"/> is the time since the call began; <paramref name="otherEndpointReady"/>
    /// is true when the failure moves the call to another endpoint that is healthy (no wait needed there).
    /// </summary>
    public static RetryDecision Decide(AttemptFailure f, int attempts, TimeSpan elapsed, ResilienceSettings s, bool otherEndpointReady = false)
    {
        if (!IsRetryable(f)) return RetryDecision.Stop();
        if (attempts > s.MaxRetries)
            return RetryDecision.GiveUp($"Gave up after {attempts} attempts in {Show(elapsed)} (MaxRetries is {s.MaxRetries}; raise -MaxRetries to keep trying)");

        var remaining = s.RetryBudget - elapsed;
        if (f.ServerWait is { } asked && !(otherEndpointReady && f.MovesEndpoint))
        {
            if (asked > remaining)
                return RetryDecision.GiveUp(
                    (f.Kind == FailureKind.CircuitOpen ? $"The endpoint's circuit breaker stays open for {Show(asked)}" : $"The server asked to wait {Show(asked)} ({f.ServerWaitSource})") +
                    $" before retrying, but only {Show(remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining)} " +
                    $"of the {Show(s.RetryBudget)} retry budget remain, so ClaudePS stopped after {attempts} attempt{(attempts == 1 ? "" : "s")} instead of waiting. " +
                    "Try again later or raise -RetryBudgetSec");
            return RetryDecision.Wait(asked, $"{f.ServerWaitSource} {Show(asked)}");
        }

        if (otherEndpointReady && f.MovesEndpoint) return RetryDecision.Wait(TimeSpan.Zero, "failover");

        var backoff = Backoff(attempts, s.BaseDelay, s.MaxDelay, s.Jitter());
        if (remaining <= TimeSpan.Zero)
            return RetryDecision.GiveUp($"The {Show(s.RetryBudget)} retry budget is used up after {attempts} attempts; raise -RetryBudgetSec to keep trying longer");
        if (backoff > remaining) backoff = remaining;
        return RetryDecision.Wait(backoff, "backoff");
    }

    /// <summary>Exponential backoff: base × 2^(n-1), capped, then scaled by 0.5..1.0 so callers spread out.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        double ms = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        ms = Math.Min(ms, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.5 + 0.5 * Clamp01(jitter)));
    }

    /// <summary>The server's requested wait: retry-after-ms, else retry-after (seconds or an HTTP date).
    /// Returns the header name that supplied it.</summary>
    public static (TimeSpan? wait, string? source) ServerWait(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (First(headers, "retry-after-ms") is { } msText &&
            double.TryParse(msText.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0 && !double.IsInfinity(ms))
            return (TimeSpan.FromMilliseconds(ms), "retry-after-ms");
        if (First(headers, "retry-after") is { } raText)
        {
            raText = raText.Trim();
            if (double.TryParse(raText, NumberStyles.Float, CultureInfo.InvariantCulture, out var sec) && sec >= 0 && sec < 1e7)
                return (TimeSpan.FromSeconds(sec), "retry-after");
            if (DateTimeOffset.TryParseExact(raText, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ||
                DateTimeOffset.TryParse(raText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
            {
                var wait = date - now;
                return (wait < TimeSpan.Zero ? TimeSpan.Zero : wait, "retry-after");
            }
        }
        return (null, null);
    }

    /// <summary>x-should-retry: true/false, or null when absent or unreadable.</summary>
    public static bool? ShouldRetry(HttpResponseHeaders headers) => First(headers, "x-should-retry")?.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    /// <summary>The first value of a response header, as sent (null when absent).</summary>
    internal static string? First(HttpHeaders headers, string name)
    {
#if NET8_0_OR_GREATER
        // The non-validating view skips parsing and caching typed values: this runs several times per reply.
        if (!headers.NonValidated.TryGetValues(name, out var values)) return null;
#else
        if (!headers.TryGetValues(name, out var values)) return null;
#endif
        foreach (var v in values) return v;
        return null;
    }

    internal static string Show(TimeSpan t) =>
        t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms"
        : t.TotalSeconds < 120 ? $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
        : $"{t.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min";

    private static double Clamp01(double v) => v < 0 ? 0 : v > 1 ? 1 : v;
}
