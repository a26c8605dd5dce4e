using System.IO;
using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Commands;

/// <summary>
/// Writes this session's metrics in the Prometheus text format to a file, replacing it in one step
/// (temp file and rename), as node_exporter's textfile collector needs: requests by model and status,
/// request duration histogram, tokens by model and kind, cost by model, retries by reason, 429s.
/// Like Out-File, it never creates a missing folder: a typo in the path is an error, not a new tree.
/// </summary>
[Cmdlet(VerbsData.Export, "ClaudeMetrics", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportClaudeMetricsCommand : PSCmdlet
{
    /// <summary>The .prom file to write (e.g. /var/lib/node_exporter/textfile/claudeps.prom).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        string full;
        try { full = Hosting.PSPaths.ResolveOne(this, Path!, "-Path"); }
        catch (ClaudeException ex)
        {
            ThrowTerminatingError(Hosting.ErrorRecords.From(ex.Error));
            return;
        }
        if (!ShouldProcess(full, "Write Prometheus metrics")) return;
        try
        {
            ClaudeServices.Process.Metrics.WriteTextFile(full);
        }
        catch (ClaudeException ex)
        {
            ThrowTerminatingError(Hosting.ErrorRecords.From(ex.Error));
        }
        catch (System.Exception ex) when (ex is IOException or System.UnauthorizedAccessException)
        {
            ThrowTerminatingError(Hosting.ErrorRecords.From(new ClaudeError("ClaudePS.MetricsWriteFailed", ClaudeErrorCategory.WriteError,
                $"The metrics could not be written to '{full}': {ex.Message} Create the folder first (New-Item -ItemType Directory), or check that it is writable.") { Target = full, Cause = ex }));
        }
        if (PassThru) WriteObject(new FileInfo(full));
    }
}
