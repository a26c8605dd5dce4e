using System.Globalization;
using ClaudePS.Emulator;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Demo;

/// <summary>
/// Starts the emulator on 127.0.0.1, connects the engine to it, runs samples/prompts.csv through the
/// batch runner and prints one line per row and the totals. Nothing leaves the machine; the usage
/// folder (CLAUDEPS_HOME) points at a temporary folder so the user's own ledger is untouched.
/// Options: --batch-api (Message Batches API instead of parallel requests), --csv PATH.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        bool batchApi = args.Contains("--batch-api");
        int csvAt = Array.IndexOf(args, "--csv");
        string csv = csvAt >= 0 && csvAt + 1 < args.Length ? args[csvAt + 1] : FindSamples();
        string home = Path.Combine(Path.GetTempPath(), "claudeps-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(home);
        Environment.SetEnvironmentVariable("CLAUDEPS_HOME", home);

        await using var emulator = await EmulatorServer.StartAsync();
        Console.WriteLine($"Emulator on {emulator.BaseUri} (usage folder {home})");
        // The ledger lives under CLAUDEPS_HOME (the temporary folder set above), not the user's data folder.
        using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            Recording = UsageRecording.Ledger,
            BaseUris = { emulator.BaseUri },
            Credential = new ApiKeyCredential("sk-ant-demo-local-only", "demo"),
            DefaultModel = "claude-haiku-4-5",
            Tags = { "demo" },
        }, new Dictionary<string, string>());

        var options = new BatchOptions
        {
            UseBatchApi = batchApi,
            ThrottleLimit = 4,
            PollInterval = TimeSpan.FromMilliseconds(100),
            MaxPollInterval = TimeSpan.FromSeconds(1),
            Tags = new[] { "demo" },
        };
        var sink = new ConsoleSink();
        Console.WriteLine($"Sending {csv} {(batchApi ? "through the Message Batches API" : "as parallel requests")}:");
        Console.WriteLine($"{"Id",-4} {"Status",-10} {"In",6} {"Out",6} {"Cost USD",10}  Text");
        var summary = await BatchRunner.RunAsync(connection, options, CsvRows.Read(csv), sink, CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine("Batch summary: " + summary);
        var (since, until) = UsageQueryOptions.Today(DateTimeOffset.UtcNow);
        var usage = new UsageQuery(new UsageLedger(UsagePaths.Default)).Run(new UsageQueryOptions { Since = since, Until = until.AddDays(1), Summary = true });
        foreach (var row in usage.Rows)
            Console.WriteLine($"Usage ledger in {home}: {row.Requests} requests, {row.InputTokens} input / {row.OutputTokens} output tokens, cost {(row.CostUsd is { } c ? c.ToString("0.000000", CultureInfo.InvariantCulture) + " USD" : "unknown")}");
        var billed = emulator.State.Accounting.Billed();
        Console.WriteLine($"The emulator billed {billed.Count} request(s): {billed.Sum(r => (long)r.Usage!.TotalInputTokens)} input and {billed.Sum(r => (long)r.Usage!.OutputTokens)} output tokens.");
        return summary.Failed == 0 ? 0 : 1;
    }

    private static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "prompts.csv");
            if (File.Exists(candidate)) return candidate;
        }
        string cwd = Path.Combine(Directory.GetCurrentDirectory(), "samples", "prompts.csv");
        if (!File.Exists(cwd))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cwd)!);
            File.WriteAllText(cwd, "Id,Prompt\n1,Say hello.\n2,Name a colour.\n3,Count to three.\n4,Give a synonym for fast.\n5,Name a planet.\n");
        }
        return cwd;
    }

    private sealed class ConsoleSink : IClaudeOutputSink
    {
        public void WriteObject(object item)
        {
            if (item is not ClaudeBatchResult r) { Console.WriteLine(item); return; }
            string text = r.Status == ClaudeBatchRowStatus.Succeeded ? r.Text : r.ErrorMessage;
            text = text.Replace('\n', ' ');
            if (text.Length > 60) text = text[..57] + "...";
            string cost = r.CostUsd is { } c ? c.ToString("0.000000", CultureInfo.InvariantCulture) : "unknown";
            Console.WriteLine($"{r.RowId,-4} {r.Status,-10} {r.Usage.TotalInputTokens,6} {r.Usage.OutputTokens,6} {cost,10}  {text}");
        }
        public void WriteError(ClaudeError error) { }
        public void WriteWarning(string text) => Console.WriteLine("WARNING: " + text);
        public void WriteVerbose(string text) { }
        public void WriteDebug(string text) { }
        public void WriteProgress(ProgressInfo progress) { }
        public void WriteHostText(string text) { }
    }
}
