using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace ClaudePS.Engine.Wire;

/// <summary>How a model takes temperature, top_p and top_k (under API version 2023-06-01; 2026-10-21 removed them).</summary>
public enum SamplingRule
{
    /// <summary>Each may be sent.</summary>
    Any,
    /// <summary>temperature or top_p, not both (Claude 4.1 and 4.5).</summary>
    OneOf,
    /// <summary>None may be sent (Opus 4.7 and later: "deprecated for this model").</summary>
    None,
}

/// <summary>A public model: its id, names, lifecycle, limits and what it accepts, as the models API reports them.</summary>
public sealed class KnownModel
{
    public KnownModel(string id, string displayName, string createdAt, ModelGeneration generation, params string[] aliases)
    {
        Id = id;
        DisplayName = displayName;
        CreatedAt = DateTimeOffset.Parse(createdAt, CultureInfo.InvariantCulture);
        Aliases = aliases;
        Line = new[] { "opus", "sonnet", "haiku", "fable", "mythos" }.FirstOrDefault(l => id.Contains("-" + l));
        Generation = generation;
        MaxInputTokens = generation >= ModelGeneration.Claude46 ? 1_000_000 : 200_000;
        MaxTokens = generation switch
        {
            ModelGeneration.Claude4 => id.StartsWith("claude-opus", StringComparison.Ordinal) ? 32_000 : 64_000,
            ModelGeneration.Claude45 => 64_000,
            ModelGeneration.Claude46 => Line == "sonnet" ? 64_000 : 128_000,
            _ => 128_000,
        };
        ThinkingEnabled = generation <= ModelGeneration.Claude46;
        ThinkingAdaptive = generation >= ModelGeneration.Claude46;
        Sampling = generation switch
        {
            ModelGeneration.Claude4 => id.StartsWith("claude-opus-4-1", StringComparison.Ordinal) ? SamplingRule.OneOf : SamplingRule.Any,
            ModelGeneration.Claude45 => SamplingRule.OneOf,
            ModelGeneration.Claude46 => SamplingRule.Any,
            _ => SamplingRule.None,
        };
        EffortLevels = generation switch
        {
            ModelGeneration.Claude45 when Line == "opus" => new[] { "low", "medium", "high" },
            ModelGeneration.Claude46 => new[] { "low", "medium", "high", "max" },
            ModelGeneration.Claude47 => KnownModels.EffortLevels,
            _ => Array.Empty<string>(),
        };
        // Prompt caching: Sonnet and the Claude 4 / 4.1 models cache from 1,024 tokens, the others from 4,096.
        MinCacheableTokens = Line == "sonnet" || generation == ModelGeneration.Claude4 ? 1024 : 4096;
    }

    public string Id { get; }
    public string DisplayName { get; }
    public DateTimeOffset CreatedAt { get; }
    public IReadOnlyList<string> Aliases { get; }
    /// <summary>opus, sonnet, haiku, fable or mythos.</summary>
    public string? Line { get; }
    public ModelGeneration Generation { get; }
    /// <summary>active, deprecated or retired.</summary>
    public string Lifecycle { get; private set; } = "active";
    public DateTimeOffset? DeprecatedAt { get; private set; }
    public DateTimeOffset? RetiresAt { get; private set; }
    public int MaxInputTokens { get; }
    public int MaxTokens { get; }
    /// <summary>Takes thinking.type "enabled" with budget_tokens (deprecated on 4.6, rejected from 4.7 on).</summary>
    public bool ThinkingEnabled { get; }
    /// <summary>Takes thinking.type "adaptive".</summary>
    public bool ThinkingAdaptive { get; }
    public SamplingRule Sampling { get; }
    /// <summary>output_config.effort levels it takes; empty when it takes no effort.</summary>
    public IReadOnlyList<string> EffortLevels { get; }
    public int MinCacheableTokens { get; }

    internal KnownModel Deprecated(string deprecatedAt, string retiresAt, bool retired = false)
    {
        Lifecycle = retired ? "retired" : "deprecated";
        DeprecatedAt = DateTimeOffset.Parse(deprecatedAt, CultureInfo.InvariantCulture);
        RetiresAt = DateTimeOffset.Parse(retiresAt, CultureInfo.InvariantCulture);
        return this;
    }
}

/// <summary>Model generations that differ in what requests they take.</summary>
public enum ModelGeneration
{
    /// <summary>Claude Opus 4, Sonnet 4, Opus 4.1: budget thinking only.</summary>
    Claude4,
    /// <summary>Claude 4.5: budget thinking only; Opus 4.5 takes effort.</summary>
    Claude45,
    /// <summary>Claude 4.6: adaptive thinking recommended, budget thinking deprecated; effort.</summary>
    Claude46,
    /// <summary>Opus 4.7 and later (the 5 family too): adaptive thinking only, no sampling parameters, effort up to xhigh and max.</summary>
    Claude47,
}

/// <summary>
/// The public model catalogue (December 2026), newest first: what the -Model completer offers without the
/// network, what the module checks a request against when it has not fetched the live list, and what the
/// emulator serves on /v1/models (it compiles this same file). The default model and max_tokens live here too.
/// Ids of the 5.x generation and their limits come partly from secondary sources.
/// </summary>
public static class KnownModels
{
    /// <summary>The model used when neither -Model nor Connect-Claude -DefaultModel names one: the current recommended Sonnet.</summary>
    public const string DefaultModel = "claude-sonnet-5-5";
    /// <summary>max_tokens when -MaxTokens is not given: room for adaptive thinking plus a full answer.</summary>
    public const int DefaultMaxTokens = 4096;
    /// <summary>A small, cheap model for Connect-Claude -Validate.</summary>
    public const string ValidationModel = "claude-haiku-5-5";

