using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Commands;

/// <summary>This session's metrics as objects: the same samples Export-ClaudeMetrics writes.</summary>
[Cmdlet(VerbsCommon.Get, "ClaudeMetrics")]
[OutputType(typeof(ClaudeMetric))]
public sealed class GetClaudeMetricsCommand : PSCmdlet
{
    /// <summary>Sample names to keep, e.g. claudeps_tokens_total or claudeps_request_duration*.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void EndProcessing()
    {
        var patterns = System.Array.ConvertAll(Name ?? new[] { "*" }, n => new WildcardPattern(n, WildcardOptions.IgnoreCase));
        foreach (var metric in ClaudeServices.Process.Metrics.Snapshot())
            if (System.Array.Exists(patterns, p => p.IsMatch(metric.Name))) WriteObject(metric);
    }
}
