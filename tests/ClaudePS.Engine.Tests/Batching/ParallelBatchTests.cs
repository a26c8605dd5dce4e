using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

public sealed class ParallelBatchTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Output_keeps_input_order_even_when_the_first_row_finishes_last()
    {
        var handler = new FakeMessagesHandler();
        var first = handler.Gate("p1");
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var run = BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 4 }, BatchTest.Rows(12), sink, CancellationToken.None);
        // Every other row can finish while p1 is held; then let it go.
        while (handler.Sent.Count < 4) await Task.Delay(10);
        first.SetResult();
        var summary = await run.WaitAsync(Limit);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => "r" + i), sink.Results.Select(r => r.RowId));
        Assert.All(sink.Results, r => Assert.Equal(ClaudeBatchRowStatus.Succeeded, r.Status));
        Assert.Equal("Reply: p3", sink.Results[2].Text);
        Assert.Equal(12, summary.Succeeded);
        Assert.True(handler.MaxInFlight <= 4, $"at most 4 in flight, saw {handler.MaxInFlight}");
    }

    [Fact]
    public async Task AsCompleted_writes_rows_as_they_finish()
    {
        var handler = new FakeMessagesHandler();
        var first = handler.Gate("p1");
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var run = BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 3, AsCompleted = true }, BatchTest.Rows(6), sink, CancellationToken.None);
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            lock (sink) if (sink.Results.Count >= 5) break;
            Assert.True(DateTime.UtcNow < deadline, "rows 2-6 did not finish while row 1 was held");
            await Task.Delay(10);
        }
        first.SetResult();
        await run.WaitAsync(Limit);
        Assert.Equal(6, sink.Results.Count);
        Assert.Equal("r1", sink.Results[^1].RowId);
    }

    [Fact]
    public async Task A_failed_row_is_an_output_row_with_its_columns_and_also_an_error()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var rows = new[]
        {
            BatchTest.Row(("Id", "a"), ("Prompt", "hello"), ("Owner", "ann")),
            BatchTest.Row(("Id", "b"), ("Prompt", "FAIL please"), ("Owner", "bob")),
            BatchTest.Row(("Id", "c"), ("Owner", "cy")),
            BatchTest.Row(("Id", "d"), ("Question", "via alias"), ("MaxTokens", "lots")),
            BatchTest.Row(("Id", "e"), ("Text", "via Text alias"), ("Model", "claude-sonnet-4-6"), ("Effort", "low")),
        };
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions(), rows, sink, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, sink.Results.Select(r => r.RowId));
        var b = sink.Results[1];
        Assert.Equal(ClaudeBatchRowStatus.Failed, b.Status);
        Assert.Equal("ClaudePS.InvalidRequest", b.Error!.ErrorId);
        Assert.Equal("bob", b.Columns.Single(c => c.Key == "Owner").Value);
        Assert.Equal("ClaudePS.BatchNoPrompt", sink.Results[2].Error!.ErrorId);
        Assert.Equal("ClaudePS.BatchInvalidColumn", sink.Results[3].Error!.ErrorId);
        Assert.Equal(ClaudeBatchRowStatus.Succeeded, sink.Results[4].Status);
        Assert.Equal("claude-sonnet-4-6", sink.Results[4].Model);
        Assert.Equal(3, sink.Errors.Count);
        Assert.Same(rows[1].Original, sink.Errors[0].Target);
        Assert.Equal(2, summary.Succeeded);
        Assert.Equal(3, summary.Failed);
        Assert.DoesNotContain("FAIL please", handler.Sent.Keys.Where(k => handler.Sent[k] > 1));
    }

    [Fact]
    public async Task Template_fills_columns_and_a_missing_column_is_a_per_row_error()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var rows = new[]
        {
            BatchTest.Row(("Title", "Dune"), ("Author", "Herbert")),
            BatchTest.Row(("Title", "Emma")),
        };
        await BatchRunner.RunAsync(connection, new BatchOptions { PromptTemplate = "Summarise {{Title}} by {{ Author }}." }, rows, sink, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal("Reply: Summarise Dune by Herbert.", sink.Results[0].Text);
        Assert.Equal(ClaudeBatchRowStatus.Failed, sink.Results[1].Status);
        Assert.Equal("ClaudePS.BatchTemplateColumnMissing", sink.Results[1].Error!.ErrorId);
        Assert.Contains("Author", sink.Results[1].Error!.Message);
        Assert.Single(handler.Sent);
    }

    [Fact]
    public async Task Reorder_buffer_is_bounded_and_input_waits_for_the_head_row()
    {
        var handler = new FakeMessagesHandler();
        var head = handler.Gate("p1");
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var options = new BatchOptions { ThrottleLimit = 2, ReorderBufferSize = 4 };
        using var runner = new BatchRunner(connection, options, CancellationToken.None);
        long added = 0;
        var feeder = Task.Factory.StartNew(() =>
        {
            foreach (var row in BatchTest.Rows(10)) { runner.Add(row, sink); Interlocked.Increment(ref added); }
            runner.Complete(sink);
        }, TaskCreationOptions.LongRunning);

        // Rows 2..4 finish, row 1 is held: the 5th row cannot be admitted.
        while (handler.Sent.Count < 4) await Task.Delay(10);
        await Task.Delay(200);
        Assert.Equal(4, Interlocked.Read(ref added));
        Assert.Equal(4, runner.WindowSize);
        Assert.True(runner.AdmittedHighWater <= 4);
        Assert.Empty(sink.Results);

        head.SetResult();
        await feeder.WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => "r" + i), sink.Results.Select(r => r.RowId));
        Assert.True(runner.AdmittedHighWater <= 4, $"high water {runner.AdmittedHighWater}");
    }

    // Haiku 4.5: $1/M in, $5/M out. A row's worst case (9 in + 100 out) is $0.000509; what the fake
    // handler really bills for a row (10 in + 5 out) is $0.000035.

    [Fact]
    public async Task Rows_waiting_for_their_turn_hold_no_reservation_so_real_spend_decides()
    {
        // Issue 19: with -ThrottleLimit 1, rows admitted behind the first one used to hold their worst cases,
        // so three rows' reservations stopped the run although almost nothing had been spent.
        var handler = new FakeMessagesHandler();
        var head = handler.Gate("p1");
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var options = new BatchOptions { MaxTokens = 100, MaxCostUsd = 0.0016m, ThrottleLimit = 1 };
        BatchSummary summary;
        using (var runner = new BatchRunner(connection, options, CancellationToken.None))
        {
            foreach (var row in BatchTest.Rows(8)) runner.Add(row, sink);
            head.SetResult();
            summary = await Task.Run(() => runner.Complete(sink)).WaitAsync(Limit);
        }

        Assert.All(sink.Results, r => Assert.Equal(ClaudeBatchRowStatus.Succeeded, r.Status));
        Assert.Equal(8, handler.Sent.Count);
        Assert.Empty(sink.Errors);
        Assert.True(summary.CostUsd <= options.MaxCostUsd);
    }

    [Fact]
    public async Task Budget_skips_a_row_only_when_spent_plus_its_worst_case_passes_the_limit()
    {
        var handler = new FakeMessagesHandler();
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        // After three rows 0.000105 is spent: the fourth fits (0.000614), the fifth does not (0.000649).
        var options = new BatchOptions { MaxTokens = 100, MaxCostUsd = 0.00063m, ThrottleLimit = 1 };
        var summary = await BatchRunner.RunAsync(connection, options, BatchTest.Rows(8), sink, CancellationToken.None).WaitAsync(Limit);

        var sent = sink.Results.Where(r => r.Status == ClaudeBatchRowStatus.Succeeded).Select(r => r.RowId).ToArray();
        var skipped = sink.Results.Where(r => r.Status == ClaudeBatchRowStatus.Skipped).ToArray();
        Assert.Equal(new[] { "r1", "r2", "r3", "r4" }, sent);
        Assert.Equal(new[] { "r5", "r6", "r7", "r8" }, skipped.Select(r => r.RowId));
        Assert.All(skipped, r => Assert.Equal("ClaudePS.BudgetExceeded", r.Error!.ErrorId));
        Assert.All(skipped, r => Assert.Contains("0.00014 USD spent", r.Error!.Message));
        Assert.Contains(sink.Errors, e => e.ErrorId == "ClaudePS.BudgetExceeded" && e.Message.Contains("4 row(s) were not sent"));
        Assert.Equal(4, handler.Sent.Count);
        Assert.Contains(sink.Warnings, w => w.Contains("4 row(s) were not sent") && w.Contains("r5") && w.Contains("r8"));
        Assert.True(summary.CostUsd <= options.MaxCostUsd);
        Assert.Equal(8, sink.Results.Count);
    }

    [Fact]
    public async Task Rows_in_flight_never_overshoot_the_limit_together_and_a_row_that_does_not_fit_yet_waits()
    {
        var handler = new FakeMessagesHandler();
        var gates = Enumerable.Range(1, 3).Select(i => handler.Gate("p" + i)).ToArray();
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        // Three worst cases fit in the limit, four do not: with eight slots, at most three rows are in flight.
        var options = new BatchOptions { MaxTokens = 100, MaxCostUsd = 0.0016m, ThrottleLimit = 8 };
        BatchSummary summary;
        using (var runner = new BatchRunner(connection, options, CancellationToken.None))
        {
            foreach (var row in BatchTest.Rows(8)) runner.Add(row, sink);
            for (var deadline = DateTime.UtcNow.AddSeconds(20); Volatile.Read(ref handler.InFlight) < 3 && DateTime.UtcNow < deadline;) await Task.Delay(10);
            await Task.Delay(100); // room for a fourth row to start, were the limit not enforced
            Assert.Equal(3, Volatile.Read(ref handler.InFlight));
            foreach (var gate in gates) gate.SetResult();
            summary = await Task.Run(() => runner.Complete(sink)).WaitAsync(Limit);
        }

        Assert.True(handler.MaxInFlight <= 3, $"max in flight {handler.MaxInFlight}");
        Assert.All(sink.Results, r => Assert.Equal(ClaudeBatchRowStatus.Succeeded, r.Status));
        Assert.True(summary.CostUsd <= options.MaxCostUsd);
    }

    [Fact]
    public void WhatIf_estimate_counts_rows_models_tokens_and_a_cost_range_without_a_connection()
    {
        var rows = new List<BatchRow>(BatchTest.Rows(10)) { BatchTest.Row(("Id", "x"), ("Prompt", "hi"), ("Model", "claude-opus-4-1")), BatchTest.Row(("Id", "y")) };
        var estimate = BatchEstimator.Estimate(new BatchOptions { MaxTokens = 200, Model = BatchTest.Model }, BatchTest.Model, PriceTable.Shipped, rows);
        Assert.Equal(12, estimate.Rows);
        Assert.Equal(1, estimate.InvalidRows);
        Assert.Equal(new[] { "claude-haiku-4-5", "claude-opus-4-1" }, estimate.Models);
        Assert.Equal(11 * 200, estimate.MaxOutputTokens);
        Assert.True(estimate.EstimatedInputTokens > 0);
        Assert.True(estimate.MinCostUsd > 0 && estimate.MaxCostUsd > estimate.MinCostUsd);

        var batch = BatchEstimator.Estimate(new BatchOptions { MaxTokens = 200, Model = BatchTest.Model, UseBatchApi = true }, BatchTest.Model, PriceTable.Shipped, rows);
        Assert.Equal(estimate.MaxCostUsd / 2, batch.MaxCostUsd);
        Assert.Contains("12 rows", estimate.ToString());

        var unknown = BatchEstimator.Estimate(new BatchOptions { Model = "claude-made-up-9" }, BatchTest.Model, PriceTable.Shipped, BatchTest.Rows(2));
        Assert.Null(unknown.MaxCostUsd);
    }

    [Fact]
    public async Task Stopping_keeps_finished_rows_and_does_not_send_the_rest()
    {
        var handler = new FakeMessagesHandler();
        handler.Gate("p3");
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 1 }, BatchTest.Rows(6), sink, cts.Token);
        while (!handler.Sent.ContainsKey("p3")) await Task.Delay(10);
        int sentAtStop = handler.Sent.Count;
        cts.Cancel();
        var summary = await run.WaitAsync(Limit);
        Assert.True(summary.Stopped);
        Assert.Equal(sentAtStop, handler.Sent.Count); // nothing sent after the stop
        var r3 = sink.Results.Single(r => r.RowId == "r3");
        Assert.Equal(ClaudeBatchRowStatus.Skipped, r3.Status);
        Assert.Equal("ClaudePS.BatchStopped", r3.Error!.ErrorId);
        // Rows that finished before the stop are kept, each sent once.
        Assert.All(sink.Results.Where(r => r.Status == ClaudeBatchRowStatus.Succeeded), r => Assert.Equal(1, handler.Sent["p" + r.RowId[1..]]));
        Assert.Equal(6, sink.Results.Count);
    }
}
