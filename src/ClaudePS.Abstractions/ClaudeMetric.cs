using System;
using System.Collections.Generic;
using System.Linq;

namespace ClaudePS;

/// <summary>One sample of ClaudePS's metrics, as Get-ClaudeMetrics returns it and Export-ClaudeMetrics
/// writes it (one line of the Prometheus text format).</summary>
public sealed class ClaudeMetric
{
    /// <summary>The sample name, e.g. <c>claudeps_requests_total</c> or <c>claudeps_request_duration_seconds_bucket</c>.</summary>
    public string Name { get; init; } = "";
    /// <summary>The family's type: counter or histogram.</summary>
    public string Type { get; init; } = "counter";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public double Value { get; init; }
    public string Help { get; init; } = "";

    public override string ToString() =>
        Labels.Count == 0 ? $"{Name} {Value}" : $"{Name}{{{string.Join(",", Labels.Select(kv => kv.Key + "=" + kv.Value))}}} {Value}";
}
