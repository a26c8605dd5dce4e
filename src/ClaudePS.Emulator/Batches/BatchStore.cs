using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Emulator.Batches;

/// <summary>One emulated batch: its requests, its lifecycle and, once ended, its JSONL results.</summary>
public sealed class EmulatedBatch
{
    internal EmulatedBatch(string id, List<(string CustomId, string ParamsJson)> requests, DateTimeOffset created, DateTimeOffset expires)
    {
        Id = id;
        Requests = requests;
        CreatedAt = created;
        ExpiresAt = expires;
    }

    /// <summary>The anthropic-version the batch was created with: its requests follow that version's rules.</summary>
    public string? ApiVersion { get; init; }

    public string Id { get; }
    internal List<(string CustomId, string ParamsJson)> Requests { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset ExpiresAt { get; }
    public DateTimeOffset? EndedAt { get; internal set; }
    public DateTimeOffset? CancelInitiatedAt { get; internal set; }
    /// <summary>in_progress, canceling or ended.</summary>
    public string Status { get; internal set; } = "in_progress";
    public int Succeeded { get; internal set; }
    public int Errored { get; internal set; }
    public int Canceled { get; internal set; }
    public int Expired { get; internal set; }
    /// <summary>How many requests the processor has reached (internal progress; not reported until the end).</summary>
    public int Processed { get; internal set; }
    internal List<string> ResultLines { get; } = new();
    internal CancellationTokenSource CancelSource { get; } = new();
    public int RequestCount => Requests.Count;
}

/// <summary>
/// The emulator's batches and their background processing. Each batch is processed asynchronously at
/// <see cref="EmulatorBatchOptions.PerRequestDelay"/> per request; params are validated as they are
/// processed (bad ones become errored results). Request counts leave "processing" only when the batch
/// ends, as on the real API.
/// </summary>
public sealed class BatchStore
{
    private readonly ConcurrentDictionary<string, EmulatedBatch> _batches = new(StringComparer.Ordinal);
    private readonly object _orderGate = new();
    private readonly List<string> _order = new(); // creation order, oldest first
    private readonly EmulatorBatchOptions _options;
    private readonly EmulatorState _state;
    private long _messageCounter;

    internal BatchStore(EmulatorState state, EmulatorBatchOptions options)
    {
        _state = state;
        _options = options;
    }

    /// <summary>The knobs; change them while the emulator runs (tests set the speed and expiry).</summary>
    public EmulatorBatchOptions Options => _options;
    /// <summary>Total requests simulated (billed) across batches: for tests that check nothing is paid twice.</summary>
    public long SimulatedRequests => Interlocked.Read(ref _messageCounter);

    public EmulatedBatch? Find(string id) => _batches.TryGetValue(id, out var b) ? b : null;

    /// <summary>Batches newest first.</summary>
    public IReadOnlyList<EmulatedBatch> List()
    {
        lock (_orderGate)
        {
            var list = new List<EmulatedBatch>(_order.Count);
            for (int i = _order.Count - 1; i >= 0; i--)
                if (_batches.TryGetValue(_order[i], out var b)) list.Add(b);
            return list;
        }
    }

    internal EmulatedBatch Create(List<(string CustomId, string ParamsJson)> requests, string apiKeyId, string? apiVersion = null)
    {
        var now = DateTimeOffset.UtcNow;
        var batch = new EmulatedBatch(RequestIds.New("msgbatch_"), requests, now, now + _options.ExpiresAfter) { ApiVersion = apiVersion };
        _batches[batch.Id] = batch;
        lock (_orderGate) _order.Add(batch.Id);
        _ = Task.Run(() => ProcessAsync(batch, apiKeyId));
        return batch;
    }

    internal bool Delete(string id)
    {
        if (!_batches.TryRemove(id, out _)) return false;
        lock (_orderGate) _order.Remove(id);
        return true;
    }

    /// <summary>Marks an in-progress batch as canceling; false when it was not in progress. The caller then
    /// cancels <see cref="EmulatedBatch.CancelSource"/>, which stops the processing.</summary>
    internal static bool MarkCanceling(EmulatedBatch batch)
    {
        lock (batch)
        {
            if (batch.Status != "in_progress") return false;
            batch.Status = "canceling";
            batch.CancelInitiatedAt = DateTimeOffset.UtcNow;
            return true;
        }
    }

