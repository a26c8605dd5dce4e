using System.Net;
using System.Text.Json;
using ClaudePS.Engine.Models;
using ClaudePS.Engine.Tests.Prompting;
using Xunit;

namespace ClaudePS.Engine.Tests.Models;

// One class: these tests change ModelCatalog's static settings, and xunit runs a class's tests one at a time.
public sealed class ModelCatalogTests : IDisposable
{
    private DateTimeOffset _now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public ModelCatalogTests() => ModelCatalog.Now = () => _now;

    public void Dispose()
    {
        ModelCatalog.Now = () => DateTimeOffset.UtcNow;
        ModelCatalog.CompletionRefreshCap = TimeSpan.FromSeconds(1.5);
    }

    // Five models served two per page, following after_id as the API does.
    private static FakeApi PagedModels()
    {
        var ids = new[] { "m-5", "m-4", "m-3", "m-2", "m-1" };
        return new FakeApi((req, _) =>
        {
            var query = System.Web.HttpUtility.ParseQueryString(req.RequestUri!.Query);
            if (req.RequestUri.AbsolutePath.StartsWith("/v1/models/"))
            {
                var id = req.RequestUri.AbsolutePath["/v1/models/".Length..];
                return ids.Contains(id)
                    ? (HttpStatusCode.OK, Model(id), null)
                    : (HttpStatusCode.NotFound, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: " + id + "\"}}", null);
            }
            int start = query["after_id"] is { } after ? Array.IndexOf(ids, after) + 1 : 0;
            var page = ids.Skip(start).Take(2).ToArray();
            bool more = start + page.Length < ids.Length;
            return (HttpStatusCode.OK, "{\"data\":[" + string.Join(",", page.Select(Model)) + "],\"has_more\":" + (more ? "true" : "false") +
                ",\"first_id\":\"" + page[0] + "\",\"last_id\":\"" + page[^1] + "\"}", null);
        });
    }

    // The built-in list (Wire.KnownModels; the emulator compiles the same type, so the test names none).
    private static void AssertBuiltIn(IReadOnlyList<string> ids)
    {
        Assert.Contains("claude-sonnet-4-5", ids);
        Assert.DoesNotContain("m-5", ids);
    }

    private static string Model(string id) => "{\"type\":\"model\",\"id\":\"" + id + "\",\"display_name\":\"Model " + id + "\",\"created_at\":\"2026-01-02T03:04:05Z\"}";

    [Fact]
    public async Task Listing_follows_every_page_and_then_serves_from_the_cache_until_it_expires()
    {
        var api = PagedModels();
        using var connection = api.Connect();
        var models = await ModelCatalog.ListAsync(connection);
        Assert.Equal(new[] { "m-5", "m-4", "m-3", "m-2", "m-1" }, models.Select(m => m.Id));
        Assert.Equal("Model m-3", models[2].DisplayName);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), models[2].CreatedAt);
        Assert.Equal(3, api.Seen.Count);
        Assert.Contains(api.Seen, r => r.PathAndQuery == "/v1/models?limit=100&after_id=m-4");

        await ModelCatalog.ListAsync(connection);
        Assert.Equal(3, api.Seen.Count); // cached
        await ModelCatalog.ListAsync(connection, refresh: true);
        Assert.Equal(6, api.Seen.Count); // -Refresh asks again
        _now += ModelCatalog.CacheLifetime + TimeSpan.FromSeconds(1);
        Assert.Null(ModelCatalog.Cached(connection));
        await ModelCatalog.ListAsync(connection);
        Assert.Equal(9, api.Seen.Count); // expired
    }

    [Fact]
    public async Task One_model_by_id_and_an_unknown_id_is_model_not_found()
    {
        using var connection = PagedModels().Connect();
        Assert.Equal("Model m-2", (await ModelCatalog.GetAsync(connection, "m-2")).DisplayName);
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => ModelCatalog.GetAsync(connection, "nope"));
        Assert.Equal("ClaudePS.ModelNotFound", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.ObjectNotFound, ex.Error.Category);
    }

    [Fact]
    public async Task The_completer_returns_known_ids_at_once_and_the_fetched_list_after_the_background_refresh()
    {
        var api = PagedModels();
        using var connection = api.Connect();
        AssertBuiltIn(ModelCatalog.CompletionIds(connection));
        await ModelCatalog.PendingRefresh(connection)!;
        var ids = ModelCatalog.CompletionIds(connection);
        Assert.Equal(new[] { "m-5", "m-4", "m-3", "m-2", "m-1" }, ids.Take(5));
        Assert.Contains("claude-sonnet-4-5", ids); // the built-in ids still complete
        AssertBuiltIn(ModelCatalog.CompletionIds(null));

        // Once stale, the old list still completes while a refresh runs behind it.
        _now += ModelCatalog.CacheLifetime + TimeSpan.FromSeconds(1);
        int sent = api.Seen.Count;
        Assert.Equal("m-5", ModelCatalog.CompletionIds(connection)[0]);
        await ModelCatalog.PendingRefresh(connection)!;
        Assert.True(api.Seen.Count > sent);
    }

    [Fact]
    public async Task A_hanging_endpoint_never_blocks_completion_and_only_one_refresh_runs()
    {
        var gate = new TaskCompletionSource();
        var api = new FakeApi((_, _) => { gate.Task.Wait(TimeSpan.FromSeconds(30)); return (HttpStatusCode.OK, "{\"data\":[]}", null); });
        ModelCatalog.CompletionRefreshCap = TimeSpan.FromMilliseconds(200);
        using var connection = api.Connect();
        try
        {
            AssertBuiltIn(ModelCatalog.CompletionIds(connection)); // returned while the request hangs
            var refresh = ModelCatalog.PendingRefresh(connection)!;
            AssertBuiltIn(ModelCatalog.CompletionIds(connection));
            Assert.Same(refresh, ModelCatalog.PendingRefresh(connection)); // no second request while one runs
        }
        finally { gate.SetResult(); }
    }

    [Fact]
    public async Task A_failed_refresh_is_swallowed_and_not_retried_at_every_tab_press()
    {
        var api = new FakeApi((_, _) => (HttpStatusCode.InternalServerError, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}", null));
        using var connection = api.Connect();
        AssertBuiltIn(ModelCatalog.CompletionIds(connection));
        await ModelCatalog.PendingRefresh(connection)!;
        int sent = api.Seen.Count;
        AssertBuiltIn(ModelCatalog.CompletionIds(connection));
        Assert.Equal(sent, api.Seen.Count);
        _now += ModelCatalog.FailedRefreshBackoff + TimeSpan.FromSeconds(1);
        ModelCatalog.CompletionIds(connection);
        await ModelCatalog.PendingRefresh(connection)!;
        Assert.True(api.Seen.Count > sent);
    }
}
