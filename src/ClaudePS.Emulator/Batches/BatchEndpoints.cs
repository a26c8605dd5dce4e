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
        app.MapPost(Root, (HttpContext ctx) => ApiHandler.RunAsync(ctx, state, "batches", ex => CreateAsync(ex, store)));
        app.MapGet(Root, (HttpContext ctx) => Run(ctx, state, () => ListBatches(ctx, store)));
        app.MapGet(Root + "/{id}", (HttpContext ctx, string id) => Run(ctx, state, () => Json(ctx, w => WriteBatchFields(w, Find(store, id), ctx))));
        app.MapPost(Root + "/{id}/cancel", (HttpContext ctx, string id) => Run(ctx, state, async () =>
        {
            var b = Find(store, id);
            // The reply shows the batch as the cancel left it (canceling, as the real API answers). The
            // processor hears of the cancel only after the reply: cancelling runs its loop on this thread,
            // and with nothing left to wait for it would end the batch before the reply was written.
            bool canceling = BatchStore.MarkCanceling(b);
            try
            {
                await Json(ctx, w => WriteBatchFields(w, b, ctx));
            }
            finally
            {
                if (canceling) b.CancelSource.Cancel();
            }
        }));
        app.MapDelete(Root + "/{id}", (HttpContext ctx, string id) => Run(ctx, state, () =>
        {
            var b = Find(store, id);
            if (b.Status != "ended")
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"Batch {id} cannot be deleted while it is {b.Status}; cancel it and wait for it to end.");
            store.Delete(id);
            return Json(ctx, w => { w.WriteString("id", id); w.WriteString("type", "message_batch_deleted"); });
        }));
        app.MapGet(Root + "/{id}/results", (HttpContext ctx, string id) => ApiHandler.RunAsync(ctx, state, "batches", _ => ResultsAsync(ctx, store, id)));
    }

    private static Task Run(HttpContext ctx, EmulatorState state, Func<Task> handler) => ApiHandler.RunAsync(ctx, state, "batches", _ => handler());

    private static EmulatedBatch Find(BatchStore store, string id) =>
        store.Find(id) ?? throw new EmulatorApiException(404, ErrorTypes.NotFound, $"No batch with id {id}.");

    private static async Task CreateAsync(ApiExchange exchange, BatchStore store)
    {
        var ctx = exchange.Context;
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = store.Options.MaxBytes + 1;
        if (ctx.Request.ContentLength is { } len && len > store.Options.MaxBytes)
            throw new EmulatorApiException(413, ErrorTypes.RequestTooLarge, $"Request exceeds the maximum allowed number of bytes ({store.Options.MaxBytes}).");
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted); }
        catch (JsonException ex) { throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "The body is not valid JSON: " + ex.Message); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() == 0)
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "requests: at least one request is required");
            if (requests.GetArrayLength() > store.Options.MaxRequests)
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"requests: a batch holds at most {store.Options.MaxRequests} requests");
            var list = new List<(string, string)>(requests.GetArrayLength());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (var r in requests.EnumerateArray())
            {
                string? customId = r.TryGetProperty("custom_id", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                if (customId is null || !ValidCustomId(customId))
                    throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"requests.{index}.custom_id: must match ^[a-zA-Z0-9_-]{{1,64}}$");
                if (!seen.Add(customId))
                    throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"requests.{index}.custom_id: '{customId}' is used more than once; custom ids must be unique in a batch");
                if (!r.TryGetProperty("params", out var p) || p.ValueKind != JsonValueKind.Object)
                    throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"requests.{index}.params: Field required");
                list.Add((customId, p.GetRawText()));
                index++;
            }
            // Params are validated later, while processing (bad ones come back as errored results).
            var batch = store.Create(list, exchange.Caller.KeyId, ApiHandler.VersionOf(exchange.Context));
            await Json(ctx, w => WriteBatchFields(w, batch, ctx));
        }
    }

    private static Task ListBatches(HttpContext ctx, BatchStore store)
    {
        int limit = int.TryParse(ctx.Request.Query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : 20;
        if (limit < 1 || limit > 1000) throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "limit: must be between 1 and 1000");
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

    private static async Task ResultsAsync(HttpContext ctx, BatchStore store, string id)
    {
        var b = Find(store, id);
        string[] lines;
        lock (b)
        {
            if (b.Status != "ended") throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"Batch {id} has not ended yet; its results are not available.");
            lines = b.ResultLines.ToArray();
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/binary";
        foreach (var line in lines)
            await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), ctx.RequestAborted);
    }

    private static bool ValidCustomId(string id)
    {
        if (id.Length is < 1 or > 64) return false;
        foreach (char c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')) return false;
        return true;
    }

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

    private static async Task Json(HttpContext ctx, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        await ApiHandler.WriteJsonAsync(ctx, buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
