namespace ClaudePS.TestWorker;

/// <summary>The list of worker commands (one line each).</summary>
internal static class WorkerCommands
{
    public static void RegisterAll()
    {
        Program.Register("ledger-writer", LedgerWriterCommand.Run);
        Program.Register("echo", args => { Console.WriteLine(string.Join(" ", args)); return Task.FromResult(0); });
        Program.Register("batch-run", BatchRunCommand.RunAsync);
    }
}
