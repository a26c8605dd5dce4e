using System.Globalization;
using System.Text.RegularExpressions;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

public class MetricsTests
{
    private static ClaudeMetrics Sample()
    {
        var m = new ClaudeMetrics();
        m.RecordRequest("claude-sonnet-4-5", "200", TimeSpan.FromSeconds(0.05));
        m.RecordRequest("claude-sonnet-4-5", "200", TimeSpan.FromSeconds(1.5));
        m.RecordRequest("claude-sonnet-4-5", "429", TimeSpan.FromSeconds(75));
        m.RecordRequest("we\"ird\\model\nname", "200", TimeSpan.FromSeconds(0.5));
        m.RecordUsage("claude-sonnet-4-5", new ClaudeUsage { InputTokens = 10, OutputTokens = 20, CacheWriteTokens = 7, CacheWrite1hTokens = 2, CacheReadTokens = 3 }, 0.25m);
        m.RecordUsage("mystery", new ClaudeUsage { InputTokens = 1 }, null);
        m.RecordRetry("429");
        m.RecordRetry("429");
        m.RecordRetry("529");
        m.RecordRateLimited("claude-sonnet-4-5");
        return m;
    }

    [Fact]
    public void Exposition_passes_a_strict_parser_and_carries_every_family()
    {
        var text = Sample().ToPrometheusText();
        var parsed = PrometheusTextParser.Parse(text);
        Assert.Equal("counter", parsed.Types["claudeps_requests_total"]);
        Assert.Equal("histogram", parsed.Types["claudeps_request_duration_seconds"]);
        Assert.Equal(2, parsed.Value("claudeps_requests_total", ("model", "claude-sonnet-4-5"), ("status", "200")));
        Assert.Equal(1, parsed.Value("claudeps_requests_total", ("model", "we\"ird\\model\nname"), ("status", "200")));
        // Buckets are cumulative: 0.05 s in every bucket, 1.5 s from le=2 up, 75 s only in +Inf.
        Assert.Equal(1, parsed.Value("claudeps_request_duration_seconds_bucket", ("model", "claude-sonnet-4-5"), ("le", "0.1")));
        Assert.Equal(1, parsed.Value("claudeps_request_duration_seconds_bucket", ("model", "claude-sonnet-4-5"), ("le", "1")));
        Assert.Equal(2, parsed.Value("claudeps_request_duration_seconds_bucket", ("model", "claude-sonnet-4-5"), ("le", "60")));
        Assert.Equal(3, parsed.Value("claudeps_request_duration_seconds_bucket", ("model", "claude-sonnet-4-5"), ("le", "+Inf")));
        Assert.Equal(76.55, parsed.Value("claudeps_request_duration_seconds_sum", ("model", "claude-sonnet-4-5")), 6);
        Assert.Equal(5, parsed.Value("claudeps_tokens_total", ("model", "claude-sonnet-4-5"), ("kind", "cache_write_5m")));
        Assert.Equal(2, parsed.Value("claudeps_tokens_total", ("model", "claude-sonnet-4-5"), ("kind", "cache_write_1h")));
        Assert.Equal(0.25, parsed.Value("claudeps_cost_usd_total", ("model", "claude-sonnet-4-5")));
        Assert.Equal(1, parsed.Value("claudeps_unpriced_requests_total", ("model", "mystery")));
        Assert.Equal(2, parsed.Value("claudeps_retries_total", ("reason", "429")));
        Assert.Equal(1, parsed.Value("claudeps_rate_limited_total", ("model", "claude-sonnet-4-5")));
        Assert.DoesNotContain(parsed.Samples, s => s.Name == "claudeps_cost_usd_total" && s.Labels["model"] == "mystery"); // unknown is not zero
    }

    [Fact]
    public void Snapshot_objects_equal_the_exposition()
    {
        var m = Sample();
        var parsed = PrometheusTextParser.Parse(m.ToPrometheusText());
        var objects = m.Snapshot();
        Assert.Equal(parsed.Samples.Count, objects.Count);
        foreach (var o in objects)
            Assert.Equal(o.Value, parsed.Value(o.Name, o.Labels.Select(kv => (kv.Key, kv.Value)).ToArray()));
    }

