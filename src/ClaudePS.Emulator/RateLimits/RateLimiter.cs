using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>
/// Per-API-key token buckets for requests, input tokens and output tokens per minute, refilled
/// continuously (60 RPM allows one request a second once the burst is spent). Off while every limit
/// in the options is 0. A request is admitted when all buckets hold what it costs (capped at the
/// bucket size); cache reads do not count toward input tokens.
/// </summary>
public sealed class RateLimiter
{
    private readonly EmulatorOptions _options;
    private readonly Dictionary<string, KeyBuckets> _keys = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public RateLimiter(EmulatorOptions options) => _options = options;

    public bool Enabled => _options.RequestsPerMinute > 0 || _options.InputTokensPerMinute > 0 || _options.OutputTokensPerMinute > 0;

    /// <summary>Admits and charges the request, or returns the seconds to wait and the limit that bound.</summary>
    internal (bool Admitted, int RetryAfterSeconds, string? Limit) TryAdmit(string keyId, int inputTokens, int outputTokens)
    {
        if (!Enabled) return (true, 0, null);
        var now = _options.Clock.GetUtcNow();
        lock (_lock)
        {
            var buckets = BucketsFor(keyId, now);
            double wait = 0;
            string? bound = null;
            foreach (var (bucket, need, name) in buckets.With(1, inputTokens, outputTokens))
            {
                double w = bucket.SecondsUntil(need);
                if (w > wait)
                {
                    wait = w;
                    bound = name;
                }
            }
            if (bound != null) return (false, Math.Max(1, (int)Math.Ceiling(wait)), bound);
            foreach (var (bucket, need, _) in buckets.With(1, inputTokens, outputTokens)) bucket.Take(need);
            return (true, 0, null);
        }
    }

    /// <summary>Adds anthropic-ratelimit-* headers describing the key's buckets now.</summary>
    public void AddHeaders(IHeaderDictionary headers, string keyId)
    {
        if (!Enabled) return;
        var now = _options.Clock.GetUtcNow();
        lock (_lock)
        {
            var buckets = BucketsFor(keyId, now);
            Write(headers, RequestHeaders, buckets.Requests, now);
            Write(headers, InputHeaders, buckets.Input, now);
            Write(headers, OutputHeaders, buckets.Output, now);
            // "tokens" reports whichever token limit is closest to binding (the input one on a tie).
            var tightest = buckets.Input is null ? buckets.Output
                : buckets.Output is null || buckets.Input.Level / buckets.Input.Capacity <= buckets.Output.Level / buckets.Output.Capacity ? buckets.Input
                : buckets.Output;
            Write(headers, TokenHeaders, tightest, now);
        }
    }

    /// <summary>Forgets every key's buckets (they start full again).</summary>
    public void Reset()
    {
        lock (_lock) _keys.Clear();
    }

    private static void Write(IHeaderDictionary headers, HeaderNames names, Bucket? bucket, DateTimeOffset now)
    {
        if (bucket == null) return;
        headers[names.Limit] = ((long)bucket.Capacity).ToString(CultureInfo.InvariantCulture);
        headers[names.Remaining] = ((long)Math.Max(0, Math.Floor(bucket.Level))).ToString(CultureInfo.InvariantCulture);
        headers[names.Reset] = bucket.FullAt(now).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>The three header names of one limit, made once (they go on every response).</summary>
    private sealed record HeaderNames(string Limit, string Remaining, string Reset)
    {
        public static HeaderNames For(string name) =>
            new($"anthropic-ratelimit-{name}-limit", $"anthropic-ratelimit-{name}-remaining", $"anthropic-ratelimit-{name}-reset");
    }

    private static readonly HeaderNames RequestHeaders = HeaderNames.For("requests");
    private static readonly HeaderNames InputHeaders = HeaderNames.For("input-tokens");
    private static readonly HeaderNames OutputHeaders = HeaderNames.For("output-tokens");
    private static readonly HeaderNames TokenHeaders = HeaderNames.For("tokens");

    private KeyBuckets BucketsFor(string keyId, DateTimeOffset now)
    {
        if (!_keys.TryGetValue(keyId, out var buckets))
        {
            buckets = new KeyBuckets();
            _keys[keyId] = buckets;
        }
        buckets.Requests = Sync(buckets.Requests, _options.RequestsPerMinute, now);
        buckets.Input = Sync(buckets.Input, _options.InputTokensPerMinute, now);
        buckets.Output = Sync(buckets.Output, _options.OutputTokensPerMinute, now);
        return buckets;
    }

    /// <summary>Creates, drops or resizes a bucket to match the options (they may change while running), then refills it.</summary>
    private static Bucket? Sync(Bucket? bucket, int perMinute, DateTimeOffset now)
    {
        if (perMinute <= 0) return null;
        if (bucket == null || bucket.Capacity != perMinute) return new Bucket(perMinute, now);
        bucket.Refill(now);
        return bucket;
    }

    private sealed class KeyBuckets
    {
        public Bucket? Requests;
        public Bucket? Input;
        public Bucket? Output;

        public IEnumerable<(Bucket Bucket, double Need, string Name)> With(double requests, double input, double output)
        {
            if (Requests != null) yield return (Requests, Math.Min(requests, Requests.Capacity), "requests");
            if (Input != null) yield return (Input, Math.Min(input, Input.Capacity), "input tokens");
            if (Output != null) yield return (Output, Math.Min(output, Output.Capacity), "output tokens");
        }
    }

    private sealed class Bucket
    {
        private DateTimeOffset _last;

        public Bucket(int perMinute, DateTimeOffset now)
        {
            Capacity = perMinute;
            Level = perMinute;
            _last = now;
        }

        public double Capacity { get; }
        public double Level { get; private set; }
        private double PerSecond => Capacity / 60.0;

        public void Refill(DateTimeOffset now)
        {
            double elapsed = (now - _last).TotalSeconds;
            if (elapsed > 0) Level = Math.Min(Capacity, Level + elapsed * PerSecond);
            _last = now;
        }

        public double SecondsUntil(double need) => Level >= need ? 0 : (need - Level) / PerSecond;
        public void Take(double amount) => Level -= amount;
        public DateTimeOffset FullAt(DateTimeOffset now) => now + TimeSpan.FromSeconds((Capacity - Level) / PerSecond);
    }
}
