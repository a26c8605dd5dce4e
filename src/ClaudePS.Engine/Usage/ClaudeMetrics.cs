using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// Counters of the calls of the connections that share it (<see cref="Connections.ClaudeServices"/>;
/// the process's since the module loaded), in Prometheus terms. Who calls what:
/// the client calls <see cref="RecordRequest"/> once per call with its final status; the usage recorder
/// calls <see cref="RecordUsage"/> once per billed reply; the resilience layer calls
/// <see cref="RecordRetry"/> for each attempt it retries and <see cref="RecordRateLimited"/> for each
/// 429 it receives (retried or not). Thread-safe; cheap enough for every call.
/// </summary>
public sealed class ClaudeMetrics
{
    /// <summary>Upper bounds of the request-duration histogram, in seconds.</summary>
    public static readonly double[] DurationBuckets = { 0.1, 0.5, 1, 2, 5, 10, 30, 60 };

    public const string RequestsName = "claudeps_requests_total";
    public const string DurationName = "claudeps_request_duration_seconds";
    public const string TokensName = "claudeps_tokens_total";
    public const string CostName = "claudeps_cost_usd_total";
    public const string UnpricedName = "claudeps_unpriced_requests_total";
    public const string RetriesName = "claudeps_retries_total";
    public const string RateLimitedName = "claudeps_rate_limited_total";

