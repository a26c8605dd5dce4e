using System;
using System.Collections;
using System.Globalization;
using ClaudePS.Engine.Auth;

namespace ClaudePS.Engine.Resilience;

/// <summary>
/// How a connection retries, limits its own rate, fails over and caches. Every property is optional:
/// an unset value falls back to the environment variable named on it, then to the documented default.
/// Precedence: per-call (<see cref="Http.CallOptions.Resilience"/>) &gt; connection (Connect-Claude
/// parameters) &gt; environment &gt; default.
/// </summary>
public sealed class ResilienceOptions
{
    /// <summary>Retries after the first attempt. Default 8 (the SDKs make 2). Env CLAUDEPS_MAX_RETRIES.</summary>
    public int? MaxRetries { get; set; }
    /// <summary>No retry starts once this much time has passed since the call began. Default 3 min.
    /// Env CLAUDEPS_RETRY_BUDGET_SEC. The connection's overall timeout still bounds the whole call.</summary>
    public TimeSpan? RetryBudget { get; set; }
    /// <summary>First backoff wait when the server names none. Default 0.5 s (doubles each retry, with jitter).</summary>
    public TimeSpan? BaseDelay { get; set; }
    /// <summary>Longest backoff wait when the server names none. Default 30 s.</summary>
    public TimeSpan? MaxDelay { get; set; }
    /// <summary>Time limit of one attempt. Default: none beyond the overall timeout. Env CLAUDEPS_ATTEMPT_TIMEOUT_SEC.</summary>
    public TimeSpan? AttemptTimeout { get; set; }
    /// <summary>A stream that sends no bytes for this long is abandoned (and retried if nothing reached the
    /// caller yet). Default 90 s. Env CLAUDEPS_STREAM_IDLE_TIMEOUT_SEC.</summary>
    public TimeSpan? StreamIdleTimeout { get; set; }

    /// <summary>How long a failed endpoint is avoided before one request probes it. Default 30 s.
    /// Env CLAUDEPS_FAILBACK_SEC.</summary>
    public TimeSpan? FailbackInterval { get; set; }
    /// <summary>Circuit breaker per endpoint: share of failed attempts that opens it. Default 0.8
    /// (high on purpose: with one endpoint an open breaker only stops retries, so it should open only when nearly everything fails).</summary>
    public double? BreakerFailureRatio { get; set; }
    /// <summary>Attempts in the sampling window before the breaker may open. Default 20.</summary>
    public int? BreakerMinimumThroughput { get; set; }
    /// <summary>Breaker sampling window. Default 30 s.</summary>
    public TimeSpan? BreakerSamplingDuration { get; set; }
    /// <summary>How long an open breaker stays open. Default 10 s.</summary>
    public TimeSpan? BreakerBreakDuration { get; set; }

    /// <summary>This client's cap on requests per minute (below the org limit). Default none. Env CLAUDEPS_MAX_RPM.</summary>
    public int? MaxRequestsPerMinute { get; set; }
    /// <summary>Cap on input tokens per minute. Default none. Env CLAUDEPS_MAX_INPUT_TPM.</summary>
    public long? MaxInputTokensPerMinute { get; set; }
    /// <summary>Cap on output tokens per minute. Default none. Env CLAUDEPS_MAX_OUTPUT_TPM.</summary>
    public long? MaxOutputTokensPerMinute { get; set; }
    /// <summary>Requests in flight at once on this connection. Default 32. Env CLAUDEPS_MAX_CONCURRENCY.</summary>
    public int? MaxConcurrency { get; set; }
    /// <summary>Follow the server's anthropic-ratelimit-* headers. Default true. Env CLAUDEPS_ADAPTIVE_RATE_LIMIT (0/false turns it off).</summary>
    public bool? AdaptiveRateLimit { get; set; }

    /// <summary>Keep replies this long in the response cache; null/zero turns the cache off (default).
    /// Env CLAUDEPS_CACHE_TTL_SEC.</summary>
    public TimeSpan? CacheTtl { get; set; }
    /// <summary>Most replies the cache holds (least recently used go first). Default 1000.</summary>
    public int? CacheMaxEntries { get; set; }
    /// <summary>Most memory the cache holds, roughly, in bytes. Default 64 MB.</summary>
    public long? CacheMaxBytes { get; set; }

    /// <summary>The clock for retry waits, rate-limit waits, budgets, breakers and the cache (tests inject one).</summary>
    internal TimeProvider? Clock { get; set; }
    /// <summary>Source of jitter in [0,1) (tests inject a fixed one).</summary>
    internal Func<double>? Jitter { get; set; }

    /// <summary>The environment variables read, with the setting each one overrides.</summary>
    public static readonly string[] EnvironmentVariables =
    {
        "CLAUDEPS_MAX_RETRIES", "CLAUDEPS_RETRY_BUDGET_SEC", "CLAUDEPS_ATTEMPT_TIMEOUT_SEC", "CLAUDEPS_STREAM_IDLE_TIMEOUT_SEC",
        "CLAUDEPS_FAILBACK_SEC", "CLAUDEPS_MAX_RPM", "CLAUDEPS_MAX_INPUT_TPM", "CLAUDEPS_MAX_OUTPUT_TPM",
        "CLAUDEPS_MAX_CONCURRENCY", "CLAUDEPS_ADAPTIVE_RATE_LIMIT", "CLAUDEPS_CACHE_TTL_SEC",
    };

