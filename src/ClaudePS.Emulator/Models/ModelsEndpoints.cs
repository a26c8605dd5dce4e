using System.Globalization;
using System.Text.Json.Nodes;
using ClaudePS.Engine.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>Per-model limits the emulator enforces and reports on /v1/models.</summary>
public static class ModelCatalog
{
    /// <summary>The largest max_tokens a model accepts.</summary>
    public static int MaxOutputTokens(string modelId) => modelId switch
    {
        _ when modelId.StartsWith("claude-opus-4-1", StringComparison.Ordinal) || modelId.StartsWith("claude-opus-4-2", StringComparison.Ordinal) => 32_000,
        _ when modelId.StartsWith("claude-sonnet-4-", StringComparison.Ordinal) || modelId.StartsWith("claude-haiku-4-5", StringComparison.Ordinal)
            || modelId.StartsWith("claude-opus-4-5", StringComparison.Ordinal) => 64_000,
        _ => 128_000,
    };

    public static int MaxInputTokens(string modelId) => 200_000;

    public static JsonObject ToJson(KnownModel model) => new()
    {
        ["type"] = "model",
        ["id"] = model.Id,
        ["display_name"] = model.DisplayName,
        ["created_at"] = model.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["max_input_tokens"] = MaxInputTokens(model.Id),
        ["max_tokens"] = MaxOutputTokens(model.Id),
    };
}

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

        var all = KnownModels.All;
        int start = 0, end = all.Count;
        if (afterId != null) start = IndexOf(afterId, "after_id") + 1;
        if (beforeId != null) end = IndexOf(beforeId, "before_id");
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
        var data = new JsonArray(page.Select(m => (JsonNode)ModelCatalog.ToJson(m)).ToArray());
        var body = new JsonObject
        {
            ["data"] = data,
            ["has_more"] = hasMore,
            ["first_id"] = page.Count > 0 ? page[0].Id : null,
            ["last_id"] = page.Count > 0 ? page[^1].Id : null,
        };
        return ApiHandler.WriteJsonAsync(context, body);
    }

    private static int IndexOf(string id, string parameter)
    {
        var model = KnownModels.Find(id);
        int index = model == null ? -1 : KnownModels.All.ToList().IndexOf(model);
        if (index < 0) throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"{parameter}: unknown model id '{id}'");
        return index;
    }

    private static Task GetAsync(HttpContext context, string id)
    {
        var model = KnownModels.Find(id) ?? throw new EmulatorApiException(404, ErrorTypes.NotFound, $"model: {id}");
        return ApiHandler.WriteJsonAsync(context, ModelCatalog.ToJson(model));
    }
}
