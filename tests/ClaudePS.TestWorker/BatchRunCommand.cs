using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.TestWorker;

/// <summary>
/// batch-run --base-uri URI --checkpoint PATH --rows N [--throttle T] [--home DIR]: runs rows r1..rN (prompt "row i")
/// through the batch runner with a checkpoint, printing "done &lt;id&gt; &lt;sent|checkpoint&gt;" per finished row and
/// "summary sent=S checkpoint=C failed=F" at the end, or "error &lt;id&gt;: &lt;message&gt;" (exit 3) when the run
/// is refused (e.g. ClaudePS.BatchCheckpointInUse). Tests kill it mid-run and start it again.
/// </summary>
internal static class BatchRunCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? baseUri = null, checkpoint = null, home = null;
        int rows = 0, throttle = 4;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--base-uri": baseUri = args[i + 1]; break;
                case "--checkpoint": checkpoint = args[i + 1]; break;
                case "--rows": rows = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--throttle": throttle = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--home": home = args[i + 1]; break;
            }
        }
        if (baseUri is null || checkpoint is null || rows < 1)
        {
            Console.Error.WriteLine("usage: batch-run --base-uri URI --checkpoint PATH --rows N [--throttle T] [--home DIR]");
            return 2;
        }
        var uri = new Uri(baseUri);
        if (!uri.IsLoopback) { Console.Error.WriteLine("batch-run talks to loopback only"); return 2; }
        using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { uri },
            Credential = new ApiKeyCredential("sk-ant-worker-batch", "worker"),
            DefaultModel = "claude-haiku-4-5",
            // --home: record usage in that folder's ledger, as Connect-Claude does with CLAUDEPS_HOME.
            UsageRecorder = home is null ? null : new LedgerUsageRecorder(new UsageLedger(new UsagePaths(home)), new ClaudeServices()),
        }, new Dictionary<string, string>());
        var sink = new LineSink();
        var input = Enumerable.Range(1, rows).Select(i => new BatchRow(new[]
        {
            new KeyValuePair<string, object?>("Id", "r" + i),
            new KeyValuePair<string, object?>("Prompt", "row " + i),
        }));
        BatchSummary summary;
        try
        {
            summary = await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = checkpoint, ThrottleLimit = throttle, AsCompleted = true },
                input, sink, CancellationToken.None);
        }
        catch (ClaudeException ex)
        {
            Console.WriteLine($"error {ex.Error.ErrorId}: {ex.Error.Message}");
            return 3;
        }
        Console.WriteLine($"summary sent={summary.Succeeded - summary.FromCheckpoint} checkpoint={summary.FromCheckpoint} failed={summary.Failed}");
        return summary.Failed == 0 ? 0 : 1;
    }

    private sealed class LineSink : IClaudeOutputSink
    {
        public void WriteObject(object item)
        {
            if (item is ClaudeBatchResult r) Console.WriteLine($"done {r.RowId} {(r.FromCheckpoint ? "checkpoint" : "sent")} {r.Status}");
        }
        public void WriteError(ClaudeError error) => Console.Error.WriteLine(error.ToString());
        public void WriteWarning(string text) => Console.Error.WriteLine("warning: " + text);
        public void WriteVerbose(string text) { }
        public void WriteDebug(string text) { }
        public void WriteProgress(ProgressInfo progress) { }
        public void WriteHostText(string text) { }
    }
}
