using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Batching;

/// <summary>A row turned into a request, or the reason it could not be.</summary>
internal sealed class PreparedRow
{
    public long Number { get; init; }
    public string RowId { get; init; } = "";
    public BatchRow Row { get; init; } = null!;
    public MessageRequest? Request { get; init; }
    /// <summary>Hash of everything that decides the reply (model, settings, system, prompt).</summary>
    public string? ContentHash { get; init; }
    public ClaudeError? Error { get; init; }
    public long EstimatedInputTokens { get; init; }
    /// <summary>-JsonSchema / -OutputType: the reply becomes typed columns by this schema.</summary>
    public TypedColumnSchema? Schema { get; init; }
}

/// <summary>
/// Builds one request per row: the prompt from -PromptTemplate or the prompt column (with its aliases),
/// per-row Model / System / MaxTokens / Temperature over the shared defaults, and the row id.
/// </summary>
internal sealed class BatchRequestBuilder
{
    /// <summary>Column names taken as the prompt, in order of preference.</summary>
    public static readonly string[] PromptColumns = { "Prompt", "Text", "Question", "Input", "Message", "Content" };
    public static readonly string[] IdColumns = { "Id", "RowId", "CustomId" };
    /// <summary>Below this many (estimated) tokens a cached system prompt is not accepted by the API, so caching does not pay.</summary>
    public const int MinCacheableTokens = 1024;

    private readonly BatchOptions _options;
    private readonly string _defaultModel;
    private readonly BatchRequestFeatures _features;

    /// <summary>Checks a built request against the model (ModelGuard); what it throws ends the run: every
    /// row like this one would be rejected too.</summary>
    public Action<MessageRequest>? Check { get; init; }

    public BatchRequestBuilder(BatchOptions options, string defaultModel)
    {
        _options = options;
        _defaultModel = options.Model ?? defaultModel;
        _features = new BatchRequestFeatures(options);
    }

    /// <summary>-JsonSchema / -OutputType of the run: the schema replies are projected into typed columns by.</summary>
    internal TypedColumnSchema? Schema => _features.Schema;

    public PreparedRow Prepare(BatchRow row, long number)
    {
        string rowId = RowIdOf(row, number);
        object? target = row.Original;
        string? prompt;
        if (_options.PromptTemplate is { } template)
        {
            var filled = FillTemplate(template, row, out var missing);
            if (missing is not null) return Failed(BatchErrors.MissingTemplateColumn(rowId, missing, target));
            prompt = filled;
        }
        else prompt = PromptOf(row);
        if (prompt is null || prompt.Trim().Length == 0) return Failed(BatchErrors.NoPrompt(rowId, target));

        string model = row.GetText("Model") ?? _defaultModel;
        string? system = row.GetText("System") ?? _options.System;
        int maxTokens = _options.MaxTokens;
        if (row.GetText("MaxTokens") is { } mt)
        {
            if (!int.TryParse(mt, NumberStyles.Integer, CultureInfo.InvariantCulture, out maxTokens) || maxTokens < 1 || maxTokens > MessageRequest.MaxTokensLimit)
                return Failed(BatchErrors.BadColumn(rowId, "MaxTokens", mt, $"a whole number from 1 to {MessageRequest.MaxTokensLimit}", target));
        }
        double? temperature = _options.Temperature;
        if (row.GetText("Temperature") is { } tt)
        {
            if (!double.TryParse(tt, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || t < 0 || t > 1)
                return Failed(BatchErrors.BadColumn(rowId, "Temperature", tt, "a number from 0 to 1", target));
            temperature = t;
        }

        string? effort = row.GetText("Effort") ?? _options.Effort;
        var request = MessageRequest.ForPrompt(prompt, model, maxTokens);
        request.System = system;
        request.Temperature = temperature;
        request.Effort = effort;
        long systemTokens = EstimateTokens(system);
        // Cache the system prompt only when the API would accept the breakpoint; a short one costs more to write
        // than it saves. The schema is part of the same shared prefix, so it counts towards paying.
        if (system is not null && (_options.CacheSystemPrompt ?? systemTokens + _features.SchemaTokens >= MinCacheableTokens)) request.SystemCacheTtl = "5m";
        if (_features.Apply(request, row, rowId, prompt, out var featureHash, out var featureTokens) is { } featureError) return Failed(featureError);
        try { request.Validate(); }
        catch (ClaudeException ex) { return Failed(ex.Error.WithTarget(target)); }
        Check?.Invoke(request);

        return new PreparedRow
        {
            Number = number, RowId = rowId, Row = row, Request = request,
            ContentHash = Hash(model, maxTokens, temperature, system, prompt + featureHash, effort),
            EstimatedInputTokens = EstimateTokens(prompt) + systemTokens + featureTokens + 8,
            Schema = _features.Schema,
        };

        PreparedRow Failed(ClaudeError error) => new() { Number = number, RowId = rowId, Row = row, Error = error };
    }

    public static string RowIdOf(BatchRow row, long number)
    {
        foreach (var name in IdColumns)
            if (row.GetText(name) is { } id) return id.Trim();
        return number.ToString(CultureInfo.InvariantCulture);
    }

    public static string? PromptOf(BatchRow row)
    {
        foreach (var name in PromptColumns)
            if (row.GetText(name) is { } p) return p;
        return null;
    }

    /// <summary>Replaces each {{Column}} with the row's value; <paramref name="missing"/> names the first absent column.</summary>
    public static string FillTemplate(string template, BatchRow row, out string? missing)
    {
        missing = null;
        var sb = new StringBuilder(template.Length + 64);
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) { sb.Append(template, i, template.Length - i); break; }
            int close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) { sb.Append(template, i, template.Length - i); break; }
            sb.Append(template, i, open - i);
            string name = template.Substring(open + 2, close - open - 2).Trim();
            if (!row.TryGet(name, out var value))
            {
                missing ??= name;
            }
            else sb.Append(BatchRow.ToText(value));
            i = close + 2;
        }
        return sb.ToString();
    }

    /// <summary>About four characters a token: the usual rule for English text; used only for estimates.</summary>
    public static long EstimateTokens(string? text) => string.IsNullOrEmpty(text) ? 0 : (text!.Length + 3) / 4;

    internal static string Hash(string model, int maxTokens, double? temperature, string? system, string prompt, string? effort = null)
    {
        var text = string.Join("\u0000", model, maxTokens.ToString(CultureInfo.InvariantCulture),
            temperature?.ToString("R", CultureInfo.InvariantCulture) ?? "", system ?? "", prompt);
        // Effort joins the hash only when set, so checkpoints written before it existed still match.
        if (effort is not null) text += "\u0000effort=" + effort;
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var hex = new StringBuilder(32);
        for (int b = 0; b < 16; b++) hex.Append(bytes[b].ToString("x2", CultureInfo.InvariantCulture));
        return hex.ToString();
    }
}
