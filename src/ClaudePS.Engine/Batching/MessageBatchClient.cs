using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Batching;

/// <summary>One line of a batch's JSONL results.</summary>
public sealed class MessageBatchResultLine
{
    public string CustomId { get; init; } = "";
    /// <summary>succeeded, errored, canceled or expired (kept verbatim).</summary>
    public string Type { get; init; } = "";
    public ClaudeResponse? Message { get; init; }
    public ClaudeError? Error { get; init; }
}

/// <summary>One page of Get-ClaudeBatch's list.</summary>
public sealed class MessageBatchPage
{
    public IReadOnlyList<ClaudeBatchInfo> Batches { get; init; } = Array.Empty<ClaudeBatchInfo>();
    public bool HasMore { get; init; }
    public string? LastId { get; init; }
}

/// <summary>The Message Batches endpoints. Everything is addressed by batch id, so it works across restarts.</summary>
public sealed class MessageBatchClient
{
    private const string Root = "v1/messages/batches";
    private readonly ClaudeConnection _connection;

    public MessageBatchClient(ClaudeConnection connection) => _connection = connection;

    /// <summary>Submits requests given as (custom_id, params JSON) pairs.</summary>
    public async Task<ClaudeBatchInfo> CreateAsync(IReadOnlyList<KeyValuePair<string, byte[]>> requests, CancellationToken cancellationToken)
    {
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartArray("requests");
                foreach (var r in requests)
                {
                    w.WriteStartObject();
                    w.WriteString("custom_id", r.Key);
                    w.WritePropertyName("params");
                    w.WriteRawValue(r.Value, skipInputValidation: true);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            body = buffer.ToArray();
        }
        using var doc = await _connection.Client.SendJsonAsync(HttpMethod.Post, Root, body, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        return ReadBatch(doc.RootElement);
    }

    public async Task<ClaudeBatchInfo> GetAsync(string batchId, CancellationToken cancellationToken)
    {
        using var doc = await _connection.Client.SendJsonAsync(HttpMethod.Get, Root + "/" + CheckId(batchId), null, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        return ReadBatch(doc.RootElement);
    }

    public async Task<MessageBatchPage> ListAsync(int limit, string? afterId, CancellationToken cancellationToken)
    {
        string path = Root + "?limit=" + Math.Max(1, Math.Min(limit, 1000)).ToString(CultureInfo.InvariantCulture)
                      + (afterId is null ? "" : "&after_id=" + Uri.EscapeDataString(CheckId(afterId)));
        using var doc = await _connection.Client.SendJsonAsync(HttpMethod.Get, path, null, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        var list = new List<ClaudeBatchInfo>();
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            foreach (var b in data.EnumerateArray()) list.Add(ReadBatch(b));
        return new MessageBatchPage
        {
            Batches = list,
            HasMore = root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True,
            LastId = root.TryGetProperty("last_id", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null,
        };
    }

    /// <summary>Every batch, newest first, reading pages of <paramref name="pageSize"/> as needed.</summary>
    public async Task ListAllAsync(Action<ClaudeBatchInfo> onBatch, int pageSize, int? max, CancellationToken cancellationToken)
    {
        string? after = null;
        int count = 0;
        while (true)
        {
            var page = await ListAsync(pageSize, after, cancellationToken).ConfigureAwait(false);
            foreach (var b in page.Batches)
            {
                if (max is { } m && count >= m) return;
                onBatch(b);
                count++;
            }
            if (!page.HasMore || page.LastId is null) return;
            after = page.LastId;
        }
    }

    public async Task<ClaudeBatchInfo> CancelAsync(string batchId, CancellationToken cancellationToken)
    {
        using var doc = await _connection.Client.SendJsonAsync(HttpMethod.Post, Root + "/" + CheckId(batchId) + "/cancel", null, CallOptions.Default, cancellationToken).ConfigureAwait(false);
        return ReadBatch(doc.RootElement);
    }

    public async Task DeleteAsync(string batchId, CancellationToken cancellationToken)
    {
        using var _ = await _connection.Client.SendJsonAsync(HttpMethod.Delete, Root + "/" + CheckId(batchId), null, CallOptions.Default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls until the batch has ended, waiting <paramref name="first"/> and doubling up to
    /// <paramref name="longest"/> between polls; <paramref name="onPoll"/> sees each status.</summary>
    public async Task<ClaudeBatchInfo> WaitAsync(string batchId, TimeSpan first, TimeSpan longest, Action<ClaudeBatchInfo>? onPoll, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var delay = first;
        while (true)
        {
            var info = await GetAsync(batchId, cancellationToken).ConfigureAwait(false);
            onPoll?.Invoke(info);
            if (info.IsEnded) return info;
            if (timeout is { } t && DateTimeOffset.UtcNow - started + delay > t)
                throw new ClaudeException(new ClaudeError("ClaudePS.BatchWaitTimeout", ClaudeErrorCategory.OperationTimeout,
                    $"Batch {batchId} had not ended after {t.TotalSeconds:0} s (status {info.ProcessingStatus}, {info.Processing} processing). Wait again later with Wait-ClaudeBatch -Id {batchId}.") { Target = batchId });
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(longest.Ticks, delay.Ticks * 2));
        }
    }

    /// <summary>Streams an ended batch's results line by line (from its results_url, or the results path).</summary>
    public Task ReadResultsAsync(ClaudeBatchInfo batch, Action<MessageBatchResultLine> onResult, CancellationToken cancellationToken)
    {
        if (!batch.IsEnded)
            throw new ClaudeException(new ClaudeError("ClaudePS.BatchNotEnded", ClaudeErrorCategory.InvalidOperation,
                $"Batch {batch.Id} has not ended yet (status {batch.ProcessingStatus}); its results are not available. Use Wait-ClaudeBatch -Id {batch.Id} first.") { Target = batch.Id });
        string url = batch.ResultsUrl ?? Root + "/" + CheckId(batch.Id) + "/results";
        var endpoint = ClaudeClient.Shown(_connection.Endpoints[0]);
        return _connection.Client.ReadLinesAsync(url, line => onResult(ParseResultLine(line, endpoint)), CallOptions.Default, cancellationToken);
    }

    /// <summary>Parses one JSONL result line.</summary>
    public static MessageBatchResultLine ParseResultLine(string line, string? endpoint = null)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        string customId = root.TryGetProperty("custom_id", out var cid) ? cid.GetString() ?? "" : "";
        if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            return new MessageBatchResultLine { CustomId = customId, Type = "unknown", Error = Unknown(customId, "no result") };
        string type = result.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        switch (type)
        {
            case "succeeded":
                var builder = new MessageBuilder();
                if (result.TryGetProperty("message", out var message)) builder.ReadMessage(System.Text.Encoding.UTF8.GetBytes(message.GetRawText()));
                var response = builder.Build(requestId: null, endpoint, TimeSpan.Zero, null, attempts: 1);
                return new MessageBatchResultLine { CustomId = customId, Type = type, Message = response };
            case "errored":
                // error is an API error envelope {"type":"error","error":{type,message}}; tolerate the bare form too.
                JsonElement err = default;
                bool has = result.TryGetProperty("error", out err);
                if (has && err.TryGetProperty("error", out var inner)) err = inner;
                string? errType = has && err.TryGetProperty("type", out var et) ? et.GetString() : null;
                string? errMessage = has && err.TryGetProperty("message", out var em) ? em.GetString() : null;
                var api = ApiErrors.FromApiError(ApiErrors.StatusForType(errType), errType, errMessage, null, null, endpoint);
                return new MessageBatchResultLine
                {
                    CustomId = customId, Type = type,
                    Error = new ClaudeError("ClaudePS.BatchRequestErrored", api.Category, $"The batch request {customId} failed: {api.Message}") { ErrorType = errType, HttpStatus = api.HttpStatus },
                };
            case "canceled":
                return new MessageBatchResultLine
                {
                    CustomId = customId, Type = type,
                    Error = new ClaudeError("ClaudePS.BatchRequestCanceled", ClaudeErrorCategory.OperationStopped,
                        $"The batch request {customId} was canceled before it was processed (the batch was canceled). Send the row again to get a reply."),
                };
            case "expired":
                return new MessageBatchResultLine
                {
                    CustomId = customId, Type = type,
                    Error = new ClaudeError("ClaudePS.BatchRequestExpired", ClaudeErrorCategory.OperationTimeout,
                        $"The batch request {customId} expired: the batch did not reach it within 24 hours. Send the row again."),
                };
            default:
                return new MessageBatchResultLine { CustomId = customId, Type = type, Error = Unknown(customId, type) };
        }
    }

    private static ClaudeError Unknown(string customId, string what) =>
        new("ClaudePS.BatchResultUnknown", ClaudeErrorCategory.InvalidResult, $"The batch result for {customId} has an unknown form ({what}).");

    internal static ClaudeBatchInfo ReadBatch(JsonElement b, string? connectionName = null)
    {
        JsonElement counts = b.TryGetProperty("request_counts", out var rc) ? rc : default;
        return new ClaudeBatchInfo
        {
            Id = Str(b, "id") ?? "",
            ProcessingStatus = Str(b, "processing_status") ?? "",
            Processing = Count(counts, "processing"),
            Succeeded = Count(counts, "succeeded"),
            Errored = Count(counts, "errored"),
            Canceled = Count(counts, "canceled"),
            Expired = Count(counts, "expired"),
            CreatedAt = Time(b, "created_at"),
            ExpiresAt = Time(b, "expires_at"),
            EndedAt = Time(b, "ended_at"),
            CancelInitiatedAt = Time(b, "cancel_initiated_at"),
            ArchivedAt = Time(b, "archived_at"),
            ResultsUrl = Str(b, "results_url"),
            ConnectionName = connectionName,
        };
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Count(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        Str(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>Batch ids go into URL paths: only the characters real ids use.</summary>
    public static string CheckId(string batchId)
    {
        bool ok = batchId is { Length: > 0 and <= 128 };
        if (ok)
            foreach (char c in batchId!)
                if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-')) { ok = false; break; }
        if (!ok) throw BatchErrors.Invalid("Id", $"'{batchId}' is not a batch id (they look like msgbatch_01...).");
        return batchId!;
    }
}
