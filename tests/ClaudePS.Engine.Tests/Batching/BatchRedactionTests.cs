using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

public class BatchRedactionTests
{
    // A reply that repeats a credential from the prompt must not reach the CSV or the checkpoint.
    private const string Leaky = "Your key sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA is active.";

    [Fact]
    public async Task Every_row_reply_is_redacted_before_it_is_written_and_checkpointed()
    {
        var handler = new FakeMessagesHandler { Reply = _ => Leaky };
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        var checkpoint = BatchTest.TempPath("redact.jsonl");
        await BatchRunner.RunAsync(connection, new BatchOptions { ThrottleLimit = 2, CheckpointPath = checkpoint }, BatchTest.Rows(3), sink, CancellationToken.None);

        Assert.Equal(3, sink.Results.Count);
        foreach (var r in sink.Results)
        {
            Assert.DoesNotContain("sk-ant-api03", r.Text);
            Assert.Contains("[REDACTED:", r.Text);
            Assert.True(r.Redactions.Values.Sum() >= 1);
        }
        Assert.DoesNotContain("sk-ant-api03", File.ReadAllText(checkpoint));
    }

    [Fact]
    public async Task Profile_None_leaves_replies_as_they_came()
    {
        var handler = new FakeMessagesHandler { Reply = _ => Leaky };
        using var connection = BatchTest.Connect(handler);
        var sink = new CollectingSink();
        await BatchRunner.RunAsync(connection, new BatchOptions { Redaction = RedactionOptions.FromParameters("None", null, null) }, BatchTest.Rows(1), sink, CancellationToken.None);
        Assert.Equal(Leaky, sink.Results[0].Text);
    }
}
