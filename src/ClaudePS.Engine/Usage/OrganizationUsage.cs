using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;

namespace ClaudePS.Engine.Usage;

/// <summary>One day and model of the organisation's usage report (Admin API).</summary>
public sealed class OrganizationUsageRow
{
    public DateTime Day { get; init; }
    public string Model { get; init; } = "";
    public long UncachedInputTokens { get; init; }
    public long CacheWrite5mTokens { get; init; }
    public long CacheWrite1hTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long OutputTokens { get; init; }
}

/// <summary>
/// Reads GET /v1/organizations/usage_report/messages with an admin key (daily buckets grouped by model,
/// following next_page), and sets it beside the local ledger.
/// </summary>
public sealed class OrganizationUsageClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private readonly string _adminKey;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <param name="handler">Null builds one honouring HTTPS_PROXY/NO_PROXY.</param>
    public OrganizationUsageClient(Uri baseUri, string adminKey, HttpMessageHandler? handler = null, bool allowUnencrypted = false)
        : this(Checked(baseUri, allowUnencrypted), adminKey, handler is null
            ? HttpHandlerFactory.CreateClient(EnvironmentProxy.FromEnvironment(Auth.CredentialResolver.ProcessEnvironment()), 4, Timeout)
            : new HttpClient(handler, disposeHandler: true) { Timeout = Timeout })
    {
    }

    /// <summary>Reads the report the way <paramref name="connection"/> reaches the API: through its proxy
    /// (-Proxy or the environment's), and over plain http only when it allows that.</summary>
    public OrganizationUsageClient(Uri baseUri, string adminKey, ClaudeConnection connection)
        : this(Checked(baseUri, connection.Options.AllowUnencryptedConnection), adminKey, HttpHandlerFactory.CreateClient(connection.Proxy, 4, Timeout))
    {
    }

    private OrganizationUsageClient(Uri baseUri, string adminKey, HttpClient http)
    {
        _baseUri = baseUri;
        _adminKey = adminKey;
        _http = http;
    }

    // Checked before the client exists (arguments run left to right), so a refused URI leaks no handler.
    private static Uri Checked(Uri baseUri, bool allowUnencrypted)
    {
        ClaudeConnection.CheckBaseUri(baseUri, allowUnencrypted);
        return new Uri(baseUri.ToString().TrimEnd('/') + "/");
    }

    public async Task<IReadOnlyList<OrganizationUsageRow>> GetMessagesUsageAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // The report works in whole UTC days.
        var start = since.UtcDateTime.Date;
        var end = until.UtcDateTime.Date == until.UtcDateTime ? until.UtcDateTime : until.UtcDateTime.Date.AddDays(1);
        var rows = new List<OrganizationUsageRow>();
        string? page = null;
        for (int pages = 0; pages < 1000; pages++)
        {
            var query = "v1/organizations/usage_report/messages?starting_at=" + Uri.EscapeDataString(Rfc3339(start)) +
                        "&ending_at=" + Uri.EscapeDataString(Rfc3339(end)) + "&bucket_width=1d&group_by[]=model&limit=31" +
                        (page is null ? "" : "&page=" + Uri.EscapeDataString(page));
            using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUri, query));
            req.Headers.TryAddWithoutValidation("x-api-key", _adminKey);
            // Pinned: 2026-10-21 renamed Admin API report fields, and this reader reads the 2023-06-01 names.
            req.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion.Legacy);
            using var res = await _http.SendAsync(req, cancellationToken).ConfigureAwait(false);
            var body = await res.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (!res.IsSuccessStatusCode)
                throw new ClaudeException(ApiErrors.FromHttp((int)res.StatusCode, body, ClaudeClient.Header(res, "request-id"), ClaudeClient.Shown(_baseUri)));
            using var doc = JsonDocument.Parse(body);
            foreach (var bucket in doc.RootElement.GetProperty("data").EnumerateArray())
            {
                var day = DateTimeOffset.Parse(bucket.GetProperty("starting_at").GetString()!, CultureInfo.InvariantCulture).UtcDateTime.Date;
                foreach (var r in bucket.GetProperty("results").EnumerateArray())
                {
                    long w1 = 0, w5 = 0;
                    if (r.TryGetProperty("cache_creation", out var cc) && cc.ValueKind == JsonValueKind.Object)
                    {
                        w1 = Long(cc, "ephemeral_1h_input_tokens");
                        w5 = Long(cc, "ephemeral_5m_input_tokens");
                    }
                    rows.Add(new OrganizationUsageRow
                    {
                        Day = DateTime.SpecifyKind(day, DateTimeKind.Utc),
                        Model = r.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "",
                        UncachedInputTokens = Long(r, "uncached_input_tokens"),
                        CacheWrite5mTokens = w5,
                        CacheWrite1hTokens = w1,
                        CacheReadTokens = Long(r, "cache_read_input_tokens"),
                        OutputTokens = Long(r, "output_tokens"),
                    });
                }
            }
            bool more = doc.RootElement.TryGetProperty("has_more", out var hm) && hm.ValueKind == JsonValueKind.True;
            page = more && doc.RootElement.TryGetProperty("next_page", out var np) && np.ValueKind == JsonValueKind.String ? np.GetString() : null;
            if (page is null) break;
        }
        return rows;
    }

    /// <summary>Ledger and organisation per UTC day and model family (dated ids and aliases folded together).</summary>
    public static IReadOnlyList<ClaudeUsageComparison> Compare(IEnumerable<OrganizationUsageRow> organization, IEnumerable<ClaudeUsageReport> ledgerByModelAndDay)
    {
        var keys = new SortedDictionary<(DateTime Day, string Model), (ClaudeUsageReport? Ledger, long In, long Out, long Write, long Read)>();
        foreach (var o in organization)
        {
            var key = (o.Day.Date, PriceTable.NormalizeModelId(o.Model));
            keys.TryGetValue(key, out var v);
            keys[key] = (v.Ledger, v.In + o.UncachedInputTokens, v.Out + o.OutputTokens, v.Write + o.CacheWrite5mTokens + o.CacheWrite1hTokens, v.Read + o.CacheReadTokens);
        }
        var ledger = new Dictionary<(DateTime, string), (long Req, long In, long Out, long Write, long Read)>();
        foreach (var l in ledgerByModelAndDay)
        {
            var key = (l.Day!.Value.Date, PriceTable.NormalizeModelId(l.Model ?? ""));
            ledger.TryGetValue(key, out var v);
            ledger[key] = (v.Req + l.Requests, v.In + l.InputTokens, v.Out + l.OutputTokens, v.Write + l.CacheWrite5mTokens + l.CacheWrite1hTokens, v.Read + l.CacheReadTokens);
            if (!keys.ContainsKey(key)) keys[key] = default;
        }
        return keys.Select(k =>
        {
            ledger.TryGetValue(k.Key, out var l);
            return new ClaudeUsageComparison
            {
                Day = DateTime.SpecifyKind(k.Key.Day, DateTimeKind.Utc),
                Model = k.Key.Model,
                LedgerRequests = l.Req,
                LedgerInputTokens = l.In, OrganizationInputTokens = k.Value.In,
                LedgerOutputTokens = l.Out, OrganizationOutputTokens = k.Value.Out,
                LedgerCacheWriteTokens = l.Write, OrganizationCacheWriteTokens = k.Value.Write,
                LedgerCacheReadTokens = l.Read, OrganizationCacheReadTokens = k.Value.Read,
            };
        }).ToArray();
    }

    private static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    public void Dispose() => _http.Dispose();
}