    private async Task ProcessAsync(EmulatedBatch batch, string apiKeyId)
    {
        var lines = new List<(string CustomId, string Line)>(batch.Requests.Count);
        int succeeded = 0, errored = 0, canceled = 0, expired = 0;
        foreach (var (customId, paramsJson) in batch.Requests)
        {
            string type = "";
            if (batch.CancelSource.IsCancellationRequested) type = "canceled";
            else if (DateTimeOffset.UtcNow >= batch.ExpiresAt) type = "expired";
            else
            {
                try
                {
                    if (_options.PerRequestDelay > TimeSpan.Zero)
                    {
                        var untilExpiry = batch.ExpiresAt - DateTimeOffset.UtcNow;
                        var wait = _options.PerRequestDelay < untilExpiry ? _options.PerRequestDelay : untilExpiry;
                        if (wait > TimeSpan.Zero) await Task.Delay(wait, batch.CancelSource.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) { type = "canceled"; }
                if (type.Length == 0 && DateTimeOffset.UtcNow >= batch.ExpiresAt) type = "expired";
            }
            string line;
            switch (type)
            {
                case "canceled": canceled++; line = ResultLine(customId, w => w.WriteString("type", "canceled")); break;
                case "expired": expired++; line = ResultLine(customId, w => w.WriteString("type", "expired")); break;
                default:
                    // The same simulator as POST /v1/messages: a batch result equals what the endpoint would return.
                    var reply = _state.Simulator.Simulate(paramsJson, new SimulationSettings { ApiKeyId = apiKeyId, ServiceTier = "batch", ApiVersion = batch.ApiVersion });
                    _state.Accounting.Add(new EmulatorRequestRecord
                    {
                        Timestamp = DateTimeOffset.UtcNow,
                        RequestId = RequestIds.New("req_"),
                        Endpoint = "batches",
                        ApiKeyId = apiKeyId,
                        Model = reply.Model,
                        Usage = reply.Usage,
                        StatusCode = reply.StatusCode,
                        ErrorType = reply.ErrorType,
                    });
                    if (reply.Succeeded)
                    {
                        succeeded++;
                        Interlocked.Increment(ref _messageCounter);
                        string message = reply.Message!.ToJsonString();
                        line = ResultLine(customId, w =>
                        {
                            w.WriteString("type", "succeeded");
                            w.WritePropertyName("message");
                            w.WriteRawValue(message);
                        });
                    }
                    else
                    {
                        errored++;
                        line = ResultLine(customId, w =>
                        {
                            w.WriteString("type", "errored");
                            w.WriteStartObject("error");
                            w.WriteString("type", "error");
                            w.WriteStartObject("error");
                            w.WriteString("type", reply.ErrorType);
                            w.WriteString("message", reply.ErrorMessage);
                            w.WriteEndObject();
                            w.WriteEndObject();
                        });
                    }
                    break;
            }
            lines.Add((customId, line));
            lock (batch) batch.Processed++;
        }
        // Results come in no particular order on the real API; a stable shuffle keeps clients honest about joining by custom_id.
        lines.Sort((a, b) => string.CompareOrdinal(Scramble(a.CustomId), Scramble(b.CustomId)));
        lock (batch)
        {
            batch.ResultLines.AddRange(lines.Select(l => l.Line));
            batch.Succeeded = succeeded;
            batch.Errored = errored;
            batch.Canceled = canceled;
            batch.Expired = expired;
            batch.EndedAt = DateTimeOffset.UtcNow;
            batch.Status = "ended";
        }
    }

    private static string ResultLine(string customId, Action<Utf8JsonWriter> writeResult)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("custom_id", customId);
            w.WriteStartObject("result");
            writeResult(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Scramble(string s) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)), 0, 4);

}

/// <summary>Finds the batch store of a running emulator (one per <see cref="EmulatorState"/>).</summary>
public static class EmulatorBatchState
{
    private static readonly ConditionalWeakTable<EmulatorState, BatchStore> Stores = new();

    public static BatchStore Batches(this EmulatorState state) =>
        Stores.GetValue(state, s => new BatchStore(s, new EmulatorBatchOptions()));
}
