using System;
using System.Collections.Generic;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Batching;

/// <summary>Bills batch-API results: they never pass through the client's usage hook, so they are recorded here, at the batch price.</summary>
internal static class BatchBilling
{
    public static decimal? Record(ClaudeConnection connection, ClaudeResponse message, string batchId, IReadOnlyList<string> tags)
    {
        var allTags = new List<string>(connection.Options.Tags);
        allTags.AddRange(tags);
        allTags.Add("batch:" + batchId);
        if (connection.UsageRecorder is { } recorder)
        {
            return recorder.Record(new UsageEvent
            {
                // The message id is unique per result, so a ledger that ignores repeated ids does not count
                // the same result twice when it is received again.
                RequestId = message.MessageId,
                Endpoint = (message.Endpoint ?? "") + "/v1/messages/batches",
                Model = message.Model,
                Usage = message.Usage,
                Outcome = "batch_succeeded",
                Tags = allTags,
                IsBatch = true,
            });
        }
        return connection.Services.Prices.Cost(message.Model, message.Usage, batch: true);
    }

    /// <summary>The most a request can cost: its estimated input plus its whole max_tokens of output.</summary>
    public static decimal? WorstCase(ClaudeConnection connection, PreparedRow row, bool batch) =>
        connection.Services.Prices.Cost(row.Request!.Model!, new ClaudeUsage { InputTokens = row.EstimatedInputTokens, OutputTokens = row.Request.MaxTokens }, batch);
}