    [Fact]
    public void Empty_metrics_still_parse_and_the_text_file_is_replaced_whole()
    {
        Assert.Empty(PrometheusTextParser.Parse(new ClaudeMetrics().ToPrometheusText()).Samples);
        var dir = TempHome.Create();
        var path = Path.Combine(dir, "claudeps.prom");
        File.WriteAllText(path, "stale");
        var m = Sample();
        m.WriteTextFile(path);
        Assert.Equal(m.ToPrometheusText(), File.ReadAllText(path));
        Assert.Equal(new[] { "claudeps.prom" }, Directory.GetFiles(dir).Select(Path.GetFileName)); // no temp file left behind
    }

    [Fact]
    public void The_parser_rejects_what_the_format_forbids()
    {
        Assert.ThrowsAny<FormatException>(() => PrometheusTextParser.Parse("a_total 1")); // no final newline
        Assert.ThrowsAny<FormatException>(() => PrometheusTextParser.Parse("a_total{x=\"\\q\"} 1\n")); // bad escape
        Assert.ThrowsAny<FormatException>(() => PrometheusTextParser.Parse("# TYPE a counter\na 1\nb 1\na 2\n")); // family split
        Assert.ThrowsAny<FormatException>(() => PrometheusTextParser.Parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")); // not cumulative
        Assert.ThrowsAny<FormatException>(() => PrometheusTextParser.Parse("a 1,5\n"));
    }
}

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
/// specification: line-oriented, '\n' ends every line, HELP/TYPE at most once per family and TYPE before
/// its samples, samples of one family contiguous, label values with only \\ \" \n escapes, Go-style
/// floats (+Inf/-Inf/NaN), optional integer timestamp, no duplicate series, histograms with le labels,
/// cumulative buckets, a +Inf bucket equal to _count, and _sum/_count present.
/// </summary>
internal static class PrometheusTextParser
{
    public sealed record SampleLine(string Name, Dictionary<string, string> Labels, double Value);

    public sealed class Result
    {
        public Dictionary<string, string> Types { get; } = new();
        public List<SampleLine> Samples { get; } = new();

        public double Value(string name, params (string Key, string Value)[] labels)
        {
            var match = Samples.Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
            return match.Count == 1 ? match[0].Value : throw new KeyNotFoundException($"{name} {string.Join(",", labels)}: {match.Count} matches");
        }
    }

