using System;
using System.Collections.Generic;
using System.Linq;

namespace ClaudePS;

/// <summary>One model as the models endpoint lists it (what Get-ClaudeModel writes).</summary>
public sealed class ClaudeModelInfo
{
    public string Id { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>The API's object type ("model").</summary>
    public string Type { get; init; } = "model";
    /// <summary>The model line (opus, sonnet, haiku, ...), when the API names one.</summary>
    public string? Line { get; init; }
    /// <summary>active, deprecated or retired.</summary>
    public string? Lifecycle { get; init; }
    /// <summary>When the model was deprecated (deprecated and retired models).</summary>
    public DateTimeOffset? DeprecatedAt { get; init; }
    /// <summary>The scheduled retirement; a past date on a deprecated model means retirement is overdue.</summary>
    public DateTimeOffset? RetiresAt { get; init; }
    /// <summary>The context window in tokens.</summary>
    public long? MaxInputTokens { get; init; }
    /// <summary>The largest max_tokens (-MaxTokens) the model takes.</summary>
    public long? MaxTokens { get; init; }
    /// <summary>What the model takes, as the models API reports it; null when the endpoint did not say.</summary>
    public ClaudeModelCapabilities? Capabilities { get; init; }
    /// <summary>Base URI of the endpoint that listed the model.</summary>
    public string? Endpoint { get; init; }

    public override string ToString() => Id;
}

/// <summary>The capabilities object of a model (GET /v1/models).</summary>
public sealed class ClaudeModelCapabilities
{
    public bool Batch { get; init; }
    public bool Citations { get; init; }
    public bool CodeExecution { get; init; }
    public bool ImageInput { get; init; }
    public bool PdfInput { get; init; }
    public bool StructuredOutputs { get; init; }
    public bool WebSearch { get; init; }
    /// <summary>Server-side compaction (context_management compact_20260112).</summary>
    public bool Compaction { get; init; }
    public bool Thinking { get; init; }
    /// <summary>thinking.type values the model accepts: adaptive, enabled, disabled, between_tools.</summary>
    public IReadOnlyList<string> ThinkingTypes { get; init; } = Array.Empty<string>();
    /// <summary>-Effort levels the model takes (low, medium, high, xhigh, max); empty when it takes none.</summary>
    public IReadOnlyList<string> EffortLevels { get; init; } = Array.Empty<string>();

    /// <summary>A short line for tables: thinking types and effort levels, then the other supported features.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (ThinkingTypes.Count > 0) parts.Add("thinking:" + string.Join("/", ThinkingTypes.Where(t => t != "disabled")));
        if (EffortLevels.Count > 0) parts.Add("effort:" + string.Join("/", EffortLevels));
        foreach (var (on, name) in new[] { (ImageInput, "image"), (PdfInput, "pdf"), (StructuredOutputs, "json"), (Batch, "batch"), (Citations, "citations"), (WebSearch, "web_search"), (CodeExecution, "code"), (Compaction, "compaction") })
            if (on) parts.Add(name);
        return string.Join(" ", parts);
    }
}
