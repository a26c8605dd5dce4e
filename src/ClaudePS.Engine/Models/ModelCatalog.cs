using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Models;

/// <summary>
/// The models endpoint (GET /v1/models, paginated; GET /v1/models/{id}) with a per-connection cache,
/// and the ids the -Model completer offers: cached ids when there are some, the built-in
/// <see cref="KnownModels"/> otherwise, never waiting on the network for more than a moment.
/// </summary>
public static class ModelCatalog
{
    /// <summary>How long a fetched list is reused before Get-ClaudeModel asks again.</summary>
    public static TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>The longest a background refresh for the completer may take.</summary>
    public static TimeSpan CompletionRefreshCap { get; set; } = TimeSpan.FromSeconds(1.5);
    /// <summary>After a failed completer refresh, wait this long before trying again (no retry storm at the Tab key).</summary>
    public static TimeSpan FailedRefreshBackoff { get; set; } = TimeSpan.FromMinutes(2);

    internal const int PageSize = 100;
    // A connection's cache dies with the connection (ConditionalWeakTable holds it weakly).
    private static readonly ConditionalWeakTable<ClaudeConnection, Entry> Cache = new();

    private sealed class Entry
    {
        public IReadOnlyList<ClaudeModelInfo>? Models;
        public DateTimeOffset FetchedAt;
        public Task? Refresh;
        public DateTimeOffset LastFailure = DateTimeOffset.MinValue;
    }

    /// <summary>The clock the cache reads; tests replace it.</summary>
    internal static Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Every model the endpoint lists, following pages; from the cache when it is fresh and <paramref name="refresh"/> is false.</summary>
    public static async Task<IReadOnlyList<ClaudeModelInfo>> ListAsync(ClaudeConnection connection, bool refresh = false, CancellationToken cancellationToken = default)
    {
        var entry = Cache.GetValue(connection, _ => new Entry());
        if (!refresh && Fresh(entry) is { } cached) return cached;
        var models = new List<ClaudeModelInfo>();
        string? after = null;
        for (int page = 0; page < 1000; page++)
        {
            string path = "v1/models?limit=" + PageSize.ToString(CultureInfo.InvariantCulture) + (after is null ? "" : "&after_id=" + Uri.EscapeDataString(after));
            using var doc = await connection.Client.SendJsonAsync(HttpMethod.Get, path, null, CallOptions.Default, cancellationToken).ConfigureAwait(false);
            var root = doc.RootElement;
            if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                foreach (var m in data.EnumerateArray()) models.Add(Read(m, connection));
            bool more = root.TryGetProperty("has_more", out var hm) && hm.ValueKind == JsonValueKind.True;
            string? last = root.TryGetProperty("last_id", out var li) && li.ValueKind == JsonValueKind.String ? li.GetString() : models.LastOrDefault()?.Id;
            if (!more || last is null || last == after) break;
            after = last;
        }
        lock (entry)
        {
            entry.Models = models;
            entry.FetchedAt = Now();
        }
        return models;
    }

