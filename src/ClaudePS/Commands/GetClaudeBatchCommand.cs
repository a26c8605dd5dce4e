using System.Management.Automation;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Shows Message Batches: one by id (works across restarts), or the most recent ones.</summary>
[Cmdlet(VerbsCommon.Get, "ClaudeBatch", DefaultParameterSetName = "List")]
[OutputType(typeof(ClaudeBatchInfo))]
public sealed class GetClaudeBatchCommand : ClaudeAsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("BatchId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>How many recent batches to list (newest first).</summary>
    [Parameter(ParameterSetName = "List")]
    [ValidateRange(1, 100000)]
    public int First { get; set; } = 20;

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    protected override void ProcessRecord()
    {
        var connection = ResolveConnection(Connection);
        var client = new MessageBatchClient(connection);
        var ids = Id;
        int first = First;
        RunEngine(async (sink, ct) =>
        {
            if (ids is null)
            {
                await client.ListAllAsync(sink.WriteObject, pageSize: System.Math.Min(first, 100), max: first, ct).ConfigureAwait(false);
                return;
            }
            foreach (var id in ids)
            {
                try { sink.WriteObject(await client.GetAsync(id, ct).ConfigureAwait(false)); }
                catch (ClaudeException ex) when (!ex.Error.IsCanceled) { sink.WriteError(ex.Error.WithTarget(id)); }
            }
        });
    }
}
