using ClaudePS.Emulator;
using ClaudePS.Emulator.Batches;
using ClaudePS.Engine.Batching;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

public sealed class ServerModeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static BatchOptions Fast(BatchOptions? o = null)
    {
        o ??= new BatchOptions();
        o.UseBatchApi = true;
        o.PollInterval = TimeSpan.FromMilliseconds(20);
        o.MaxPollInterval = TimeSpan.FromMilliseconds(100);
        return o;
    }

    [Fact]
    public async Task End_to_end_splits_joins_by_custom_id_and_reports_errored_rows()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        emulator.State.Batches().Options.PerRequestDelay = TimeSpan.Zero;
        var connection = emulator.Connection;
        var rows = new List<BatchRow>
        {
            BatchTest.Row(("Id", "ticket 1"), ("Prompt", "first")),
            BatchTest.Row(("Id", "ticket/1"), ("Prompt", "second")),
            BatchTest.Row(("Id", "t3"), ("Prompt", "third"), ("Model", "invalid-model-x")),
            BatchTest.Row(("Id", "t4"), ("Prompt", "fourth")),
            BatchTest.Row(("Id", "t5")),
            BatchTest.Row(("Id", "t6"), ("Prompt", "sixth")),
            BatchTest.Row(("Id", "t7"), ("Prompt", "seventh")),
        };
        var sink = new CollectingSink();
        var summary = await BatchRunner.RunAsync(connection, Fast(new BatchOptions { MaxRequestsPerBatch = 3 }), rows, sink, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(new[] { "ticket 1", "ticket/1", "t3", "t4", "t5", "t6", "t7" }, sink.Results.Select(r => r.RowId));
        Assert.Contains("first", sink.Results[0].Text);
        Assert.Contains("second", sink.Results[1].Text);
        Assert.Equal("batch", sink.Results[0].Usage.ServiceTier);
        Assert.Equal("ticket_1", sink.Results[0].CustomId);
        Assert.Equal("ticket_1-2", sink.Results[1].CustomId);
        Assert.Equal("ClaudePS.BatchRequestErrored", sink.Results[2].Error!.ErrorId);
        Assert.Contains("invalid-model-x", sink.Results[2].Error!.Message);
        Assert.Equal("ClaudePS.BatchNoPrompt", sink.Results[4].Error!.ErrorId);
        Assert.Equal(2, emulator.State.Batches().List().Count); // 6 requests sent (t5 has no prompt), at most 3 a batch
        Assert.Equal(5, summary.Succeeded);
        // Batch price: half of Haiku 4.5's $1/M in, $5/M out.
        var r = sink.Results[0];
        Assert.Equal((r.Usage.InputTokens * 1m + r.Usage.OutputTokens * 5m) / 1_000_000m / 2m, r.CostUsd);
        Assert.Equal(emulator.State.Batches().SimulatedRequests, summary.Succeeded);
        // The emulator's own accounting billed exactly what the results reported.
        var billed = emulator.State.Accounting.Billed().Where(x => x.Endpoint == "batches").ToArray();
        Assert.Equal(5, billed.Length);
        Assert.Equal(billed.Sum(x => (long)x.Usage!.InputTokens), sink.Results.Sum(x => x.Usage.InputTokens));
    }

    [Fact]
    public async Task NoWait_returns_handles_and_cancel_then_receive_joins_results_to_the_rows_again()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        emulator.State.Batches().Options.PerRequestDelay = TimeSpan.FromMilliseconds(300);
        var connection = emulator.Connection;
        var rows = BatchTest.Rows(6).ToList();
        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, Fast(new BatchOptions { NoWait = true }), rows, sink, CancellationToken.None).WaitAsync(Limit);
        var handle = Assert.IsType<ClaudeBatchInfo>(Assert.Single(sink.Objects));
        Assert.Equal("in_progress", handle.ProcessingStatus);
        Assert.Equal(6, handle.Processing);

        // A later session: only the batch id is known.
        var client = new MessageBatchClient(connection);
        var canceling = await client.CancelAsync(handle.Id, CancellationToken.None);
        Assert.Equal("canceling", canceling.ProcessingStatus);
        var ended = await client.WaitAsync(handle.Id, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), null, Limit, CancellationToken.None);
        Assert.True(ended.IsEnded);
        Assert.True(ended.Canceled >= 5, $"canceled {ended.Canceled}");
        Assert.Equal(6, ended.Succeeded + ended.Canceled);

        var joiner = new BatchResultJoiner(connection, new BatchOptions());
        var received = new CollectingSink();
        await joiner.LoadAsync(handle.Id, received, emitUnjoined: false, CancellationToken.None);
        foreach (var row in rows) joiner.Join(row, received);
        joiner.Finish(received);
        Assert.Equal(rows.Select((_, i) => "r" + (i + 1)), received.Results.Select(x => x.RowId));
        Assert.Contains(received.Results, x => x.Error?.ErrorId == "ClaudePS.BatchRequestCanceled");
        Assert.Empty(received.Warnings);
        Assert.All(received.Results, x => Assert.Equal(handle.Id, x.BatchId));

        await client.DeleteAsync(handle.Id, CancellationToken.None);
        var page = await client.ListAsync(10, null, CancellationToken.None);
        Assert.Empty(page.Batches);
    }

    [Fact]
    public async Task Requests_not_reached_before_expiry_come_back_expired()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        var knobs = emulator.State.Batches().Options;
        knobs.PerRequestDelay = TimeSpan.FromMilliseconds(1);
        knobs.ExpiresAfter = TimeSpan.Zero; // expired on arrival: deterministic
        var connection = emulator.Connection;
        var sink = new CollectingSink();
        var summary = await BatchRunner.RunAsync(connection, Fast(), BatchTest.Rows(4), sink, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(4, sink.Results.Count);
        Assert.All(sink.Results, r => Assert.Equal("ClaudePS.BatchRequestExpired", r.Error?.ErrorId));
        Assert.Equal(4, summary.Failed);
        Assert.Equal(0, emulator.State.Batches().SimulatedRequests);
    }

    [Fact]
    public async Task List_pages_through_batches_newest_first()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        emulator.State.Batches().Options.PerRequestDelay = TimeSpan.Zero;
        var connection = emulator.Connection;
        var client = new MessageBatchClient(connection);
        var created = new List<string>();
        for (int i = 0; i < 5; i++)
            created.Add((await client.CreateAsync(new[] { new KeyValuePair<string, byte[]>("a", System.Text.Encoding.UTF8.GetBytes("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")) }, CancellationToken.None)).Id);
        var seen = new List<string>();
        await client.ListAllAsync(b => seen.Add(b.Id), pageSize: 2, max: null, CancellationToken.None);
        created.Reverse();
        Assert.Equal(created, seen);
        var missing = await Assert.ThrowsAsync<ClaudeException>(() => client.GetAsync("msgbatch_nope", CancellationToken.None));
        Assert.Equal("ClaudePS.NotFound", missing.Error.ErrorId);
        Assert.Throws<ClaudeException>(() => MessageBatchClient.CheckId("../../v1/messages"));
    }
}
