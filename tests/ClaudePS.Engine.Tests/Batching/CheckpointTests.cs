using System.Text;
using ClaudePS.Engine.Batching;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

public sealed class CheckpointTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Rerun_skips_finished_rows_replays_them_and_retries_failed_ones()
    {
        string path = BatchTest.TempPath("run.ckpt.jsonl");
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var rows = BatchTest.Rows(5).Append(BatchTest.Row(("Id", "bad"), ("Prompt", "FAIL now"))).ToList();
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, rows, new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(6, File.ReadAllLines(path).Length); // the header and 5 records
        Assert.DoesNotContain("sk-ant", File.ReadAllText(path));
        Assert.DoesNotContain("\"p1\"", File.ReadAllText(path)); // prompts are hashed, not stored

        var more = BatchTest.Rows(7).Append(BatchTest.Row(("Id", "bad"), ("Prompt", "FAIL now"))).ToList();
        var sink = new CollectingSink();
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, more, sink, CancellationToken.None).WaitAsync(Limit);

        Assert.All(handler.Sent.Where(kv => kv.Key != "FAIL now"), kv => Assert.Equal(1, kv.Value));
        Assert.Equal(2, handler.Sent["FAIL now"]);
        Assert.Equal(5, summary.FromCheckpoint);
        Assert.Equal(8, sink.Results.Count);
        Assert.True(sink.Results[0].FromCheckpoint);
        Assert.Equal("Reply: p1", sink.Results[0].Text);
        Assert.False(sink.Results[6].FromCheckpoint);
    }

    [Fact]
    public async Task A_torn_last_line_is_tolerated_cut_off_and_its_row_sent_again()
    {
        string path = BatchTest.TempPath("torn.jsonl");
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(2), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        File.AppendAllText(path, "{\"v\":1,\"id\":\"r3\",\"hash\":\"ab", Encoding.UTF8); // a kill mid-write

        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(3), sink, CancellationToken.None).WaitAsync(Limit);
        Assert.Contains(sink.Warnings, w => w.Contains("cut short"));
        Assert.Equal(1, handler.Sent["p3"]);
        Assert.Equal(1, handler.Sent["p1"]);

        // The file is readable again: a third run sends nothing.
        var third = new CollectingSink();
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(3), third, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(3, summary.FromCheckpoint);
        Assert.DoesNotContain(third.Warnings, w => w.Contains("unreadable"));
    }

    [Fact]
    public async Task Changed_content_under_the_same_id_is_detected_and_not_sent()
    {
        string path = BatchTest.TempPath("mismatch.jsonl");
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, BatchTest.Rows(2), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);

        var changed = new[] { BatchTest.Row(("Id", "r1"), ("Prompt", "something else")), BatchTest.Row(("Id", "r2"), ("Prompt", "p2")) };
        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = path }, changed, sink, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(ClaudeBatchRowStatus.Skipped, sink.Results[0].Status);
        Assert.Equal("ClaudePS.BatchCheckpointMismatch", sink.Results[0].Error!.ErrorId);
        Assert.False(handler.Sent.ContainsKey("something else"));
        Assert.True(sink.Results[1].FromCheckpoint);
    }

    [Fact]
    public async Task Duplicate_ids_are_rejected_when_a_checkpoint_is_used()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var rows = new[] { BatchTest.Row(("Id", "x"), ("Prompt", "one")), BatchTest.Row(("Id", "x"), ("Prompt", "two")) };
        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { CheckpointPath = BatchTest.TempPath("dup.jsonl") }, rows, sink, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(ClaudeBatchRowStatus.Succeeded, sink.Results[0].Status);
        Assert.Equal("ClaudePS.BatchDuplicateRowId", sink.Results[1].Error!.ErrorId);
    }
}
