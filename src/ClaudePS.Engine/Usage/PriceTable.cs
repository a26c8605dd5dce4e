using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// Prices as data: the shipped table (embedded prices.json, dated and sourced) merged with the user's
/// overrides (prices.json in the data folder, written by Set-ClaudePrice). Immutable; changing prices
/// makes a new table with a new <see cref="Version"/>, which every ledger record names.
/// </summary>
public sealed class PriceTable
{
    private const string ResourceName = "ClaudePS.Engine.Usage.prices.json";
    private static readonly Lazy<PriceTable> ShippedTable = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, ClaudePrice> _byId;

    private PriceTable(string version, string source, IReadOnlyList<ClaudePrice> prices)
    {
        Version = version;
        Source = source;
        Prices = prices;
        _byId = new Dictionary<string, ClaudePrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in prices)
        {
            _byId[p.Family] = p;
            foreach (var a in p.Aliases) _byId[NormalizeModelId(a)] = p;
        }
    }

    /// <summary>The table's identity: the shipped date, plus a hash of the user overrides when there are any.</summary>
    public string Version { get; }
    public string Source { get; }
    public IReadOnlyList<ClaudePrice> Prices { get; }

    /// <summary>The table compiled into the engine.</summary>
    public static PriceTable Shipped => ShippedTable.Value;

    /// <summary>The price of <paramref name="model"/> (any dated id, alias or provider-prefixed id), or null.</summary>
    public ClaudePrice? Find(string? model) =>
        model is { Length: > 0 } && _byId.TryGetValue(NormalizeModelId(model), out var p) ? p : null;

    /// <summary>Cost in USD of <paramref name="usage"/> on <paramref name="model"/>; null when the price is unknown (never zero).</summary>
    public decimal? Cost(string? model, ClaudeUsage usage, bool batch = false) =>
        Find(model) is { } price ? Cost(price, usage, batch) : null;

    /// <summary>
    /// input × input price + 5-minute writes × 5m price + 1-hour writes × 1h price + reads × read price
    /// + output × output price, per million tokens; Message Batches (or service tier "batch") pay 50 %.
    /// </summary>
    public static decimal Cost(ClaudePrice price, ClaudeUsage usage, bool batch = false)
    {
        long write1h = Math.Min(usage.CacheWrite1hTokens, usage.CacheWriteTokens);
        long write5m = usage.CacheWriteTokens - write1h; // the API's default TTL is 5 minutes
        decimal perMillion =
            usage.InputTokens * price.InputPerMTok +
            write5m * price.CacheWrite5mPerMTok +
            write1h * price.CacheWrite1hPerMTok +
            usage.CacheReadTokens * price.CacheReadPerMTok +
            usage.OutputTokens * price.OutputPerMTok;
        decimal cost = perMillion / 1_000_000m;
        if (batch || string.Equals(usage.ServiceTier, "batch", StringComparison.OrdinalIgnoreCase)) cost /= 2;
        return cost;
    }

    /// <summary>
    /// Maps any spelling of a model id to its family id: provider prefixes (Bedrock "us.anthropic.",
    /// Vertex "publishers/anthropic/models/") and suffixes ("@20250929", "-v1:0", "-latest", "-20250929")
    /// are removed. Only exact family/alias matches count afterwards, so a new model is never priced as
    /// an older one by prefix.
    /// </summary>
    public static string NormalizeModelId(string model)
    {
        var id = model.Trim().ToLowerInvariant();
        int slash = id.LastIndexOf('/');
        if (slash >= 0) id = id.Substring(slash + 1);
        int claude = id.IndexOf("claude-", StringComparison.Ordinal);
        if (claude > 0) id = id.Substring(claude);
        int at = id.IndexOf('@');
        if (at >= 0) id = id.Substring(0, at);
        id = StripSuffix(id, IsBedrockVersion);
        if (id.EndsWith("-latest", StringComparison.Ordinal)) id = id.Substring(0, id.Length - "-latest".Length);
        id = StripSuffix(id, s => s.Length == 8 && s.All(char.IsDigit));
        return id;
    }

    private static bool IsBedrockVersion(string s) => s.Length >= 2 && s[0] == 'v' && s.Substring(1).All(c => char.IsDigit(c) || c == ':');

    private static string StripSuffix(string id, Func<string, bool> isSuffix)
    {
        int dash = id.LastIndexOf('-');
        return dash > 0 && isSuffix(id.Substring(dash + 1)) ? id.Substring(0, dash) : id;
    }

    /// <summary>This table with <paramref name="price"/> added or replacing the row of its family.</summary>
    public PriceTable With(IEnumerable<ClaudePrice> overrides, string versionSuffix)
    {
        var merged = Prices.ToDictionary(p => p.Family, StringComparer.OrdinalIgnoreCase);
        foreach (var p in overrides) merged[NormalizeModelId(p.Family)] = p;
        return new PriceTable(Shipped.Version + "+user." + versionSuffix, Shipped.Source + "; user overrides", merged.Values.ToArray());
    }

    /// <summary>The shipped table merged with <paramref name="userFile"/> when it exists. A broken user file
    /// is an error that names the file (prices must not silently fall back).</summary>
    public static PriceTable LoadWithOverrides(string? userFile)
    {
        if (userFile is null || !File.Exists(userFile)) return Shipped;
        byte[] bytes = File.ReadAllBytes(userFile);
        IReadOnlyList<ClaudePrice> user;
        try { user = ParseFile(bytes, "user").Prices; }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.PriceFileInvalid", ClaudeErrorCategory.InvalidData,
                $"The price file '{userFile}' is not valid: {ex.Message} Fix it, or delete it to use the shipped prices ({Shipped.Version})."), ex);
        }
        return user.Count == 0 ? Shipped : Shipped.With(user, ShortHash(bytes));
    }

    /// <summary>Writes <paramref name="overrides"/> as the user price file (temp file + rename).</summary>
    public static void SaveOverrides(string userFile, IEnumerable<ClaudePrice> overrides)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(userFile))!);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("comment", "ClaudePS price overrides (USD per million tokens); rows replace or extend the shipped table.");
            w.WriteStartArray("models");
            foreach (var p in overrides)
            {
                w.WriteStartObject();
                w.WriteString("family", p.Family);
                if (p.Name is not null) w.WriteString("name", p.Name);
                w.WriteNumber("input", p.InputPerMTok);
                w.WriteNumber("cacheWrite5m", p.CacheWrite5mPerMTok);
                w.WriteNumber("cacheWrite1h", p.CacheWrite1hPerMTok);
                w.WriteNumber("cacheRead", p.CacheReadPerMTok);
                w.WriteNumber("output", p.OutputPerMTok);
                if (p.Aliases.Count > 0)
                {
                    w.WriteStartArray("aliases");
                    foreach (var a in p.Aliases) w.WriteStringValue(a);
                    w.WriteEndArray();
                }
                if (!p.Confirmed) w.WriteBoolean("confirmed", false);
                if (p.Note is not null) w.WriteString("note", p.Note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        AtomicFile.Write(userFile, buffer.ToArray());
    }

    /// <summary>The user file's rows (empty when there is none).</summary>
    public static IReadOnlyList<ClaudePrice> ReadOverrides(string userFile) =>
        File.Exists(userFile) ? ParseFile(File.ReadAllBytes(userFile), "user").Prices : Array.Empty<ClaudePrice>();

    private static PriceTable LoadShipped()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The shipped price table is missing from the engine assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return ParseFile(copy.ToArray(), null);
    }

    private static PriceTable ParseFile(byte[] json, string? origin)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = doc.RootElement;
        string version = root.TryGetProperty("version", out var v) ? v.GetString() ?? "" : "";
        string source = root.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "";
        origin ??= "shipped " + version;
        var prices = new List<ClaudePrice>();
        foreach (var m in root.GetProperty("models").EnumerateArray())
        {
            decimal input = m.GetProperty("input").GetDecimal();
            var family = m.GetProperty("family").GetString();
            if (string.IsNullOrWhiteSpace(family)) throw new FormatException("A row has an empty family.");
            prices.Add(new ClaudePrice
            {
                Family = NormalizeModelId(family!),
                Name = m.TryGetProperty("name", out var n) ? n.GetString() : null,
                InputPerMTok = input,
                // Missing cache columns follow the usual multipliers of the input price.
                CacheWrite5mPerMTok = Optional(m, "cacheWrite5m") ?? input * 1.25m,
                CacheWrite1hPerMTok = Optional(m, "cacheWrite1h") ?? input * 2m,
                CacheReadPerMTok = Optional(m, "cacheRead") ?? input * 0.1m,
                OutputPerMTok = m.GetProperty("output").GetDecimal(),
                Aliases = m.TryGetProperty("aliases", out var a) ? a.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0).ToArray() : Array.Empty<string>(),
                Confirmed = !m.TryGetProperty("confirmed", out var c) || c.ValueKind != JsonValueKind.False,
                Note = m.TryGetProperty("note", out var note) ? note.GetString() : null,
                Origin = origin,
            });
        }
        foreach (var p in prices)
            if (p.InputPerMTok < 0 || p.OutputPerMTok < 0 || p.CacheReadPerMTok < 0 || p.CacheWrite5mPerMTok < 0 || p.CacheWrite1hPerMTok < 0)
                throw new FormatException($"The row for {p.Family} has a negative price.");
        return new PriceTable(version, source, prices);
    }

    private static decimal? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;

    private static string ShortHash(byte[] bytes)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(bytes);
        var sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
