using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ClaudePS.Emulator.Batches;

/// <summary>The Message Batches endpoints: create, get, list (paginated), cancel, delete, results (JSONL).</summary>
internal static class BatchEndpoints
{
    private const string Root = "/v1/messages/batches";

    public static void Map(WebApplication app, EmulatorState state)
    {
        var store = state.Batches();
        app.MapPost(Root, (Delegate)((HttpContext ctx) => CreateAsync(ctx, store)));
        app.MapGet(Root, (HttpContext ctx) => Guarded(ctx, () => ListBatches(ctx, store)));
        app.MapGet(Root + "/{id}", (HttpContext ctx, string id) => Guarded(ctx, () =>
            store.Find(id) is { } b ? Json(ctx, w => WriteBatch(w, b, ctx)) : NotFound(ctx, id)));
        app.MapPost(Root + "/{id}/cancel", (HttpContext ctx, string id) => Guarded(ctx, () =>
        {
            if (store.Find(id) is not { } b) return NotFound(ctx, id);
            store.Cancel(b);
            return Json(ctx, w => WriteBatch(w, b, ctx));
        }));
        app.MapDelete(Root + "/{id}", (HttpContext ctx, string id) => Guarded(ctx, () =>
        {
            if (store.Find(id) is not { } b) return NotFound(ctx, id);
            if (b.Status != "ended")
                return Error(ctx, 400, "invalid_request_error", $"Batch {id} cannot be deleted while it is {b.Status}; cancel it and wait for it to end.");
            store.Delete(id);
            return Json(ctx, w => { w.WriteString("id", id); w.WriteString("type", "message_batch_deleted"); });
        }));
        app.MapGet(Root + "/{id}/results", (HttpContext ctx, string id) => Guarded(ctx, () => Results(ctx, store, id)));
    }