    /// <summary>One model by id or alias (GET /v1/models/{id}); a 404 is ClaudePS.ModelNotFound.</summary>
    public static async Task<ClaudeModelInfo> GetAsync(ClaudeConnection connection, string id, CancellationToken cancellationToken = default)
    {
        try
        {
            using var doc = await connection.Client.SendJsonAsync(HttpMethod.Get, "v1/models/" + Uri.EscapeDataString(id), null, CallOptions.Default, cancellationToken).ConfigureAwait(false);
            return Read(doc.RootElement, connection);
        }
        catch (ClaudeException ex) when (ex.Error.HttpStatus == 404)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.ModelNotFound", ClaudeErrorCategory.ObjectNotFound,
                $"The endpoint knows no model '{id}'. Get-ClaudeModel lists the models it has.") { HttpStatus = 404, RequestId = ex.Error.RequestId, Target = id }, ex);
        }
    }

    /// <summary>The cached list when it is fresh, else null. Never touches the network.</summary>
    public static IReadOnlyList<ClaudeModelInfo>? Cached(ClaudeConnection connection) =>
        Cache.TryGetValue(connection, out var entry) ? Fresh(entry) : null;

    /// <summary>Ids for the -Model completer. Returns at once: the fetched ids (then the built-in ones not
    /// among them) when a list was ever fetched, the built-in ids otherwise. A stale or empty cache starts one
    /// background refresh, capped at <see cref="CompletionRefreshCap"/>, whose result the next Tab press uses.</summary>
    public static IReadOnlyList<string> CompletionIds(ClaudeConnection? connection)
    {
        if (connection is null) return KnownModels.Ids;
        var entry = Cache.GetValue(connection, _ => new Entry());
        if (Fresh(entry) is null) StartRefresh(connection, entry);
        IReadOnlyList<ClaudeModelInfo>? known;
        lock (entry) known = entry.Models; // a stale list still beats none while the refresh runs
        if (known is null || known.Count == 0) return KnownModels.Ids;
        var ids = known.Select(m => m.Id).ToList();
        var seen = new HashSet<string>(ids, StringComparer.OrdinalIgnoreCase);
        ids.AddRange(KnownModels.Ids.Where(seen.Add));
        return ids;
    }

    /// <summary>The refresh the completer started, if one is running (tests wait on it).</summary>
    internal static Task? PendingRefresh(ClaudeConnection connection) =>
        Cache.TryGetValue(connection, out var entry) ? entry.Refresh : null;

    private static void StartRefresh(ClaudeConnection connection, Entry entry)
    {
        lock (entry)
        {
            if (entry.Refresh is { IsCompleted: false }) return;
            if (Now() - entry.LastFailure < FailedRefreshBackoff) return;
            entry.Refresh = Task.Run(async () =>
            {
                using var cap = new CancellationTokenSource(CompletionRefreshCap);
                try { await ListAsync(connection, refresh: true, cap.Token).ConfigureAwait(false); }
                catch (Exception) { lock (entry) entry.LastFailure = Now(); } // completion must never surface errors
            });
        }
    }

    private static IReadOnlyList<ClaudeModelInfo>? Fresh(Entry entry)
    {
        lock (entry)
            return entry.Models is not null && Now() - entry.FetchedAt < CacheLifetime ? entry.Models : null;
    }

    /// <summary>What the module knows of a model before sending to it: the fetched list's entry when there is
    /// a fresh one, else the built-in catalogue's (the same object the API returns); null for a model neither knows.</summary>
    public static ClaudeModelInfo? Describe(ClaudeConnection connection, string? model)
    {
        if (string.IsNullOrEmpty(model)) return null;
        var known = KnownModels.Find(model);
        if (Cached(connection) is { } list)
            foreach (var m in list)
                if (string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase) || (known is not null && m.Id == known.Id)) return m;
        return known is null ? null : BuiltIn(known);
    }

    private static readonly ConcurrentDictionary<string, ClaudeModelInfo> BuiltIns = new(StringComparer.Ordinal);

    /// <summary>A built-in model read through the same reader as a live reply, so both look alike.</summary>
    internal static ClaudeModelInfo BuiltIn(KnownModel known) => BuiltIns.GetOrAdd(known.Id, _ =>
    {
        using var doc = JsonDocument.Parse(KnownModels.ToJson(known).ToJsonString());
        return Read(doc.RootElement, endpoint: null);
    });

    /// <summary>The built-in entry for an id or alias, or null (tests).</summary>
    internal static ClaudeModelInfo? BuiltIn(string id) => KnownModels.Find(id) is { } known ? BuiltIn(known) : null;

    /// <summary>The built-in entry as the models API JSON, or null (tests).</summary>
    internal static string? BuiltInJson(string id) => KnownModels.Find(id) is { } known ? KnownModels.ToJson(known).ToJsonString() : null;

    private static ClaudeModelInfo Read(JsonElement m, ClaudeConnection connection) => Read(m, ClaudeClient.Shown(connection.Endpoints[0]));

    private static ClaudeModelInfo Read(JsonElement m, string? endpoint)
    {
        string id = Text(m, "id") ?? "";
        return new ClaudeModelInfo
        {
            Id = id,
            DisplayName = Text(m, "display_name") ?? id,
            CreatedAt = Date(m, "created_at"),
            Type = Text(m, "type") ?? "model",
            Line = Text(m, "line"),
            Lifecycle = Text(m, "lifecycle"),
            DeprecatedAt = Date(m, "deprecated_at"),
            RetiresAt = Date(m, "retires_at"),
            MaxInputTokens = Number(m, "max_input_tokens"),
            MaxTokens = Number(m, "max_tokens"),
            Capabilities = m.TryGetProperty("capabilities", out var c) && c.ValueKind == JsonValueKind.Object ? ReadCapabilities(c) : null,
            Endpoint = endpoint,
        };
    }

    private static ClaudeModelCapabilities ReadCapabilities(JsonElement c)
    {
        static bool On(JsonElement parent, string name) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Object &&
            e.TryGetProperty("supported", out var s) && s.ValueKind == JsonValueKind.True;
        static JsonElement Child(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var thinking = Child(c, "thinking");
        var types = thinking.ValueKind == JsonValueKind.Object ? Child(thinking, "types") : default;
        var effort = Child(c, "effort");
        bool effortOn = effort.ValueKind == JsonValueKind.Object && effort.TryGetProperty("supported", out var es) && es.ValueKind == JsonValueKind.True;
        return new ClaudeModelCapabilities
        {
            Batch = On(c, "batch"),
            Citations = On(c, "citations"),
            CodeExecution = On(Child(c, "server_tools"), "code_execution"),
            WebSearch = On(Child(c, "server_tools"), "web_search"),
            ImageInput = On(c, "image_input"),
            PdfInput = On(c, "pdf_input"),
            StructuredOutputs = On(c, "structured_outputs"),
            Compaction = On(Child(c, "context_management"), "compact_20260112"),
            Thinking = On(c, "thinking"),
            ThinkingTypes = new[] { "adaptive", "enabled", "disabled", "between_tools" }.Where(t => On(types, t)).ToArray(),
            EffortLevels = effortOn ? Wire.KnownModels.EffortLevels.Where(l => On(effort, l)).ToArray() : Array.Empty<string>(),
        };
    }

    private static string? Text(JsonElement m, string name) =>
        m.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static long? Number(JsonElement m, string name) =>
        m.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) ? v : null;

    private static DateTimeOffset? Date(JsonElement m, string name) =>
        Text(m, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
}
