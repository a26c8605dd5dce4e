namespace ClaudePS.Engine.Connections;

/// <summary>The anthropic-version values the module knows and what changed between them.</summary>
public static class ApiVersion
{
    /// <summary>Sent unless Connect-Claude -AnthropicVersion pins another.</summary>
    public const string Current = "2026-10-21";
    /// <summary>The version before: it still takes temperature, top_p and top_k.</summary>
    public const string Legacy = "2023-06-01";

    /// <summary>2026-10-21 and later: sampling parameters removed, documents in assistant turns and citations on
    /// user text rejected. Versions are dates, so they compare as text.</summary>
    public static bool RemovesSampling(string version) => string.CompareOrdinal(version, Current) >= 0;

    /// <summary>True for a yyyy-MM-dd date from 2023 on (the form every version takes).</summary>
    public static bool IsWellFormed(string? version) =>
        version is { Length: 10 } && System.DateTime.TryParseExact(version, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var d) && d.Year >= 2023;
}
