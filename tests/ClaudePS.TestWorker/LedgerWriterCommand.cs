using ClaudePS.Engine.Usage;

namespace ClaudePS.TestWorker;

/// <summary>
/// ledger-writer &lt;home&gt; &lt;writer-id&gt; &lt;count&gt;: appends &lt;count&gt; records with request ids
/// "&lt;writer-id&gt;-&lt;n&gt;" through the real ledger, as one runbook process would. Used by the
/// several-writers test: two of these run at once on one folder. A fourth argument "no-fsync" leaves
/// durability to the OS (what a process crash needs) so 10,000 records do not wait for the disk.
/// </summary>
internal static class LedgerWriterCommand
{
    public static Task<int> Run(string[] args)
    {
        if (args.Length < 3) { Console.Error.WriteLine("usage: ledger-writer <home> <writer-id> <count>"); return Task.FromResult(2); }
        var ledger = new UsageLedger(new UsagePaths(args[0]), flushToDisk: !(args.Length > 3 && args[3] == "no-fsync"));
        string writer = args[1];
        int count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var time = new DateTimeOffset(2026, 11, 5, 12, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < count; i++)
        {
            ledger.Append(new LedgerRecord
            {
                Time = time.AddMilliseconds(i),
                RequestId = $"{writer}-{i}",
                Endpoint = "http://127.0.0.1",
                Model = "claude-sonnet-4-5",
                InputTokens = i,
                OutputTokens = 1,
                CostUsd = 0.000001m,
                PriceVersion = "test",
                Tags = new[] { writer },
                Outcome = "succeeded",
            });
        }
        Console.WriteLine($"{writer} wrote {count}");
        return Task.FromResult(0);
    }
}
