using System.Diagnostics;
using System.Text.Json;
using ClaudePS.Emulator;
using ClaudePS.Engine.Usage;
using Xunit;
using Xunit.Abstractions;

namespace ClaudePS.Engine.Tests.Batching;

/// <summary>
/// A checkpointed batch with a ledger, run in a real process and killed (SIGKILL) at random moments over
/// and over (during replies, checkpoint appends and ledger appends alike), each time resumed, then run to
/// the end. Checks the invariants a crash must not break and reports the figures. The number of kills is
/// CLAUDEPS_CRASH_RUNS (default 8, bounded in time); bench/crash-resume.ps1 runs it with a larger N.
/// </summary>
public sealed class CrashResumeTests
{
    private const int Throttle = 4;
    private readonly ITestOutputHelper _output;

    public CrashResumeTests(ITestOutputHelper output) => _output = output;

    private static int Runs() =>
        int.TryParse(Environment.GetEnvironmentVariable("CLAUDEPS_CRASH_RUNS"), out int n) && n > 0 ? n : 8;

    private static Dictionary<string, string> CheckpointRows(string path)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal); // row id -> request id
        if (!File.Exists(path)) return rows;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("id", out var id))
                {
                    Assert.False(rows.ContainsKey(id.GetString()!), $"row {id.GetString()} is in the checkpoint twice");
                    rows[id.GetString()!] = doc.RootElement.GetProperty("req").GetString()!;
                }
            }
            catch (JsonException) { /* a torn last line: cut off by the next run */ }
        }
        return rows;
    }

    private static async Task SettleAsync(EmulatorSession emulator)
    {
        // The emulator records a request when its handler ends; a killed client's requests end quickly.
        long last = -1;
        for (int steady = 0, i = 0; steady < 3 && i < 100; i++)
        {
            await Task.Delay(100);
            long now = emulator.State.Accounting.Requests;
            steady = now == last ? steady + 1 : 0;
            last = now;
        }
    }

    private static int BilledMessages(EmulatorSession emulator) => emulator.State.Accounting.Billed().Count(r => r.Endpoint == "messages");

    [Fact]
    public async Task Batches_killed_at_random_moments_and_resumed_end_with_every_row_once_and_the_ledger_matching_the_emulator()
    {
        Assert.True(File.Exists(Worker.Dll()), "TestWorker not built at " + Worker.Dll());
        await using var emulator = await EmulatorSession.StartAsync(new EmulatorOptions { LatencyMs = 25 });
        string checkpoint = BatchTest.TempPath("crash.ckpt");
        string home = Path.Combine(Path.GetDirectoryName(checkpoint)!, "home");
        Directory.CreateDirectory(home);
        var random = new Random(Environment.TickCount);
        int runs = Runs(), kills = 0, resentCheckpointed = 0;
        int rowCount = Math.Max(80, runs * 12); // enough rows that every kill lands in a running batch
        var watch = Stopwatch.StartNew();
        string[] extra = { "--home", home };

        string? finalOutput = null;
        for (int run = 0; run <= runs && finalOutput is null; run++)
        {
            var before = CheckpointRows(checkpoint);
            int billedBefore = BilledMessages(emulator);
            using var worker = Worker.StartBatch(emulator.BaseUri, checkpoint, rowCount, Throttle, extra);
            var stdout = worker.StandardOutput.ReadToEndAsync();
            var stderr = worker.StandardError.ReadToEndAsync();
            bool killed = false;
            if (run < runs)
            {
                // Kill once this run has made progress (so the batch always advances), a random 0-60 ms later:
                // mid-reply, mid-checkpoint append or mid-ledger append, wherever it falls.
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (!worker.HasExited && CheckpointRows(checkpoint).Count == before.Count && DateTime.UtcNow < deadline) await Task.Delay(5);
                await Task.Delay(random.Next(0, 60));
                if (!worker.HasExited)
                {
                    worker.Kill(); // SIGKILL on Linux and macOS, TerminateProcess on Windows
                    killed = true;
                    kills++;
                }
            }
            await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await SettleAsync(emulator);
            string output = await stdout;
            if (!killed)
            {
                Assert.True(worker.ExitCode == 0, $"run {run} failed (exit {worker.ExitCode}): {output} {await stderr}");
                finalOutput = output;
            }
            // A row in the checkpoint when this run started is replayed, never sent: this run paid for
            // at most the rows that were missing.
            int billedByRun = BilledMessages(emulator) - billedBefore;
            if (billedByRun > rowCount - before.Count) resentCheckpointed += billedByRun - (rowCount - before.Count);
        }
        Assert.NotNull(finalOutput);
        _output.WriteLine($"kills asked={runs}, done={kills} (fewer when the batch finished first)");

        // Every row exactly once in the output of the run that finished, and once in the checkpoint.
        var done = finalOutput!.Split('\n').Where(l => l.StartsWith("done ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(rowCount, done.Count);
        Assert.Equal(Enumerable.Range(1, rowCount).Select(i => "r" + i).OrderBy(x => x), done.OrderBy(x => x));
        var final = CheckpointRows(checkpoint);
        Assert.Equal(rowCount, final.Count);
        Assert.Equal(0, resentCheckpointed);

        // The emulator billed each checkpointed reply once; what else it billed are replies a kill cut off
        // before the client could record them (at most Throttle in flight per kill).
        var billed = emulator.State.Accounting.Billed().Where(r => r.Endpoint == "messages").ToList();
        var billedIds = billed.Select(r => r.RequestId).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(billed.Count, billedIds.Count);
        Assert.All(final.Values, req => Assert.Contains(req, billedIds));
        int lostReplies = billed.Count - rowCount;
        Assert.InRange(lostReplies, 0, kills * Throttle);

        // The ledger: no record the emulator did not bill, none twice, the same tokens as the emulator's
        // accounting; missing only replies a kill cut off before the ledger append.
        var ledger = new List<LedgerRecord>();
        var reader = new LedgerReader();
        foreach (var file in Directory.GetFiles(Path.Combine(home, "ledger"), "usage-*.jsonl")) reader.Read(file, ledger.Add);
        var ledgerIds = ledger.Select(r => r.RequestId!).ToList();
        Assert.Equal(ledgerIds.Count, ledgerIds.Distinct().Count());
        var byId = billed.ToDictionary(r => r.RequestId, StringComparer.Ordinal);
        foreach (var r in ledger)
        {
            Assert.True(byId.TryGetValue(r.RequestId!, out var e), $"ledger record {r.RequestId} was not billed by the emulator");
            Assert.Equal((long)e!.Usage!.InputTokens, r.InputTokens);
            Assert.Equal((long)e.Usage.OutputTokens, r.OutputTokens);
        }
        Assert.All(final.Values, req => Assert.Contains(req, ledgerIds));
        int missingFromLedger = billed.Count - ledger.Count;
        Assert.InRange(missingFromLedger, 0, lostReplies);

        _output.WriteLine($"rows={rowCount} throttle={Throttle} kills={kills} runs={kills + 1} seconds={watch.Elapsed.TotalSeconds:0.0}");
        _output.WriteLine($"output rows={done.Count} (distinct {done.Distinct().Count()}), checkpointed rows re-sent={resentCheckpointed}");
        _output.WriteLine($"emulator billed={billed.Count}: {rowCount} recorded replies + {lostReplies} replies cut off by a kill before the checkpoint append (sent again on resume)");
        _output.WriteLine($"ledger records={ledger.Count} (all billed, token counts equal); billed but not in the ledger={missingFromLedger} (killed between the reply and the ledger append); ledger problems={reader.Problems.Sum(p => p.Count)}");
    }
}
