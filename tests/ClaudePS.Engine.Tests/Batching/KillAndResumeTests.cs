using System.Diagnostics;
using System.Text.Json;
using ClaudePS.Emulator;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

/// <summary>A real process runs a checkpointed batch, is killed mid-run, and a second run finishes it.</summary>
public sealed class KillAndResumeTests
{
    private const int Rows = 60;
    private const int Throttle = 4;

    private static string WorkerDll() => Worker.Dll();

    private static Process Start(Uri emulator, string checkpoint) => Worker.StartBatch(emulator, checkpoint, Rows, Throttle);

    private static int CountLines(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int n = 0, b;
        while ((b = stream.ReadByte()) >= 0) if (b == '\n') n++;
        return n;
    }

    private static List<string> CheckpointIds(string path)
    {
        var ids = new List<string>();
        foreach (var line in File.ReadAllLines(path))
        {
            try { using var doc = JsonDocument.Parse(line); if (doc.RootElement.TryGetProperty("id", out var id)) ids.Add(id.GetString()!); }
            catch (JsonException) { /* a torn last line: tolerated by design */ }
        }
        return ids;
    }

    /// <summary>Waits (10 s at most) until the emulator's record count has not moved for 600 ms.</summary>
    private static async Task WaitForRequestsToSettleAsync(EmulatorSession emulator)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long last = -1;
        int steady = 0;
        while (steady < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            long now = emulator.State.Accounting.Requests;
            steady = now == last ? steady + 1 : 0;
            last = now;
        }
    }

    [Fact]
    public async Task Killed_run_resumes_sending_each_row_once_and_never_paying_twice_for_a_checkpointed_row()
    {
        Assert.True(File.Exists(WorkerDll()), "TestWorker not built at " + WorkerDll());
        await using var emulator = await EmulatorSession.StartAsync(new EmulatorOptions { LatencyMs = 100 });
        string checkpoint = BatchTest.TempPath("kill.ckpt.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);

        using (var first = Start(emulator.BaseUri, checkpoint))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            _ = first.StandardOutput.ReadToEndAsync(); // keep the pipe drained
            while (DateTime.UtcNow < deadline && CountLines(checkpoint) < 9 && !first.HasExited) // the header and 8 records
                await Task.Delay(10);
            if (first.HasExited) Assert.Fail("the worker finished before it could be killed: " + await first.StandardError.ReadToEndAsync());
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        // The emulator records a request when its handler ends: the killed run's last requests (100 ms of
        // latency each) may still be finishing. Count them for the first run, not the second.
        await WaitForRequestsToSettleAsync(emulator);
        var afterKill = CheckpointIds(checkpoint);
        Assert.InRange(afterKill.Count, 8, Rows - 1);
        long billedByFirst = emulator.State.Accounting.Billed().Count(r => r.Endpoint == "messages");
        // Killed with at most Throttle requests in flight: those are the only ones paid for and not recorded.
        Assert.InRange(billedByFirst, afterKill.Count, afterKill.Count + Throttle);

        using var second = Start(emulator.BaseUri, checkpoint);
        string output = await second.StandardOutput.ReadToEndAsync();
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(second.ExitCode == 0, output + await second.StandardError.ReadToEndAsync());

        var final = CheckpointIds(checkpoint);
        Assert.Equal(Rows, final.Count);
        Assert.Equal(Rows, final.Distinct().Count());
        Assert.Contains($"summary sent={Rows - afterKill.Count} checkpoint={afterKill.Count} failed=0", output);
        long billedBySecond = emulator.State.Accounting.Billed().Count(r => r.Endpoint == "messages") - billedByFirst;
        Assert.Equal(Rows - afterKill.Count, billedBySecond);
        // Every row the first run recorded was replayed, not sent again.
        foreach (var id in afterKill) Assert.Contains($"done {id} checkpoint", output);
    }
}