    private static readonly Regex MetricName = new("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
    private static readonly Regex LabelName = new("^[a-zA-Z_][a-zA-Z0-9_]*$");
    private static readonly HashSet<string> Types = new() { "counter", "gauge", "histogram", "summary", "untyped" };

    public static Result Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n')) throw new FormatException("The last line does not end with \\n.");
        var result = new Result();
        var help = new HashSet<string>();
        var finished = new HashSet<string>();
        var series = new HashSet<string>();
        string? current = null;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
                {
                    if (!MetricName.IsMatch(parts[2])) throw new FormatException($"line {i + 1}: bad metric name");
                    if (parts[1] == "HELP") { if (!help.Add(parts[2])) throw new FormatException($"line {i + 1}: second HELP"); CheckEscapes(parts.Length > 3 ? parts[3] : "", allowQuote: false); }
                    else
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException($"line {i + 1}: bad TYPE");
                        if (result.Types.ContainsKey(parts[2])) throw new FormatException($"line {i + 1}: second TYPE");
                        if (result.Samples.Any(s => Family(s.Name, result.Types) == parts[2])) throw new FormatException($"line {i + 1}: TYPE after samples");
                        result.Types[parts[2]] = parts[3];
                    }
                }
                continue;
            }
            var sample = ParseSample(line, i + 1);
            var family = Family(sample.Name, result.Types);
            if (family != current)
            {
                if (current is not null) finished.Add(current);
                if (finished.Contains(family)) throw new FormatException($"line {i + 1}: samples of {family} are not together");
                current = family;
            }
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(kv => kv.Key).Select(kv => kv.Key + "=" + kv.Value)) + "}";
            if (!series.Add(key)) throw new FormatException($"line {i + 1}: duplicate series {key}");
            result.Samples.Add(sample);
        }
        foreach (var (family, type) in result.Types.Where(t => t.Value == "histogram")) CheckHistogram(family, result);
        return result;
    }

    private static string Family(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (name.EndsWith(suffix) && types.TryGetValue(name[..^suffix.Length], out var t) && t is "histogram" or "summary") return name[..^suffix.Length];
        return name;
    }

    private static SampleLine ParseSample(string line, int n)
    {
        int i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (!MetricName.IsMatch(name)) throw new FormatException($"line {n}: bad metric name '{name}'");
        var labels = new Dictionary<string, string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                int eq = line.IndexOf('=', i);
                if (eq < 0) throw new FormatException($"line {n}: label without '='");
                var label = line[i..eq];
                if (!LabelName.IsMatch(label) || label.StartsWith("__")) throw new FormatException($"line {n}: bad label name '{label}'");
                i = eq + 1;
                if (i >= line.Length || line[i] != '"') throw new FormatException($"line {n}: label value not quoted");
                i++;
                var value = new System.Text.StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"line {n}: unterminated label value");
                    char c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException($"line {n}: dangling escape");
                        char e = line[i++];
                        value.Append(e switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new FormatException($"line {n}: bad escape \\{e}") });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"line {n}: label '{label}' twice");
                if (i < line.Length && line[i] == ',') i++;
                else if (i >= line.Length || line[i] != '}') throw new FormatException($"line {n}: expected ',' or '}}'");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"line {n}: no value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw new FormatException($"line {n}: bad value/timestamp");
        double v = ParseFloat(rest[0], n);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw new FormatException($"line {n}: bad timestamp");
        return new SampleLine(name, labels, v);
    }

    private static double ParseFloat(string s, int n) => s switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => Regex.IsMatch(s, @"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$") ? double.Parse(s, CultureInfo.InvariantCulture) : throw new FormatException($"line {n}: bad number '{s}'"),
    };

    private static void CheckEscapes(string text, bool allowQuote)
    {
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\\' && (i + 1 >= text.Length || text[++i] is not ('\\' or 'n') && !(allowQuote && text[i] == '"'))) throw new FormatException("bad escape in HELP");
    }

    private static void CheckHistogram(string family, Result r)
    {
        var groups = r.Samples.Where(s => s.Name == family + "_bucket").GroupBy(s => string.Join(",", s.Labels.Where(kv => kv.Key != "le").OrderBy(kv => kv.Key)));
        foreach (var g in groups)
        {
            double lastLe = double.NegativeInfinity, lastCount = 0;
            foreach (var b in g)
            {
                if (!b.Labels.TryGetValue("le", out var le)) throw new FormatException("bucket without le");
                double bound = ParseFloat(le, 0);
                if (bound <= lastLe) throw new FormatException("le not increasing");
                if (b.Value < lastCount) throw new FormatException("buckets not cumulative");
                lastLe = bound; lastCount = b.Value;
            }
            if (!double.IsPositiveInfinity(lastLe)) throw new FormatException("no +Inf bucket");
            var others = g.First().Labels.Where(kv => kv.Key != "le").ToDictionary(kv => kv.Key, kv => kv.Value);
            var count = r.Samples.SingleOrDefault(s => s.Name == family + "_count" && s.Labels.Count == others.Count && others.All(o => s.Labels.GetValueOrDefault(o.Key) == o.Value))
                ?? throw new FormatException("histogram without _count");
            if (count.Value != lastCount) throw new FormatException("+Inf bucket differs from _count");
            if (!r.Samples.Any(s => s.Name == family + "_sum" && others.All(o => s.Labels.GetValueOrDefault(o.Key) == o.Value))) throw new FormatException("histogram without _sum");
        }
    }
}
