using System;
using System.Globalization;
using System.Management.Automation;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Waits until Message Batches have ended, polling with backoff and showing progress.</summary>
[Cmdlet(VerbsLifecycle.Wait, "ClaudeBatch")]
[OutputType(typeof(ClaudeBatchInfo))]
public sealed class WaitClaudeBatchCommand : ClaudeAsyncCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("BatchId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>First wait between polls; it doubles up to a minute.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int PollIntervalSec { get; set; } = 10;

    /// <summary>Give up (with an error) after this long; waits without limit when not given.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? TimeoutSec { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    protected override void ProcessRecord()
    {
        var connection = ResolveConnection(Connection);
        var client = new MessageBatchClient(connection);
        var ids = Id!;
        var first = TimeSpan.FromSeconds(PollIntervalSec);
        var longest = TimeSpan.FromSeconds(Math.Max(60, PollIntervalSec));
        TimeSpan? timeout = TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null;
        RunEngine(async (sink, ct) =>
        {
            foreach (var id in ids)
            {
                try
                {
                    var ended = await client.WaitAsync(id, first, longest, b =>
                        sink.WriteProgress(new ProgressInfo(48, "Waiting for batch " + b.Id, string.Format(CultureInfo.InvariantCulture,
                            "{0}: {1} of {2} requests processing", b.ProcessingStatus, b.Processing, b.Total))), timeout, ct).ConfigureAwait(false);
                    sink.WriteProgress(new ProgressInfo(48, "Waiting for batch " + id, "ended") { Completed = true });
                    sink.WriteObject(ended);
                }
                catch (ClaudeException ex) when (!ex.Error.IsCanceled) { sink.WriteError(ex.Error.WithTarget(id)); }
            }
        });
    }
}
