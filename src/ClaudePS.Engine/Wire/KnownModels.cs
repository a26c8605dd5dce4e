using System;
using System.Collections.Generic;
using System.Linq;

namespace ClaudePS.Engine.Wire;

/// <summary>A public model: its id, display name, release date and the aliases that resolve to it.</summary>
public sealed class KnownModel
{
    public KnownModel(string id, string displayName, string createdAt, params string[] aliases)
    {
        Id = id;
        DisplayName = displayName;
        CreatedAt = DateTimeOffset.Parse(createdAt, System.Globalization.CultureInfo.InvariantCulture);
        Aliases = aliases;
    }

    public string Id { get; }
    public string DisplayName { get; }
    public DateTimeOffset CreatedAt { get; }
    public IReadOnlyList<string> Aliases { get; }
}

/// <summary>
/// The public model catalogue (late 2026), newest first: what the -Model completer offers without the
/// network, and what the emulator serves on /v1/models (it compiles this same file). Get-ClaudeModel
/// asks the live API. Ids of the 5.5 generation come from secondary sources and are unconfirmed.
/// </summary>
public static class KnownModels
{
    public static IReadOnlyList<KnownModel> All { get; } = new[]
    {
        new KnownModel("claude-opus-5-5", "Claude Opus 5.5", "2026-11-05T00:00:00Z"),
        new KnownModel("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-11-05T00:00:00Z"),
        new KnownModel("claude-haiku-5-5", "Claude Haiku 5.5", "2026-11-05T00:00:00Z"),
        new KnownModel("claude-fable-5-1", "Claude Fable 5.1", "2026-09-15T00:00:00Z"),
        new KnownModel("claude-mythos-5-1", "Claude Mythos 5.1", "2026-09-15T00:00:00Z"),
        new KnownModel("claude-opus-5", "Claude Opus 5", "2026-07-20T00:00:00Z"),
        new KnownModel("claude-sonnet-5", "Claude Sonnet 5", "2026-07-20T00:00:00Z"),
        new KnownModel("claude-fable-5", "Claude Fable 5", "2026-06-10T00:00:00Z"),
        new KnownModel("claude-mythos-5", "Claude Mythos 5", "2026-06-10T00:00:00Z"),
        new KnownModel("claude-opus-4-8", "Claude Opus 4.8", "2026-04-16T00:00:00Z"),
        new KnownModel("claude-opus-4-7", "Claude Opus 4.7", "2026-03-05T00:00:00Z"),
        new KnownModel("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z"),
        new KnownModel("claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z"),
        new KnownModel("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-01T00:00:00Z", "claude-opus-4-5"),
        new KnownModel("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z", "claude-haiku-4-5"),
        new KnownModel("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", "claude-sonnet-4-5"),
        new KnownModel("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z", "claude-opus-4-1"),
        new KnownModel("claude-opus-4-20250514", "Claude Opus 4", "2025-05-14T00:00:00Z", "claude-opus-4-0"),
        new KnownModel("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z", "claude-sonnet-4-0"),
    };

    /// <summary>Every id and alias, for completion.</summary>
    public static IReadOnlyList<string> Ids { get; } = All.SelectMany(m => new[] { m.Id }.Concat(m.Aliases)).ToArray();

    private static readonly Dictionary<string, KnownModel> ByIdOrAlias = IndexByIdAndAlias();

    /// <summary>The model an id or alias names (any case), or null.</summary>
    public static KnownModel? Find(string idOrAlias) => ByIdOrAlias.TryGetValue(idOrAlias, out var model) ? model : null;

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
