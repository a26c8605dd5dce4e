using System.Management.Automation;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Cancels Message Batches. Requests already processed keep their results (and are billed);
/// the rest come back canceled once the batch has ended.</summary>
[Cmdlet(VerbsLifecycle.Stop, "ClaudeBatch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClaudeBatchInfo))]
public sealed class StopClaudeBatchCommand : ClaudeAsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("BatchId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    protected override void ProcessRecord()
    {
        var connection = ResolveConnection(Connection);
        var client = new MessageBatchClient(connection);
        var ids = new System.Collections.Generic.List<string>();
        foreach (var id in Id!)
            if (ShouldProcess(id, "Cancel the Message Batch")) ids.Add(id);
        if (ids.Count == 0) return;
        RunEngine(async (sink, ct) =>
        {
            foreach (var id in ids)
            {
                try { sink.WriteObject(await client.CancelAsync(id, ct).ConfigureAwait(false)); }
                catch (ClaudeException ex) when (!ex.Error.IsCanceled) { sink.WriteError(ex.Error.WithTarget(id)); }
            }
        });
    }
}