    private static async Task<IResult> CreateAsync(HttpContext ctx, BatchStore store)
    {
        if (Check(ctx) is { } denied) return denied;
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = store.Options.MaxBytes + 1;
        if (ctx.Request.ContentLength is { } len && len > store.Options.MaxBytes)
            return Error(ctx, 413, "request_too_large", $"Request exceeds the maximum allowed number of bytes ({store.Options.MaxBytes}).");
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException ex) { return Error(ctx, 400, "invalid_request_error", "The body is not valid JSON: " + ex.Message); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() == 0)
                return Error(ctx, 400, "invalid_request_error", "requests: at least one request is required");
            if (requests.GetArrayLength() > store.Options.MaxRequests)
                return Error(ctx, 400, "invalid_request_error", $"requests: a batch holds at most {store.Options.MaxRequests} requests");
            var list = new List<(string, string)>(requests.GetArrayLength());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (var r in requests.EnumerateArray())
            {
                string? customId = r.TryGetProperty("custom_id", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                if (customId is null || !ValidCustomId(customId))
                    return Error(ctx, 400, "invalid_request_error", $"requests.{index}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$");
                if (!seen.Add(customId))
                    return Error(ctx, 400, "invalid_request_error", $"requests.{index}.custom_id: '{customId}' is used more than once; custom ids must be unique in a batch");
                if (!r.TryGetProperty("params", out var p) || p.ValueKind != JsonValueKind.Object)
                    return Error(ctx, 400, "invalid_request_error", $"requests.{index}.params: Field required");
                list.Add((customId, p.GetRawText()));
                index++;
            }
            var batch = store.Create(list);
            return Json(ctx, w => WriteBatch(w, batch, ctx));
        }
    }

    private static IResult ListBatches(HttpContext ctx, BatchStore store)
    {
        int limit = int.TryParse(ctx.Request.Query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : 20;
        if (limit < 1 || limit > 1000) return Error(ctx, 400, "invalid_request_error", "limit: must be between 1 and 1000");
        var all = store.List();
        string? after = ctx.Request.Query["after_id"], before = ctx.Request.Query["before_id"];
        int start = 0, end = all.Count;
        if (!string.IsNullOrEmpty(after)) start = IndexOf(all, after) + 1;
        if (!string.IsNullOrEmpty(before)) { end = IndexOf(all, before); start = Math.Max(0, Math.Max(start, end - limit)); }
        var page = all.Skip(start).Take(Math.Max(0, Math.Min(limit, end - start))).ToList();
        bool hasMore = string.IsNullOrEmpty(before) ? start + page.Count < all.Count : start > 0;
        return Json(ctx, w =>
        {
            w.WriteStartArray("data");
            foreach (var b in page) { w.WriteStartObject(); WriteBatchFields(w, b, ctx); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteBoolean("has_more", hasMore);
            if (page.Count > 0) { w.WriteString("first_id", page[0].Id); w.WriteString("last_id", page[^1].Id); }
            else { w.WriteNull("first_id"); w.WriteNull("last_id"); }
        });
    }

    private static int IndexOf(IReadOnlyList<EmulatedBatch> all, string id)
    {
        for (int i = 0; i < all.Count; i++) if (all[i].Id == id) return i;
        return all.Count;
    }

    private static IResult Results(HttpContext ctx, BatchStore store, string id)
    {
        if (store.Find(id) is not { } b) return NotFound(ctx, id);
        string[] lines;
        lock (b)
        {
            if (b.Status != "ended") return Error(ctx, 400, "invalid_request_error", $"Batch {id} has not ended yet; its results are not available.");
            lines = b.ResultLines.ToArray();
        }
        AddRequestId(ctx);
        return Microsoft.AspNetCore.Http.Results.Stream(async stream =>
        {
            foreach (var line in lines)
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                await stream.WriteAsync(bytes);
            }
        }, "application/binary");
    }

    private static IResult Guarded(HttpContext ctx, Func<IResult> handler) => Check(ctx) ?? handler();

    /// <summary>The same header checks as the Messages endpoint: a credential and anthropic-version.</summary>
    private static IResult? Check(HttpContext ctx)
    {
        var h = ctx.Request.Headers;
        if (string.IsNullOrEmpty(h["x-api-key"]) && string.IsNullOrEmpty(h["authorization"]))
            return Error(ctx, 401, "authentication_error", "x-api-key header is required");
        if (string.IsNullOrEmpty(h["anthropic-version"]))
            return Error(ctx, 400, "invalid_request_error", "anthropic-version: header is required");
        return null;
    }

    private static bool ValidCustomId(string id)
    {
        if (id.Length is < 1 or > 64) return false;
        foreach (char c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')) return false;
        return true;
    }

    private static void WriteBatch(Utf8JsonWriter w, EmulatedBatch b, HttpContext ctx) => WriteBatchFields(w, b, ctx);

    private static void WriteBatchFields(Utf8JsonWriter w, EmulatedBatch b, HttpContext ctx)
    {
        lock (b)
        {
            bool ended = b.Status == "ended";
            w.WriteString("id", b.Id);
            w.WriteString("type", "message_batch");
            w.WriteString("processing_status", b.Status);
            w.WriteStartObject("request_counts");
            w.WriteNumber("processing", ended ? 0 : b.RequestCount);
            w.WriteNumber("succeeded", ended ? b.Succeeded : 0);
            w.WriteNumber("errored", ended ? b.Errored : 0);
            w.WriteNumber("canceled", ended ? b.Canceled : 0);
            w.WriteNumber("expired", ended ? b.Expired : 0);
            w.WriteEndObject();
            WriteTime(w, "ended_at", b.EndedAt);
            WriteTime(w, "created_at", b.CreatedAt);
            WriteTime(w, "expires_at", b.ExpiresAt);
            WriteTime(w, "archived_at", null);
            WriteTime(w, "cancel_initiated_at", b.CancelInitiatedAt);
            if (ended) w.WriteString("results_url", $"{ctx.Request.Scheme}://{ctx.Request.Host}{Root}/{b.Id}/results");
            else w.WriteNull("results_url");
        }
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v) w.WriteString(name, v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        else w.WriteNull(name);
    }

    private static IResult Json(HttpContext ctx, Action<Utf8JsonWriter> body)
    {
        AddRequestId(ctx);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Microsoft.AspNetCore.Http.Results.Bytes(buffer.ToArray(), "application/json");
    }

    private static IResult NotFound(HttpContext ctx, string id) => Error(ctx, 404, "not_found_error", $"No batch with id {id}.");

    private static IResult Error(HttpContext ctx, int status, string type, string message)
    {
        string requestId = AddRequestId(ctx);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteStartObject("error");
            w.WriteString("type", type);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteString("request_id", requestId);
            w.WriteEndObject();
        }
        return Microsoft.AspNetCore.Http.Results.Content(Encoding.UTF8.GetString(buffer.ToArray()), "application/json", Encoding.UTF8, status);
    }

    private static string AddRequestId(HttpContext ctx)
    {
        if (ctx.Response.Headers.TryGetValue("request-id", out var existing) && existing.Count > 0) return existing.ToString();
        string id = "req_" + Guid.NewGuid().ToString("N")[..24];
        ctx.Response.Headers["request-id"] = id;
        return id;
    }
}
