using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Receive-ClaudeBatchResult: reads an ended batch's results and, when the original rows are given
/// again (same order, same options), joins each result to its row by the custom id Invoke-ClaudeBatch
/// derived from it. Without rows, each result stands alone with its custom id as the row id.
/// Results are held by custom id until their row arrives; rows are not held.
/// </summary>
public sealed class BatchResultJoiner
{
    private readonly ClaudeConnection _connection;
    private readonly BatchOptions _options;
    private readonly Dictionary<string, (MessageBatchResultLine Line, string BatchId)> _results = new(StringComparer.Ordinal);
    private readonly CustomIdAllocator _ids = new();
    private readonly BatchRequestBuilder _builder;
    private long _rowNumber;

    public BatchResultJoiner(ClaudeConnection connection, BatchOptions options)
    {
        _connection = connection;
        _options = options;
        _builder = new BatchRequestBuilder(options, connection.DefaultModel);
    }

    public int PendingResults => _results.Count;

    /// <summary>Reads the results of <paramref name="batchId"/> (which must have ended). With
    /// <paramref name="emitUnjoined"/>, each result is written at once as a row of its own.</summary>
    public async Task LoadAsync(string batchId, IClaudeOutputSink sink, bool emitUnjoined, CancellationToken ct)
    {
        var client = new MessageBatchClient(_connection);
        var info = await client.GetAsync(batchId, ct).ConfigureAwait(false);
        long n = 0;
        await client.ReadResultsAsync(info, line =>
        {
            if (emitUnjoined) Write(sink, ToResult(Unjoined(++n, line.CustomId), line, info.Id));
            else _results[line.CustomId] = (line, info.Id);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Joins the next input row to its result (rows must come in the order they were submitted).</summary>
    public void Join(BatchRow row, IClaudeOutputSink sink)
    {
        long number = ++_rowNumber;
        var p = _builder.Prepare(row, number);
        string customId = _ids.Next(p.RowId);
        if (_results.TryGetValue(customId, out var hit))
        {
            _results.Remove(customId);
            Write(sink, ToResult(p, hit.Line, hit.BatchId));
            return;
        }
        Write(sink, BatchRunner.Outcome(p, ClaudeBatchRowStatus.Skipped, new ClaudeError("ClaudePS.BatchResultNotFound", ClaudeErrorCategory.ObjectNotFound,
            $"Row {p.RowId} (custom id {customId}) has no result in the batch(es) given: it was not sent in them, or the rows are not the ones (or in the order) that were submitted.") { Target = row.Original }, customId));
    }

    /// <summary>After the rows. With <paramref name="emitUnclaimed"/> (no rows were given), every loaded
    /// result is written on its own; otherwise results no row claimed are reported once.</summary>
    public void Finish(IClaudeOutputSink sink, bool emitUnclaimed = false)
    {
        if (emitUnclaimed)
        {
            long n = 0;
            foreach (var kv in _results) Write(sink, ToResult(Unjoined(++n, kv.Key), kv.Value.Line, kv.Value.BatchId));
            _results.Clear();
            return;
        }
        if (_results.Count > 0)
            sink.WriteWarning($"{_results.Count} result(s) matched no input row (for example custom id {First()}). Pipe the same rows, in the same order, that were submitted.");
    }

    private string First() { foreach (var k in _results.Keys) return k; return ""; }

    /// <summary>A result with no input row: its custom id is its only column; a schema still types its reply.</summary>
    private PreparedRow Unjoined(long number, string customId) => new()
    {
        Number = number, RowId = customId, Schema = _builder.Schema,
        Row = new BatchRow(new[] { new KeyValuePair<string, object?>("CustomId", customId) }, null),
    };

    private ClaudeBatchResult ToResult(PreparedRow p, MessageBatchResultLine line, string batchId)
    {
        if (line.Message is { } message)
            return BatchRunner.Success(p, message, BatchBilling.Record(_connection, message, batchId, _options.Tags), line.CustomId, batchId, _options.Redaction);
        return BatchRunner.Outcome(p, ClaudeBatchRowStatus.Failed, line.Error!.WithTarget(p.Row.Original), line.CustomId, batchId);
    }

    private static void Write(IClaudeOutputSink sink, ClaudeBatchResult r)
    {
        sink.WriteObject(r);
        if (r.Status == ClaudeBatchRowStatus.Failed && r.Error is not null) sink.WriteError(r.Error);
    }
}