    private readonly object _gate = new();
    private readonly Dictionary<string, ModelRequests> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Model, string Kind), long> _tokens = new();
    private readonly Dictionary<string, decimal> _cost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unpriced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _retries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _rateLimited = new(StringComparer.Ordinal);

    /// <summary>One model's calls: counts by final status and the duration histogram, so recording a
    /// call takes one lookup by model (it runs on every call, under the process-wide lock).</summary>
    private sealed class ModelRequests
    {
        public readonly Dictionary<string, long> ByStatus = new(StringComparer.Ordinal);
        public readonly long[] Buckets = new long[DurationBuckets.Length];
        public long Count;
        public double Sum;
    }

    /// <summary>One finished call: its model, its final status ("200", "429", "529", "timeout", "network", ...) and how long it took.</summary>
    public void RecordRequest(string model, string status, TimeSpan duration)
    {
        model = Clean(model);
        double seconds = duration.TotalSeconds;
        lock (_gate)
        {
            if (!_requests.TryGetValue(model, out var h)) _requests[model] = h = new ModelRequests();
            Increment(h.ByStatus, status, 1);
            // Cumulative as Prometheus wants: a duration counts in every bucket whose bound it does not exceed.
            for (int i = 0; i < DurationBuckets.Length; i++)
                if (seconds <= DurationBuckets[i]) h.Buckets[i]++;
            h.Count++;
            h.Sum += seconds;
        }
    }

    /// <summary>Tokens and cost of one billed reply; a null cost counts as an unpriced request.</summary>
    public void RecordUsage(string model, ClaudeUsage usage, decimal? costUsd)
    {
        model = Clean(model);
        long write1h = Math.Min(usage.CacheWrite1hTokens, usage.CacheWriteTokens);
        lock (_gate)
        {
            Increment(_tokens, (model, "input"), usage.InputTokens);
            Increment(_tokens, (model, "output"), usage.OutputTokens);
            Increment(_tokens, (model, "cache_write_5m"), usage.CacheWriteTokens - write1h);
            Increment(_tokens, (model, "cache_write_1h"), write1h);
            Increment(_tokens, (model, "cache_read"), usage.CacheReadTokens);
            if (costUsd is { } cost) _cost[model] = (_cost.TryGetValue(model, out var c) ? c : 0m) + cost;
            else Increment(_unpriced, model, 1);
        }
    }

    /// <summary>One retried attempt; <paramref name="reason"/> is short and stable ("429", "529", "5xx", "network", "timeout", "stream_error").</summary>
    public void RecordRetry(string reason)
    {
        lock (_gate) Increment(_retries, Clean(reason), 1);
    }

    /// <summary>One HTTP 429 received (whether or not it was retried).</summary>
    public void RecordRateLimited(string model)
    {
        lock (_gate) Increment(_rateLimited, Clean(model), 1);
    }

    public void Reset()
    {
        lock (_gate)
        {
            _requests.Clear(); _tokens.Clear(); _cost.Clear(); _unpriced.Clear(); _retries.Clear(); _rateLimited.Clear();
        }
    }

    /// <summary>The status label of a failed call: its HTTP status, or timeout / network / canceled / error.</summary>
    public static string StatusOf(ClaudeError error) =>
        error.HttpStatus is { } status ? status.ToString(CultureInfo.InvariantCulture)
        : error.ErrorId switch
        {
            "ClaudePS.Timeout" => "timeout",
            "ClaudePS.ConnectionFailed" or "ClaudePS.StreamTruncated" => "network",
            ClaudeError.CanceledId => "canceled",
            BudgetGuard.ExceededErrorId => "budget_refused",
            _ => "error",
        };

    private static string Clean(string? value) => string.IsNullOrEmpty(value) ? "unknown" : value!;

    private static void Increment<TKey>(Dictionary<TKey, long> map, TKey key, long by) where TKey : notnull =>
        map[key] = (map.TryGetValue(key, out var v) ? v : 0) + by;

    // Exposition order of the families.
    private static readonly KeyValuePair<string, (string Type, string Help)>[] FamilyList =
    {
        new(RequestsName, ("counter", "Claude API calls by model and final status.")),
        new(DurationName, ("histogram", "Duration of Claude API calls in seconds, retries included.")),
        new(TokensName, ("counter", "Billed tokens by model and kind (input, output, cache_write_5m, cache_write_1h, cache_read).")),
        new(CostName, ("counter", "Cost in USD by model, at the price table of each call.")),
        new(UnpricedName, ("counter", "Billed calls whose model has no known price (not in the cost total).")),
        new(RetriesName, ("counter", "Retried attempts by reason.")),
        new(RateLimitedName, ("counter", "HTTP 429 replies received, by model.")),
    };
    private static readonly Dictionary<string, (string Type, string Help)> Families = FamilyList.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    /// <summary>Every sample, in exposition order (families in a fixed order, samples sorted by labels).</summary>
    public IReadOnlyList<ClaudeMetric> Snapshot()
    {
        var list = new List<ClaudeMetric>();
        lock (_gate)
        {
            var models = _requests.OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
            foreach (var kv in models)
                foreach (var status in kv.Value.ByStatus.OrderBy(k => k.Key, StringComparer.Ordinal))
                    list.Add(Sample(RequestsName, RequestsName, status.Value, ("model", kv.Key), ("status", status.Key)));
            foreach (var kv in models)
            {
                for (int i = 0; i < DurationBuckets.Length; i++)
                    list.Add(Sample(DurationName, DurationName + "_bucket", kv.Value.Buckets[i], ("model", kv.Key), ("le", FormatNumber(DurationBuckets[i]))));
                list.Add(Sample(DurationName, DurationName + "_bucket", kv.Value.Count, ("model", kv.Key), ("le", "+Inf")));
                list.Add(Sample(DurationName, DurationName + "_sum", kv.Value.Sum, ("model", kv.Key)));
                list.Add(Sample(DurationName, DurationName + "_count", kv.Value.Count, ("model", kv.Key)));
            }
            foreach (var kv in _tokens.OrderBy(k => k.Key.Model, StringComparer.Ordinal).ThenBy(k => k.Key.Kind, StringComparer.Ordinal))
                list.Add(Sample(TokensName, TokensName, kv.Value, ("model", kv.Key.Model), ("kind", kv.Key.Kind)));
            foreach (var kv in _cost.OrderBy(k => k.Key, StringComparer.Ordinal))
                list.Add(Sample(CostName, CostName, (double)kv.Value, ("model", kv.Key)));
            foreach (var kv in _unpriced.OrderBy(k => k.Key, StringComparer.Ordinal))
                list.Add(Sample(UnpricedName, UnpricedName, kv.Value, ("model", kv.Key)));
            foreach (var kv in _retries.OrderBy(k => k.Key, StringComparer.Ordinal))
                list.Add(Sample(RetriesName, RetriesName, kv.Value, ("reason", kv.Key)));
            foreach (var kv in _rateLimited.OrderBy(k => k.Key, StringComparer.Ordinal))
                list.Add(Sample(RateLimitedName, RateLimitedName, kv.Value, ("model", kv.Key)));
        }
        return list;
    }

    private static ClaudeMetric Sample(string family, string name, double value, params (string Key, string Value)[] labels)
    {
        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in labels) dict[k] = v;
        return new ClaudeMetric { Name = name, Type = Families[family].Type, Help = Families[family].Help, Labels = dict, Value = value };
    }

    /// <summary>The Prometheus text exposition format (version 0.0.4) of <see cref="Snapshot"/>: every family
    /// with its HELP and TYPE, samples grouped under it, '\n' line ends, no timestamps.</summary>
    public string ToPrometheusText() => ToPrometheusText(Snapshot());

    public static string ToPrometheusText(IReadOnlyList<ClaudeMetric> samples)
    {
        var sb = new StringBuilder();
        foreach (var family in FamilyList)
        {
            sb.Append("# HELP ").Append(family.Key).Append(' ').Append(EscapeHelp(family.Value.Help)).Append('\n');
            sb.Append("# TYPE ").Append(family.Key).Append(' ').Append(family.Value.Type).Append('\n');
            foreach (var s in samples)
            {
                if (!BelongsTo(s.Name, family.Key, family.Value.Type)) continue;
                sb.Append(s.Name);
                if (s.Labels.Count > 0)
                {
                    sb.Append('{');
                    bool first = true;
                    foreach (var kv in s.Labels)
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        sb.Append(kv.Key).Append("=\"").Append(EscapeLabel(kv.Value)).Append('"');
                    }
                    sb.Append('}');
                }
                sb.Append(' ').Append(FormatNumber(s.Value)).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static bool BelongsTo(string sample, string family, string type) =>
        type == "histogram"
            ? sample == family + "_bucket" || sample == family + "_sum" || sample == family + "_count"
            : sample == family;

    /// <summary>Writes the exposition to <paramref name="path"/> atomically (temp file in the same folder, then rename),
    /// as node_exporter's textfile collector requires.</summary>
    /// <remarks>The folder must exist: like Out-File, a path the user named never gets a new folder.</remarks>
    public void WriteTextFile(string path)
    {
        try { AtomicFile.Write(path, new UTF8Encoding(false).GetBytes(ToPrometheusText()), createFolder: false); }
        catch (Exception ex) when (Storage.FileErrors.IsFileSystemFailure(ex))
        {
            throw Storage.FileErrors.Wrap("ClaudePS.MetricsWriteFailed", ex, "Writing the metrics to", path,
                "Check that the folder exists and is writable, or give another -Path.", writing: true);
        }
    }

    internal static string FormatNumber(double value)
    {
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        if (double.IsNaN(value)) return "NaN";
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
