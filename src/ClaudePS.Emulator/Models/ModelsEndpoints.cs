using System.Globalization;
using System.Text.Json.Nodes;
using ClaudePS.Engine.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>GET /v1/models (paginated with limit / after_id / before_id) and GET /v1/models/{id} (aliases resolve).</summary>
internal static class ModelsEndpoints
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapGet("/v1/models", (HttpContext context) => ApiHandler.RunAsync(context, state, "models", _ => ListAsync(context)));
        app.MapGet("/v1/models/{id}", (HttpContext context, string id) => ApiHandler.RunAsync(context, state, "models", _ => GetAsync(context, id)));
    }

    private static Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        int limit = 20;
        if (query.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 1000))
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "limit: Input should be an integer between 1 and 1000");
        string? afterId = query["after_id"].FirstOrDefault();
        string? beforeId = query["before_id"].FirstOrDefault();
        if (afterId != null && beforeId != null)
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "after_id and before_id cannot be used together");

        // Like the API: active and deprecated models unless lifecycle names the stages (retired ones only on request).
        var stages = query["lifecycle"].Concat(query["lifecycle[]"]).SelectMany(v => (v ?? "").Split(',')).Where(v => v.Length > 0).ToList();
        if (stages.Any(v => v is not ("active" or "deprecated" or "retired")))
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "lifecycle: Input should be 'active', 'deprecated' or 'retired'");
        if (stages.Count == 0) stages = new() { "active", "deprecated" };
        var all = KnownModels.All.Where(m => stages.Contains(m.Lifecycle)).ToList();
        int start = 0, end = all.Count;
        if (afterId != null) start = IndexOf(all, afterId, "after_id") + 1;
        if (beforeId != null) end = IndexOf(all, beforeId, "before_id");
        List<KnownModel> page;
        bool hasMore;
        if (beforeId != null)
        {
            // The page that ends just before before_id; has_more says whether items remain before it.
            int from = Math.Max(0, end - limit);
            page = all.Skip(from).Take(end - from).ToList();
            hasMore = from > 0;
        }
        else
        {
            page = all.Skip(start).Take(limit).ToList();
            hasMore = start + page.Count < all.Count;
        }
        var data = new JsonArray(page.Select(m => (JsonNode)KnownModels.ToJson(m)).ToArray());
        var body = new JsonObject
        {
            ["data"] = data,
            ["has_more"] = hasMore,
            ["first_id"] = page.Count > 0 ? page[0].Id : null,
            ["last_id"] = page.Count > 0 ? page[^1].Id : null,
        };
        return ApiHandler.WriteJsonAsync(context, body);
    }

    private static int IndexOf(IReadOnlyList<KnownModel> all, string id, string parameter)
    {
        var model = KnownModels.Find(id);
        int index = model == null ? -1 : all.ToList().IndexOf(model);
        if (index < 0) throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"{parameter}: unknown model id '{id}'");
        return index;
    }

    private static Task GetAsync(HttpContext context, string id)
    {
        var model = KnownModels.Find(id) ?? throw new EmulatorApiException(404, ErrorTypes.NotFound, $"model: {id}");
        return ApiHandler.WriteJsonAsync(context, KnownModels.ToJson(model));
    }
}