    /// <summary>The effective settings: these options, then <paramref name="environment"/>, then defaults.</summary>
    internal ResilienceSettings Resolve(IDictionary? environment)
    {
        var env = environment ?? new Hashtable();
        var d = ResilienceSettings.Defaults;
        var s = new ResilienceSettings
        {
            MaxRetries = MaxRetries ?? EnvInt(env, "CLAUDEPS_MAX_RETRIES") ?? d.MaxRetries,
            RetryBudget = RetryBudget ?? EnvSeconds(env, "CLAUDEPS_RETRY_BUDGET_SEC") ?? d.RetryBudget,
            BaseDelay = BaseDelay ?? d.BaseDelay,
            MaxDelay = MaxDelay ?? d.MaxDelay,
            AttemptTimeout = AttemptTimeout ?? EnvSeconds(env, "CLAUDEPS_ATTEMPT_TIMEOUT_SEC") ?? d.AttemptTimeout,
            StreamIdleTimeout = StreamIdleTimeout ?? EnvSeconds(env, "CLAUDEPS_STREAM_IDLE_TIMEOUT_SEC") ?? d.StreamIdleTimeout,
            FailbackInterval = FailbackInterval ?? EnvSeconds(env, "CLAUDEPS_FAILBACK_SEC") ?? d.FailbackInterval,
            BreakerFailureRatio = BreakerFailureRatio ?? d.BreakerFailureRatio,
            BreakerMinimumThroughput = BreakerMinimumThroughput ?? d.BreakerMinimumThroughput,
            BreakerSamplingDuration = BreakerSamplingDuration ?? d.BreakerSamplingDuration,
            BreakerBreakDuration = BreakerBreakDuration ?? d.BreakerBreakDuration,
            MaxRequestsPerMinute = MaxRequestsPerMinute ?? EnvInt(env, "CLAUDEPS_MAX_RPM"),
            MaxInputTokensPerMinute = MaxInputTokensPerMinute ?? EnvLong(env, "CLAUDEPS_MAX_INPUT_TPM"),
            MaxOutputTokensPerMinute = MaxOutputTokensPerMinute ?? EnvLong(env, "CLAUDEPS_MAX_OUTPUT_TPM"),
            MaxConcurrency = MaxConcurrency ?? EnvInt(env, "CLAUDEPS_MAX_CONCURRENCY") ?? d.MaxConcurrency,
            AdaptiveRateLimit = AdaptiveRateLimit ?? EnvBool(env, "CLAUDEPS_ADAPTIVE_RATE_LIMIT") ?? d.AdaptiveRateLimit,
            CacheTtl = CacheTtl ?? EnvSeconds(env, "CLAUDEPS_CACHE_TTL_SEC"),
            CacheMaxEntries = CacheMaxEntries ?? d.CacheMaxEntries,
            CacheMaxBytes = CacheMaxBytes ?? d.CacheMaxBytes,
            Clock = Clock ?? TimeProvider.System,
            Jitter = Jitter ?? d.Jitter,
        };
        s.Validate();
        return s;
    }

    /// <summary>Per-call overrides: only the retry and timeout settings apply to a single call.</summary>
    internal ResilienceSettings ApplyTo(ResilienceSettings connection)
    {
        var s = connection.Copy();
        if (MaxRetries is { } r) s.MaxRetries = r;
        if (RetryBudget is { } b) s.RetryBudget = b;
        if (BaseDelay is { } bd) s.BaseDelay = bd;
        if (MaxDelay is { } md) s.MaxDelay = md;
        if (AttemptTimeout is { } at) s.AttemptTimeout = at;
        if (StreamIdleTimeout is { } it) s.StreamIdleTimeout = it;
        s.Validate();
        return s;
    }

    private static string? Env(IDictionary env, string name) => CredentialResolver.Get(env, name);

    private static int? EnvInt(IDictionary env, string name) =>
        Env(env, name) is { } v ? int.TryParse(v.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw BadEnv(name, v) : null;

    private static long? EnvLong(IDictionary env, string name) =>
        Env(env, name) is { } v ? long.TryParse(v.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw BadEnv(name, v) : null;

    private static TimeSpan? EnvSeconds(IDictionary env, string name) =>
        Env(env, name) is { } v ? double.TryParse(v.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 ? TimeSpan.FromSeconds(d) : throw BadEnv(name, v) : null;

    private static bool? EnvBool(IDictionary env, string name) => Env(env, name)?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        var other => throw BadEnv(name, other),
    };

    private static ClaudeException BadEnv(string name, string value) =>
        new(new ClaudeError("ClaudePS.InvalidSetting", ClaudeErrorCategory.InvalidArgument,
            $"The environment variable {name} has the value '{value}', which is not a valid number or switch. Fix or remove it."));
}
