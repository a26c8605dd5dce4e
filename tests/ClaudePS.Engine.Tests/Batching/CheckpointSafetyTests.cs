using System.Diagnostics;
using System.Text;
using ClaudePS.Emulator;
using ClaudePS.Engine.Batching;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

/// <summary>Everyday accidents around -CheckpointPath: two runs on one file, a mistyped path, a folder or
/// an unwritable place, damaged lines. None may send a row twice or touch a file that is not a checkpoint.</summary>
public sealed class CheckpointSafetyTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static async Task<ClaudeException> RefusedAsync(string path, FakeMessagesHandler handler)
    {
        using var connection = BatchTest.Connect(handler);
        return await Assert.ThrowsAsync<ClaudeException>(() =>
            BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(3), new CollectingSink(), CancellationToken.None).WaitAsync(Limit));
    }

    [Fact]
    public async Task A_second_run_on_a_checkpoint_in_use_is_refused_and_sends_nothing()
    {
        string path = BatchTest.TempPath("busy.ckpt");
        var handler = new FakeMessagesHandler();
        var gate = handler.Gate("p1");
        using var connection = BatchTest.Connect(handler);
        var first = BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(1), new CollectingSink(), CancellationToken.None);
        while (!handler.Sent.ContainsKey("p1")) await Task.Delay(5).WaitAsync(Limit);

        var second = new FakeMessagesHandler();
        var ex = await RefusedAsync(path, second);
        Assert.Equal("ClaudePS.BatchCheckpointInUse", ex.Error.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Contains("Nothing was sent", ex.Message);
        Assert.Empty(second.Sent);

        gate.SetResult();
        await first.WaitAsync(Limit);
        // The lock is released with the run: the same checkpoint resumes.
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(1), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(1, summary.FromCheckpoint);
    }

    [Theory]
    [InlineData("Id,Prompt\r\nr1,hello\r\nr2,no newline at the end")]
    [InlineData("{\"not\":\"a checkpoint\"}\n")]
    [InlineData("x")]
    public async Task A_file_that_is_not_a_checkpoint_is_refused_and_left_byte_for_byte(string content)
    {
        string path = BatchTest.TempPath("prompts.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(path, bytes);
        var handler = new FakeMessagesHandler();

        var ex = await RefusedAsync(path, handler);
        Assert.Equal("ClaudePS.NotACheckpoint", ex.Error.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Empty(handler.Sent);
        Assert.False(File.Exists(BatchCheckpoint.LockPathFor(path)), "nothing is created beside a file that is not a checkpoint");
    }

    [Fact]
    public async Task A_checkpoint_starts_with_its_header_and_a_torn_header_is_rewritten()
    {
        string path = BatchTest.TempPath("new.ckpt");
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(1), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        Assert.StartsWith(Encoding.UTF8.GetString(BatchCheckpoint.Header), File.ReadAllText(path));

        string torn = BatchTest.TempPath("torn-header.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(torn)!);
        File.WriteAllBytes(torn, BatchCheckpoint.Header.AsSpan(0, 10).ToArray()); // killed while writing the header
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = torn }, BatchTest.Rows(1), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        var lines = File.ReadAllLines(torn);
        Assert.Equal(2, lines.Length);
        Assert.Equal(Encoding.UTF8.GetString(BatchCheckpoint.Header).TrimEnd('\n'), lines[0]);
    }

    [Fact]
    public async Task A_checkpoint_written_before_headers_existed_still_resumes()
    {
        string path = BatchTest.TempPath("legacy.ckpt");
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(2), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        File.WriteAllLines(path, File.ReadAllLines(path).Skip(1)); // what the previous version wrote

        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(3), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(2, summary.FromCheckpoint);
        Assert.Equal(1, handler.Sent["p1"]);
        Assert.Equal(1, handler.Sent["p3"]);
    }

    [Fact]
    public async Task Json_lines_that_are_not_records_are_skipped_with_a_warning()
    {
        string path = BatchTest.TempPath("odd.ckpt");
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(1), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        File.AppendAllText(path, "{\"v\":1,\"id\":5,\"hash\":\"x\"}\n[1,2]\n\"text\"\n{\"v\":1,\"id\":\"r2\",\"hash\":{}}\n");

        var sink = new CollectingSink();
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(2), sink, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(1, summary.FromCheckpoint);
        Assert.Contains(sink.Warnings, w => w.Contains("4 unreadable line(s)") && w.Contains(path));
        Assert.Equal(1, handler.Sent["p2"]);
    }

    [Fact]
    public async Task A_folder_or_an_unwritable_place_is_a_named_error_with_the_path()
    {
        string folder = BatchTest.TempPath("a-folder");
        Directory.CreateDirectory(folder);
        var handler = new FakeMessagesHandler();
        var ex = await RefusedAsync(folder, handler);
        Assert.Equal("ClaudePS.BatchCheckpointUnavailable", ex.Error.ErrorId);
        Assert.Contains(folder, ex.Message);
        Assert.Contains("folder", ex.Message);

        // A file where the checkpoint's folder should be: the folder cannot be created.
        string blocker = BatchTest.TempPath("blocker");
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "");
        string inside = Path.Combine(blocker, "run.ckpt");
        ex = await RefusedAsync(inside, handler);
        Assert.Equal("ClaudePS.BatchCheckpointUnavailable", ex.Error.ErrorId);
        Assert.Contains(inside, ex.Message);
        Assert.Contains("-CheckpointPath", ex.Message);
        Assert.Empty(handler.Sent);
    }

    [Fact]
    public async Task Two_processes_on_one_checkpoint_the_second_is_refused_and_every_row_is_billed_once()
    {
        Assert.True(File.Exists(Worker.Dll()), "TestWorker not built at " + Worker.Dll());
        const int rows = 12;
        await using var emulator = await EmulatorSession.StartAsync(new EmulatorOptions { LatencyMs = 150 });
        string checkpoint = BatchTest.TempPath("shared.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);

        using var first = Worker.StartBatch(emulator.BaseUri, checkpoint, rows, throttle: 2);
        var firstOut = first.StandardOutput.ReadToEndAsync();
        // Wait until the first run holds the checkpoint (its header is written) and is sending.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && emulator.State.Accounting.Requests == 0 && !first.HasExited) await Task.Delay(10);
        Assert.False(first.HasExited, "the first run ended before the second could start");

        using var second = Worker.StartBatch(emulator.BaseUri, checkpoint, rows, throttle: 2);
        string secondOut = await second.StandardOutput.ReadToEndAsync();
        await second.WaitForExitAsync().WaitAsync(Limit);
        Assert.True(second.ExitCode == 3, secondOut + await second.StandardError.ReadToEndAsync());
        Assert.Contains("error ClaudePS.BatchCheckpointInUse", secondOut);
        Assert.Contains(checkpoint, secondOut);

        await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains($"summary sent={rows} checkpoint=0 failed=0", await firstOut);
        Assert.Equal(rows, emulator.State.Accounting.Billed().Count(r => r.Endpoint == "messages"));
    }
}

/// <summary>Starts tests/ClaudePS.TestWorker as a separate process.</summary>
internal static class Worker
{
    public static string Dll()
    {
        // tests/ClaudePS.Engine.Tests/bin/<Configuration>/net10.0/ -> tests/ClaudePS.TestWorker/bin/<Configuration>/net10.0/
        var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = dir.Name, configuration = dir.Parent!.Name;
        var testsRoot = dir.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(testsRoot, "ClaudePS.TestWorker", "bin", configuration, tfm, "ClaudePS.TestWorker.dll");
    }

    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    public static Process StartBatch(Uri emulator, string checkpoint, int rows, int throttle, params string[] extra) =>
        Start(new[] { "batch-run", "--base-uri", emulator.ToString(), "--checkpoint", checkpoint, "--rows", rows.ToString(), "--throttle", throttle.ToString() }.Concat(extra).ToArray());
}