    /// <summary>Every effort level, lowest first.</summary>
    public static readonly string[] EffortLevels = { "low", "medium", "high", "xhigh", "max" };

    public static IReadOnlyList<KnownModel> All { get; } = new[]
    {
        new KnownModel("claude-opus-5-5", "Claude Opus 5.5", "2026-11-05T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-11-05T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-haiku-5-5", "Claude Haiku 5.5", "2026-11-05T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-fable-5-1", "Claude Fable 5.1", "2026-09-15T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-mythos-5-1", "Claude Mythos 5.1", "2026-09-15T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-opus-5", "Claude Opus 5", "2026-07-20T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-sonnet-5", "Claude Sonnet 5", "2026-07-20T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-fable-5", "Claude Fable 5", "2026-06-10T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-mythos-5", "Claude Mythos 5", "2026-06-10T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-opus-4-8", "Claude Opus 4.8", "2026-04-16T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-opus-4-7", "Claude Opus 4.7", "2026-03-05T00:00:00Z", ModelGeneration.Claude47),
        new KnownModel("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z", ModelGeneration.Claude46),
        new KnownModel("claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z", ModelGeneration.Claude46),
        new KnownModel("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-01T00:00:00Z", ModelGeneration.Claude45, "claude-opus-4-5")
            .Deprecated("2026-11-23T00:00:00Z", "2027-01-22T00:00:00Z"),
        new KnownModel("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z", ModelGeneration.Claude45, "claude-haiku-4-5"),
        // Retirement is overdue (a past retires_at on a deprecated model): still callable.
        new KnownModel("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", ModelGeneration.Claude45, "claude-sonnet-4-5")
            .Deprecated("2026-08-29T00:00:00Z", "2026-11-30T00:00:00Z"),
        new KnownModel("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z", ModelGeneration.Claude4, "claude-opus-4-1"),
        new KnownModel("claude-opus-4-20250514", "Claude Opus 4", "2025-05-14T00:00:00Z", ModelGeneration.Claude4, "claude-opus-4-0")
            .Deprecated("2026-04-14T00:00:00Z", "2026-06-15T00:00:00Z", retired: true),
        new KnownModel("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z", ModelGeneration.Claude4, "claude-sonnet-4-0")
            .Deprecated("2026-04-14T00:00:00Z", "2026-06-15T00:00:00Z", retired: true),
    };

    /// <summary>Every id and alias, for completion (retired models are left out: requests to them fail).</summary>
    public static IReadOnlyList<string> Ids { get; } = All.Where(m => m.Lifecycle != "retired").SelectMany(m => new[] { m.Id }.Concat(m.Aliases)).ToArray();

    private static readonly Dictionary<string, KnownModel> ByIdOrAlias = IndexByIdAndAlias();

    /// <summary>The model an id or alias names (any case), or null.</summary>
    public static KnownModel? Find(string? idOrAlias) => idOrAlias is not null && ByIdOrAlias.TryGetValue(idOrAlias, out var model) ? model : null;

    /// <summary>The model object as GET /v1/models returns it (every key present, as strict SDK validation requires).</summary>
    public static JsonObject ToJson(KnownModel model)
    {
        static JsonObject Support(bool supported) => new() { ["supported"] = supported };
        static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var effort = new JsonObject { ["supported"] = model.EffortLevels.Count > 0 };
        foreach (var level in EffortLevels) effort[level] = Support(model.EffortLevels.Contains(level));
        bool newer = model.Generation >= ModelGeneration.Claude46;
        return new JsonObject
        {
            ["type"] = "model",
            ["id"] = model.Id,
            ["display_name"] = model.DisplayName,
            ["created_at"] = Date(model.CreatedAt),
            ["line"] = model.Line,
            ["lifecycle"] = model.Lifecycle,
            ["deprecated_at"] = model.DeprecatedAt is { } dep ? Date(dep) : null,
            ["retires_at"] = model.RetiresAt is { } ret ? Date(ret) : null,
            ["max_input_tokens"] = model.MaxInputTokens,
            ["max_tokens"] = model.MaxTokens,
            ["capabilities"] = new JsonObject
            {
                ["batch"] = Support(true),
                ["citations"] = Support(true),
                ["code_execution"] = Support(newer),
                ["context_management"] = new JsonObject
                {
                    ["supported"] = true,
                    ["clear_thinking_20251015"] = Support(true),
                    ["clear_tool_uses_20250919"] = Support(true),
                    ["compact_20260112"] = Support(newer),
                },
                ["effort"] = effort,
                ["image_input"] = Support(true),
                ["pdf_input"] = Support(true),
                ["server_tools"] = new JsonObject { ["supported"] = true, ["code_execution"] = Support(true), ["web_search"] = Support(true) },
                ["structured_outputs"] = Support(model.Generation >= ModelGeneration.Claude45),
                ["thinking"] = new JsonObject
                {
                    ["supported"] = true,
                    ["types"] = new JsonObject
                    {
                        ["adaptive"] = Support(model.ThinkingAdaptive),
                        ["between_tools"] = Support(model.Generation == ModelGeneration.Claude47),
                        ["disabled"] = Support(true),
                        ["enabled"] = Support(model.ThinkingEnabled),
                    },
                },
            },
        };
    }

    private static Dictionary<string, KnownModel> IndexByIdAndAlias()
    {
        var index = new Dictionary<string, KnownModel>(StringComparer.OrdinalIgnoreCase);
        // The first model to claim a name keeps it.
        void Claim(string name, KnownModel model)
        {
            if (!index.ContainsKey(name)) index[name] = model;
        }
        foreach (var model in All)
        {
            Claim(model.Id, model);
            foreach (var alias in model.Aliases) Claim(alias, model);
        }
        return index;
    }
}
