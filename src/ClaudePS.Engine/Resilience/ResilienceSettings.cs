using System;

namespace ClaudePS.Engine.Resilience;

/// <summary>The effective settings of a connection or call (every value resolved).</summary>
internal sealed class ResilienceSettings
{
    public static readonly ResilienceSettings Defaults = new()
    {
        MaxRetries = 8,
        RetryBudget = TimeSpan.FromMinutes(3),
        BaseDelay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(30),
        AttemptTimeout = null,
        StreamIdleTimeout = TimeSpan.FromSeconds(90),
        FailbackInterval = TimeSpan.FromSeconds(30),
        BreakerFailureRatio = 0.8,
        BreakerMinimumThroughput = 20,
        BreakerSamplingDuration = TimeSpan.FromSeconds(30),
        BreakerBreakDuration = TimeSpan.FromSeconds(10),
        MaxConcurrency = 32,
        AdaptiveRateLimit = true,
        CacheMaxEntries = 1000,
        CacheMaxBytes = 64L * 1024 * 1024,
        Clock = TimeProvider.System,
        Jitter = SharedJitter.Next,
    };

    public int MaxRetries { get; set; }
    public TimeSpan RetryBudget { get; set; }
    public TimeSpan BaseDelay { get; set; }
    public TimeSpan MaxDelay { get; set; }
    public TimeSpan? AttemptTimeout { get; set; }
    public TimeSpan StreamIdleTimeout { get; set; }
    public TimeSpan FailbackInterval { get; set; }
    public double BreakerFailureRatio { get; set; }
    public int BreakerMinimumThroughput { get; set; }
    public TimeSpan BreakerSamplingDuration { get; set; }
    public TimeSpan BreakerBreakDuration { get; set; }
    public int? MaxRequestsPerMinute { get; set; }
    public long? MaxInputTokensPerMinute { get; set; }
    public long? MaxOutputTokensPerMinute { get; set; }
    public int MaxConcurrency { get; set; }
    public bool AdaptiveRateLimit { get; set; }
    public TimeSpan? CacheTtl { get; set; }
    public int CacheMaxEntries { get; set; }
    public long CacheMaxBytes { get; set; }
    public TimeProvider Clock { get; set; } = TimeProvider.System;
    public Func<double> Jitter { get; set; } = SharedJitter.Next;

    public ResilienceSettings Copy() => (ResilienceSettings)MemberwiseClone();

    public void Validate()
    {
        Require(MaxRetries >= 0 && MaxRetries <= 100, "MaxRetries", $"must be between 0 and 100; it was {MaxRetries}");
        Require(RetryBudget >= TimeSpan.Zero, "RetryBudgetSec", "must not be negative");
        Require(BaseDelay >= TimeSpan.Zero && MaxDelay >= BaseDelay, "MaxDelay", "must be at least the base delay");
        Require(AttemptTimeout is null || AttemptTimeout > TimeSpan.Zero, "AttemptTimeout", "must be positive");
        Require(StreamIdleTimeout > TimeSpan.Zero, "StreamIdleTimeout", "must be positive");
        Require(BreakerFailureRatio > 0 && BreakerFailureRatio <= 1, "BreakerFailureRatio", "must be in (0, 1]");
        Require(BreakerMinimumThroughput >= 2, "BreakerMinimumThroughput", "must be at least 2");
        // Polly's circuit breaker takes 0.5 s to one day for both.
        Require(BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500) && BreakerSamplingDuration <= TimeSpan.FromDays(1), "BreakerSamplingDuration", "must be between 0.5 s and one day");
        Require(BreakerBreakDuration >= TimeSpan.FromMilliseconds(500) && BreakerBreakDuration <= TimeSpan.FromDays(1), "BreakerBreakDuration", "must be between 0.5 s and one day");
        Require(MaxRequestsPerMinute is null or > 0, "MaxRequestsPerMinute", "must be positive");
        Require(MaxInputTokensPerMinute is null or > 0, "MaxInputTokensPerMinute", "must be positive");
        Require(MaxOutputTokensPerMinute is null or > 0, "MaxOutputTokensPerMinute", "must be positive");
        Require(MaxConcurrency > 0, "MaxConcurrency", "must be positive");
        Require(CacheTtl is null || CacheTtl >= TimeSpan.Zero, "CacheTtlSec", "must not be negative");
        Require(CacheMaxEntries > 0 && CacheMaxBytes > 0, "CacheMaxEntries", "must be positive");
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok)
            throw new ClaudeException(new ClaudeError("ClaudePS.InvalidSetting", ClaudeErrorCategory.InvalidArgument,
                $"The setting {name} {what}. Give a value in range."));
    }

    /// <summary>Thread-safe jitter for netstandard2.0, which lacks Random.Shared.</summary>
    private static class SharedJitter
    {
        private static readonly Random Seed = new();
        [ThreadStatic] private static Random? _local;

        public static double Next()
        {
            if (_local is null) lock (Seed) _local = new Random(Seed.Next());
            return _local.NextDouble();
        }
    }
}
