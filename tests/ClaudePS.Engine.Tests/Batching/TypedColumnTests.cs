using System.Text.Json;
using ClaudePS.Emulator;
using ClaudePS.Emulator.Batches;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

public sealed class TypedColumnTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private const string FiveFields = """
        {"type":"object","properties":{
          "Category":{"type":"string","enum":["Billing","Outage"]},
          "Priority":{"type":"integer"},
          "Score":{"type":"number"},
          "Urgent":{"type":"boolean"},
          "Owner":{"type":["string","null"]},
          "Detail":{"type":"object","properties":{"a":{"type":"integer"}}},
          "Tags":{"type":"array","items":{"type":"string"}}},
         "required":["Category","Priority","Score","Urgent","Detail","Tags"],
         "additionalProperties":false}
        """;

    private static IReadOnlyList<KeyValuePair<string, object?>>? Project(string reply, out ClaudeError? error) =>
        TypedColumnSchema.Parse(FiveFields).TryProject(reply, "end_turn", out error);

    [Fact]
    public void Fields_come_in_schema_order_typed_as_the_schema_says()
    {
        var fields = Project("""{"Tags":[ "x", "y" ],"Detail":{ "a": 1 },"Urgent":true,"Score":2,"Priority":3,"Category":"Outage","Owner":null}""", out var error);
        Assert.Null(error);
        Assert.Equal(new[] { "Category", "Priority", "Score", "Urgent", "Owner", "Detail", "Tags" }, fields!.Select(f => f.Key));
        Assert.Equal("Outage", fields![0].Value);
        Assert.Equal(3L, fields[1].Value);
        Assert.Equal(2.0, fields[2].Value);
        Assert.Equal(true, fields[3].Value);
        Assert.Null(fields[4].Value);
        Assert.Equal("""{"a":1}""", fields[5].Value);
        Assert.Equal("""["x","y"]""", fields[6].Value);
    }

    [Theory]
    [InlineData("""{"Category":"Billing","Priority":1,"Score":1,"Urgent":true,"Tags":[]}""", "required field 'Detail' is missing")]
    [InlineData("""{"Category":"Billing","Priority":"1","Score":1,"Urgent":true,"Detail":{},"Tags":[]}""", "'Priority' is a JSON string, but the schema asks for a integer")]
    [InlineData("""{"Category":"Billing","Priority":1.5,"Score":1,"Urgent":true,"Detail":{},"Tags":[]}""", "'Priority' is a JSON number")]
    [InlineData("""{"Category":"Sales","Priority":1,"Score":1,"Urgent":true,"Detail":{},"Tags":[]}""", "not one of")]
    [InlineData("""{"Category":"Billing","Priority":1,"Score":1,"Urgent":true,"Detail":{},"Tags":[],"Extra":1}""", "field 'Extra'")]
    [InlineData("""{"Category":"Billing","Priority":1,"Score":1,"Urgent":null,"Detail":{},"Tags":[]}""", "'Urgent' is null")]
    [InlineData("""[1,2]""", "not an object")]
    [InlineData("""{"Category":"Bill""", "not valid JSON")]
    public void A_reply_that_does_not_fit_is_a_named_error(string reply, string why)
    {
        Assert.Null(Project(reply, out var error));
        Assert.Equal("ClaudePS.InvalidStructuredOutput", error!.ErrorId);
        Assert.Contains(why, error.Message);
        Assert.Equal(reply, error.PartialText);
    }

    [Fact]
    public void An_integral_number_fits_an_integer_field_and_a_fenced_reply_is_read()
    {
        var fields = Project("```json\n{\"Category\":\"Billing\",\"Priority\":4.0,\"Score\":1,\"Urgent\":false,\"Detail\":{},\"Tags\":[]}\n```", out var error);
        Assert.Null(error);
        Assert.Equal(4L, fields![1].Value);
    }

    [Fact]
    public void A_schema_without_top_level_properties_is_rejected()
    {
        var ex = Assert.Throws<ClaudeException>(() => TypedColumnSchema.Parse("""{"type":"string"}"""));
        Assert.Equal("ClaudePS.InvalidSchema", ex.Error.ErrorId);
    }

    [Fact]
    public void Attachment_paths_come_from_one_path_a_semicolon_list_or_an_array()
    {
        Assert.Equal(new[] { "a.pdf" }, BatchRequestFeatures.AttachmentPathsOf(BatchTest.Row(("Attachment", "a.pdf")), null, out _));
        Assert.Equal(new[] { "a.pdf", "b.png" }, BatchRequestFeatures.AttachmentPathsOf(BatchTest.Row(("Attachments", " a.pdf ; b.png;")), null, out _));
        Assert.Equal(new[] { "a.pdf", "b.png" }, BatchRequestFeatures.AttachmentPathsOf(BatchTest.Row(("Scan", new object[] { "a.pdf", "b.png" })), "Scan", out _));
        Assert.Empty(BatchRequestFeatures.AttachmentPathsOf(BatchTest.Row(("Prompt", "x")), null, out _)!);
        Assert.Null(BatchRequestFeatures.AttachmentPathsOf(BatchTest.Row(("Prompt", "x")), "Scan", out var missing));
        Assert.Equal("Scan", missing);
    }

    [Fact]
    public async Task Against_the_emulator_every_row_gets_typed_columns_and_a_mismatch_fails_only_its_row()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        var connection = emulator.Connection;
        var rows = Enumerable.Range(1, 8).Select(i => i == 5
            ? BatchTest.Row(("Id", "r5"), ("Prompt", "ticket 5"), ("MaxTokens", "4")) // cut off: not JSON
            : BatchTest.Row(("Id", "r" + i), ("Prompt", "ticket " + i))).ToList();
        var sink = new CollectingSink();
        var summary = await BatchRunner.RunAsync(connection, new BatchOptions { JsonSchema = FiveFields, ThrottleLimit = 3 }, rows, sink, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(Enumerable.Range(1, 8).Select(i => "r" + i), sink.Results.Select(r => r.RowId));
        Assert.Equal(7, summary.Succeeded);
        var ok = sink.Results[0];
        Assert.Equal("Billing", ok.Fields[0].Value);
        Assert.IsType<long>(ok.Fields[1].Value);
        Assert.IsType<double>(ok.Fields[2].Value);
        Assert.IsType<bool>(ok.Fields[3].Value);
        var bad = sink.Results[4];
        Assert.Equal(ClaudeBatchRowStatus.Failed, bad.Status);
        Assert.Equal("ClaudePS.InvalidStructuredOutput", bad.Error!.ErrorId);
        Assert.Contains("max_tokens", bad.Error.Message);
        Assert.Empty(bad.Fields);
        Assert.True(bad.Usage.OutputTokens > 0); // billed, and reported as such
        Assert.NotNull(bad.CostUsd);
        Assert.Single(sink.Errors);
    }

    [Fact]
    public async Task The_schema_is_sent_and_cached_with_the_shared_system_prompt()
    {
        // What is under test is where ClaudePS puts the breakpoint, so the emulator caches any marked prefix
        // (by default it keeps the model's own minimum, which is above this prompt).
        await using var emulator = await BatchTest.StartEmulatorAsync(new EmulatorOptions { CacheMinTokens = 0 });
        var connection = emulator.Connection;
        // About 900 tokens of system prompt: too short alone, long enough with the schema to pass 1,024.
        string system = string.Concat(Enumerable.Repeat("Classify the ticket. ", 180));
        string schema = """{"type":"object","properties":{""" + string.Join(",", Enumerable.Range(1, 12).Select(i => $"\"Field{i}\":{{\"type\":\"string\",\"description\":\"the ticket's field number {i}, as written\"}}")) + "}}";
        var rows = BatchTest.Rows(6).ToList();
        var cached = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { System = system, JsonSchema = schema, ThrottleLimit = 1 }, rows, cached, CancellationToken.None).WaitAsync(Limit);
        Assert.All(cached.Results, r => Assert.Equal(ClaudeBatchRowStatus.Succeeded, r.Status));
        Assert.True(cached.Results.Skip(1).All(r => r.Usage.CacheReadTokens > 0), "rows after the first read the shared prefix from the cache");
        Assert.True(JsonDocument.Parse(cached.Results[0].Text).RootElement.TryGetProperty("Field12", out _), "the schema was sent");

        var plain = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { System = system, ThrottleLimit = 1 }, BatchTest.Rows(2, "q"), plain, CancellationToken.None).WaitAsync(Limit);
        Assert.All(plain.Results, r => Assert.Equal(0, r.Usage.CacheReadTokens + r.Usage.CacheWriteTokens));
    }

    [Fact]
    public async Task Resume_rebuilds_typed_columns_from_the_checkpoint_and_a_changed_schema_is_not_replayed()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        var connection = emulator.Connection;
        string path = BatchTest.TempPath("typed.jsonl");
        var options = new BatchOptions { JsonSchema = FiveFields, CheckpointPath = path };
        await BatchRunner.RunAsync(connection, options, BatchTest.Rows(4), new CollectingSink(), CancellationToken.None).WaitAsync(Limit);
        long sent = emulator.State.Accounting.Billed().Count();

        var again = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { JsonSchema = FiveFields, CheckpointPath = path }, BatchTest.Rows(4), again, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(sent, emulator.State.Accounting.Billed().Count());
        Assert.All(again.Results, r => Assert.True(r.FromCheckpoint));
        Assert.All(again.Results, r => Assert.IsType<long>(r.Fields[1].Value));

        var changed = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { JsonSchema = FiveFields.Replace("Owner", "Assignee"), CheckpointPath = path }, BatchTest.Rows(1), changed, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal("ClaudePS.BatchCheckpointMismatch", changed.Results[0].Error!.ErrorId);
    }

    [Fact]
    public async Task A_missing_attachment_fails_its_row_before_sending_and_files_are_sent_and_estimated()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        var connection = emulator.Connection;
        string pdf = BatchTest.TempPath("doc.pdf");
        Directory.CreateDirectory(Path.GetDirectoryName(pdf)!);
        File.WriteAllText(pdf, "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF");
        var rows = new[]
        {
            BatchTest.Row(("Id", "a"), ("Prompt", "extract"), ("Attachment", pdf)),
            BatchTest.Row(("Id", "b"), ("Prompt", "extract"), ("Attachment", pdf + ".missing")),
            BatchTest.Row(("Id", "c"), ("Prompt", "extract")),
        };
        var options = new BatchOptions { JsonSchema = FiveFields };
        var estimate = BatchEstimator.Estimate(options, BatchTest.Model, PriceTable.Shipped, rows);
        Assert.Equal(1, estimate.InvalidRows);
        Assert.True(estimate.EstimatedInputTokens > 1500, $"a PDF page counts in the estimate ({estimate.EstimatedInputTokens})");

        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, options, rows, sink, CancellationToken.None).WaitAsync(Limit);
        Assert.Equal(ClaudeBatchRowStatus.Succeeded, sink.Results[0].Status);
        Assert.Equal("ClaudePS.AttachmentNotFound", sink.Results[1].Error!.ErrorId);
        Assert.StartsWith("Row b: ", sink.Results[1].Error!.Message);
        Assert.Equal(ClaudeBatchRowStatus.Succeeded, sink.Results[2].Status);
        Assert.True(sink.Results[0].Usage.InputTokens > sink.Results[2].Usage.InputTokens);
        Assert.Equal(2, emulator.State.Accounting.Billed().Count());

        // Through the Message Batches API: the file is in the submitted request, typed columns join back.
        emulator.State.Batches().Options.PerRequestDelay = TimeSpan.Zero;
        var server = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { JsonSchema = FiveFields, UseBatchApi = true, PollInterval = TimeSpan.FromMilliseconds(20), MaxPollInterval = TimeSpan.FromMilliseconds(100) },
            new[] { rows[0], rows[2] }, server, CancellationToken.None).WaitAsync(Limit);
        Assert.All(server.Results, r => Assert.Equal(ClaudeBatchRowStatus.Succeeded, r.Status));
        Assert.Equal("batch", server.Results[0].Usage.ServiceTier);
        Assert.Equal(sink.Results[0].Usage.InputTokens, server.Results[0].Usage.InputTokens);
        Assert.Equal(sink.Results[0].Fields.Select(f => f.Key), server.Results[0].Fields.Select(f => f.Key));
    }

    [Fact]
    public async Task Results_received_later_with_the_schema_get_the_typed_columns_joined_or_not()
    {
        await using var emulator = await BatchTest.StartEmulatorAsync();
        emulator.State.Batches().Options.PerRequestDelay = TimeSpan.Zero;
        var connection = emulator.Connection;
        var rows = BatchTest.Rows(3).ToList();
        var submitted = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { JsonSchema = FiveFields, UseBatchApi = true, NoWait = true }, rows, submitted, CancellationToken.None).WaitAsync(Limit);
        var handle = Assert.IsType<ClaudeBatchInfo>(Assert.Single(submitted.Objects));
        await new MessageBatchClient(connection).WaitAsync(handle.Id, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), null, Limit, CancellationToken.None);

        // The next morning: the same rows and schema join the results back, typed.
        var joiner = new BatchResultJoiner(connection, new BatchOptions { JsonSchema = FiveFields });
        var joined = new CollectingSink();
        await joiner.LoadAsync(handle.Id, joined, emitUnjoined: false, CancellationToken.None);
        foreach (var row in rows) joiner.Join(row, joined);
        joiner.Finish(joined);
        Assert.Equal(new[] { "r1", "r2", "r3" }, joined.Results.Select(r => r.RowId));
        Assert.All(joined.Results, r => Assert.IsType<long>(r.Fields[1].Value));

        // Without the rows: each result stands alone under its custom id, still typed.
        var alone = new CollectingSink();
        await new BatchResultJoiner(connection, new BatchOptions { JsonSchema = FiveFields }).LoadAsync(handle.Id, alone, emitUnjoined: true, CancellationToken.None);
        Assert.Equal(3, alone.Results.Count);
        Assert.All(alone.Results, r => Assert.Equal(joined.Results[0].Fields.Select(f => f.Key), r.Fields.Select(f => f.Key)));
    }
}
