using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator.Admin;

/// <summary>
/// The Admin API reports an organisation reads its spend from: GET /v1/organizations/usage_report/messages
/// (token buckets of 1d, 1h or 1m, optionally grouped by model and service tier, paginated with
/// page/next_page) and GET /v1/organizations/cost_report (daily USD, amount as a decimal string in
/// cents). Both need an admin key (sk-ant-admin...).
/// </summary>
public static class AdminReportRoutes
{
    public static void Map(WebApplication app, EmulatorState state) => Map(app, AdminUsageLog.For(state));

    public static void Map(WebApplication app, IAdminUsageSource source)
    {
        app.MapGet("/v1/organizations/usage_report/messages", (HttpContext http) => UsageReport(http, source));
        app.MapGet("/v1/organizations/cost_report", (HttpContext http) => CostReport(http, source));
    }

    private static IResult UsageReport(HttpContext http, IAdminUsageSource source)
    {
        if (Refuse(http) is { } refused) return refused;
        var q = http.Request.Query;
        string width = q["bucket_width"].FirstOrDefault() ?? "1d";
        TimeSpan bucket = width switch { "1d" => TimeSpan.FromDays(1), "1h" => TimeSpan.FromHours(1), "1m" => TimeSpan.FromMinutes(1), _ => TimeSpan.Zero };
        if (bucket == TimeSpan.Zero) return Error(http, 400, "invalid_request_error", "bucket_width must be one of 1d, 1h, 1m.");
        int maxLimit = width switch { "1d" => 31, "1h" => 168, _ => 1440 };
        int defaultLimit = width switch { "1d" => 7, "1h" => 24, _ => 60 };
        if (!TryWindow(http, bucket, maxLimit, defaultLimit, out var start, out var end, out var limit, out var offset, out var bad)) return bad!;
        var groupBy = q["group_by[]"].Concat(q["group_by"]).Where(g => g is not null).Select(g => g!).ToHashSet(StringComparer.Ordinal);
        bool byModel = groupBy.Contains("model"), byTier = groupBy.Contains("service_tier");
        var calls = source.Snapshot();

        var data = new JsonArray();
        var bucketStart = start + TimeSpan.FromTicks(bucket.Ticks * offset);
        int emitted = 0;
        for (; bucketStart < end && emitted < limit; bucketStart += bucket, emitted++)
        {
            var bucketEnd = bucketStart + bucket;
            var results = new JsonArray();
            foreach (var g in calls.Where(c => c.Time >= bucketStart && c.Time < bucketEnd)
                                   .GroupBy(c => (Model: byModel ? c.Model : null, Tier: byTier ? c.ServiceTier : null))
                                   .OrderBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Tier, StringComparer.Ordinal))
            {
                results.Add(new JsonObject
                {
                    ["uncached_input_tokens"] = g.Sum(c => c.UncachedInputTokens),
                    ["cache_creation"] = new JsonObject
                    {
                        ["ephemeral_1h_input_tokens"] = g.Sum(c => c.CacheWrite1hTokens),
                        ["ephemeral_5m_input_tokens"] = g.Sum(c => c.CacheWrite5mTokens),
                    },
                    ["cache_read_input_tokens"] = g.Sum(c => c.CacheReadTokens),
                    ["output_tokens"] = g.Sum(c => c.OutputTokens),
                    ["server_tool_use"] = new JsonObject { ["web_search_requests"] = 0 },
                    ["api_key_id"] = null,
                    ["workspace_id"] = null,
                    ["model"] = g.Key.Model,
                    ["service_tier"] = g.Key.Tier,
                    ["context_window"] = null,
                });
            }
            data.Add(new JsonObject { ["starting_at"] = Rfc3339(bucketStart), ["ending_at"] = Rfc3339(bucketEnd), ["results"] = results });
        }
        return Page(http, data, bucketStart < end, offset + emitted);
    }

    private static IResult CostReport(HttpContext http, IAdminUsageSource source)
    {
        if (Refuse(http) is { } refused) return refused;
        if (!TryWindow(http, TimeSpan.FromDays(1), 31, 7, out var start, out var end, out var limit, out var offset, out var bad)) return bad!;
        var calls = source.Snapshot();
        var data = new JsonArray();
        var day = start.AddDays(offset);
        int emitted = 0;
        for (; day < end && emitted < limit; day = day.AddDays(1), emitted++)
        {
            var next = day.AddDays(1);
            var results = new JsonArray();
            foreach (var g in calls.Where(c => c.Time >= day && c.Time < next && c.CostUsd is not null).GroupBy(c => c.Model).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                decimal cents = g.Sum(c => c.CostUsd!.Value) * 100m;
                results.Add(new JsonObject
                {
                    ["currency"] = "USD",
                    ["amount"] = cents.ToString("0.############", CultureInfo.InvariantCulture),
                    ["workspace_id"] = null,
                    ["description"] = $"{g.Key} usage",
                    ["cost_type"] = "tokens",
                    ["context_window"] = "0-200k",
                    ["model"] = g.Key,
                    ["service_tier"] = "standard",
                    ["token_type"] = null,
                });
            }
            data.Add(new JsonObject { ["starting_at"] = Rfc3339(day), ["ending_at"] = Rfc3339(next), ["results"] = results });
        }
        return Page(http, data, day < end, offset + emitted);
    }

    private static bool TryWindow(HttpContext http, TimeSpan bucket, int maxLimit, int defaultLimit,
        out DateTimeOffset start, out DateTimeOffset end, out int limit, out int offset, out IResult? bad)
    {
        var q = http.Request.Query;
        start = end = default; limit = defaultLimit; offset = 0; bad = null;
        if (!DateTimeOffset.TryParse(q["starting_at"].FirstOrDefault(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start))
        {
            bad = Error(http, 400, "invalid_request_error", "starting_at: an RFC 3339 timestamp is required.");
            return false;
        }
        start = Align(start.ToUniversalTime(), bucket);
        if (q["limit"].FirstOrDefault() is { } l && (!int.TryParse(l, out limit) || limit < 1 || limit > maxLimit))
        {
            bad = Error(http, 400, "invalid_request_error", $"limit must be between 1 and {maxLimit}.");
            return false;
        }
        end = q["ending_at"].FirstOrDefault() is { } e && DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime() : start + TimeSpan.FromTicks(bucket.Ticks * limit);
        if (end <= start)
        {
            bad = Error(http, 400, "invalid_request_error", "ending_at must be after starting_at.");
            return false;
        }
        if (q["page"].FirstOrDefault() is { } page && (!page.StartsWith("page_", StringComparison.Ordinal) || !int.TryParse(page.AsSpan(5), out offset) || offset < 0))
        {
            bad = Error(http, 400, "invalid_request_error", "page: not a page token from next_page.");
            return false;
        }
        return true;
    }

    private static IResult Page(HttpContext http, JsonArray data, bool hasMore, int nextOffset)
    {
        var body = new JsonObject { ["data"] = data, ["has_more"] = hasMore, ["next_page"] = hasMore ? $"page_{nextOffset}" : null };
        http.Response.Headers["request-id"] = "req_" + Guid.NewGuid().ToString("N")[..24];
        return Results.Text(body.ToJsonString(), "application/json");
    }

    /// <summary>Admin endpoints take only admin keys.</summary>
    private static IResult? Refuse(HttpContext http)
    {
        var key = http.Request.Headers["x-api-key"].FirstOrDefault();
        if (string.IsNullOrEmpty(key)) return Error(http, 401, "authentication_error", "x-api-key header is required.");
        if (!key.StartsWith("sk-ant-admin", StringComparison.Ordinal)) return Error(http, 401, "authentication_error", "The Admin API needs an admin key (sk-ant-admin...).");
        if (string.IsNullOrEmpty(http.Request.Headers["anthropic-version"].FirstOrDefault()))
            return Error(http, 400, "invalid_request_error", "anthropic-version: header is required");
        return null;
    }

    private static IResult Error(HttpContext http, int status, string type, string message)
    {
        var requestId = "req_" + Guid.NewGuid().ToString("N")[..24];
        http.Response.Headers["request-id"] = requestId;
        var body = new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message }, ["request_id"] = requestId };
        return Results.Text(body.ToJsonString(), "application/json", statusCode: status);
    }

    private static DateTimeOffset Align(DateTimeOffset t, TimeSpan bucket) => new(t.UtcTicks - t.UtcTicks % bucket.Ticks, TimeSpan.Zero);

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
