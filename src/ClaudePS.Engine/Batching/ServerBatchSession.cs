using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Server mode of <see cref="BatchRunner"/>: collects requests into batches within the API's limits,
/// submits each as it fills, and at the end polls every batch and joins its results back to the rows by
/// custom id. Rows of submitted batches stay in memory until their results arrive (the join needs them),
/// so memory here grows with the batch size, at most 100,000 rows per batch.
/// </summary>
internal sealed class ServerBatchSession
{
    private sealed class Pending
    {
        public Pending(PreparedRow row, string customId, IReadOnlyList<BudgetReservation> reserve) { Row = row; CustomId = customId; Reserve = reserve; }
        public PreparedRow Row { get; }
        public string CustomId { get; }
        public IReadOnlyList<BudgetReservation> Reserve { get; }
        public string? BatchId { get; set; }
        public bool Done { get; set; }
    }

    private readonly ClaudeConnection _connection;
    private readonly BatchOptions _options;
    private readonly Action<IReadOnlyList<BudgetReservation>, decimal?> _settle;
    private readonly BatchProgress _progress;
    private readonly IClaudeOutputSink _out;
    private readonly Action<PreparedRow, ClaudeBatchResult> _finish;
    private readonly MessageBatchClient _client;
    private readonly List<Pending> _chunk = new();
    private readonly List<KeyValuePair<string, byte[]>> _chunkBodies = new();
    private long _chunkBytes;
    private readonly List<(ClaudeBatchInfo Info, Dictionary<string, Pending> Rows)> _batches = new();

    /// <summary>Bytes the envelope adds around each request's params ({"custom_id":"…","params":…},).</summary>
    private const int PerRequestOverhead = 32;

    public ServerBatchSession(ClaudeConnection connection, BatchOptions options, Action<IReadOnlyList<BudgetReservation>, decimal?> settle,
        BatchProgress progress, IClaudeOutputSink output, Action<PreparedRow, ClaudeBatchResult> finish)
    {
        _connection = connection;
        _options = options;
        _settle = settle;
        _progress = progress;
        _out = output;
        _finish = finish;
        _client = new MessageBatchClient(connection);
    }

    public IReadOnlyList<ClaudeBatchInfo> Submitted => _batches.ConvertAll(b => b.Info);

    public async Task AddAsync(PreparedRow row, string customId, IReadOnlyList<BudgetReservation> reserve, CancellationToken ct)
    {
        byte[] body = MessageRequestWriter.Write(row.Request!, stream: false);
        BatchRequestFeatures.ReleaseAttachments(row.Request!); // the body holds them; pending rows need not
        long size = body.Length + customId.Length + PerRequestOverhead;
        if (_chunk.Count > 0 && (_chunk.Count >= _options.MaxRequestsPerBatch || _chunkBytes + size > _options.MaxBytesPerBatch - 64))
            await SubmitAsync(ct).ConfigureAwait(false);
        if (size > _options.MaxBytesPerBatch - 64)
        {
            _settle(reserve, 0m);
            _finish(row, BatchRunner.Outcome(row, ClaudeBatchRowStatus.Failed, new ClaudeError("ClaudePS.RequestTooLarge", ClaudeErrorCategory.LimitsExceeded,
                $"Row {row.RowId} alone is larger than a batch may be ({_options.MaxBytesPerBatch} bytes). Shorten it or send it without -UseBatchApi.") { Target = row.Row.Original }, customId));
            return;
        }
        _chunk.Add(new Pending(row, customId, reserve));
        _chunkBodies.Add(new KeyValuePair<string, byte[]>(customId, body));
        _chunkBytes += size;
    }

    private async Task SubmitAsync(CancellationToken ct)
    {
        if (_chunk.Count == 0) return;
        var rows = new List<Pending>(_chunk);
        var bodies = new List<KeyValuePair<string, byte[]>>(_chunkBodies);
        _chunk.Clear();
        _chunkBodies.Clear();
        _chunkBytes = 0;
        try
        {
            var info = await _client.CreateAsync(bodies, ct).ConfigureAwait(false);
            var map = new Dictionary<string, Pending>(rows.Count, StringComparer.Ordinal);
            foreach (var p in rows) { p.BatchId = info.Id; map[p.CustomId] = p; }
            _batches.Add((info, map));
            _out.WriteVerbose($"Submitted batch {info.Id} with {rows.Count} request(s).");
        }
        catch (ClaudeException ex) when (!ex.Error.IsCanceled)
        {
            foreach (var p in rows)
            {
                _settle(p.Reserve, 0m);
                _finish(p.Row, BatchRunner.Outcome(p.Row, ClaudeBatchRowStatus.Failed, new ClaudeError(ex.Error.ErrorId, ex.Error.Category,
                    $"Submitting the batch that held row {p.Row.RowId} failed: {ex.Error.Message}") { RequestId = ex.Error.RequestId, HttpStatus = ex.Error.HttpStatus, Target = p.Row.Row.Original }, p.CustomId));
            }
        }
    }

    public async Task CompleteAsync(CancellationToken ct)
    {
        await SubmitAsync(ct).ConfigureAwait(false);
        if (_options.NoWait)
        {
            foreach (var b in _batches) _out.WriteObject(b.Info);
            return;
        }
        for (int i = 0; i < _batches.Count; i++)
        {
            var (info, rows) = _batches[i];
            string label = string.Format(CultureInfo.InvariantCulture, "batch {0} ({1}/{2})", info.Id, i + 1, _batches.Count);
            var ended = await _client.WaitAsync(info.Id, _options.PollInterval, _options.MaxPollInterval,
                status => _progress.Report(_out, string.Format(CultureInfo.InvariantCulture, "{0}: {1}, {2} processing", label, status.ProcessingStatus, status.Processing), force: true),
                timeout: null, ct).ConfigureAwait(false);
            await _client.ReadResultsAsync(ended, line =>
            {
                if (!rows.TryGetValue(line.CustomId, out var p) || p.Done) return;
                p.Done = true;
                _finish(p.Row, ToResult(p.Row, line, p.CustomId, ended.Id, p.Reserve));
            }, ct).ConfigureAwait(false);
            foreach (var p in rows.Values)
            {
                if (p.Done) continue;
                p.Done = true;
                _settle(p.Reserve, 0m);
                _finish(p.Row, BatchRunner.Outcome(p.Row, ClaudeBatchRowStatus.Failed, new ClaudeError("ClaudePS.BatchResultMissing", ClaudeErrorCategory.InvalidResult,
                    $"Batch {ended.Id} ended without a result for row {p.Row.RowId} (custom id {p.CustomId}). Send the row again.") { Target = p.Row.Row.Original }, p.CustomId, ended.Id));
            }
        }
    }

    private ClaudeBatchResult ToResult(PreparedRow row, MessageBatchResultLine line, string customId, string batchId, IReadOnlyList<BudgetReservation> reserve)
    {
        if (line.Message is { } message)
        {
            var cost = BatchBilling.Record(_connection, message, batchId, _options.Tags);
            _settle(reserve, cost);
            return BatchRunner.Success(row, message, cost, customId, batchId, _options.Redaction);
        }
        _settle(reserve, 0m);
        return BatchRunner.Outcome(row, ClaudeBatchRowStatus.Failed, line.Error!.WithTarget(row.Row.Original), customId, batchId);
    }
}
