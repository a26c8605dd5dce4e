using System;
using System.Collections.Generic;

namespace ClaudePS.Engine.Wire;

/// <summary>
/// One Messages API request in plain C#: what a cmdlet's parameters become. Serialised by
/// <see cref="MessageRequestWriter"/>; validated by <see cref="Validate"/> before anything is sent.
/// </summary>
public sealed class MessageRequest
{
    public string? Model { get; set; }
    public int MaxTokens { get; set; } = KnownModels.DefaultMaxTokens;
    public List<ClaudeMessage> Messages { get; set; } = new();
    public string? System { get; set; }
    /// <summary>Cache TTL for the system prompt ("5m" / "1h"); null sends it uncached.</summary>
    public string? SystemCacheTtl { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public int? TopK { get; set; }
    public List<string> StopSequences { get => _stopSequences ??= new(); set => _stopSequences = value; }
    public string? UserId { get; set; }
    /// <summary>Tool definitions as raw JSON objects.</summary>
    public List<string> ToolsJson { get => _toolsJson ??= new(); set => _toolsJson = value; }
    public string? ToolChoiceJson { get; set; }
    /// <summary>Extended thinking budget in tokens; null for off.</summary>
    public int? ThinkingBudgetTokens { get; set; }
    /// <summary>Adaptive thinking (the model decides); exclusive with a budget.</summary>
    public bool AdaptiveThinking { get; set; }
    /// <summary>output_config.effort: low, medium, high, xhigh or max; null for the model's default.</summary>
    public string? Effort { get; set; }
    public string? ServiceTier { get; set; }
    /// <summary>JSON schema for structured output (<c>output_config.format</c>).</summary>
    public string? OutputSchemaJson { get; set; }
    /// <summary>Top-level automatic cache_control TTL; null for none.</summary>
    public string? CacheControlTtl { get; set; }
    /// <summary>Extra anthropic-beta values to send with this request, after the connection's.</summary>
    public List<string> Betas { get => _betas ??= new(); set => _betas = value; }

    // Most requests use none of these lists, so each is made on first use (writers read the fields).
    private List<string>? _stopSequences, _toolsJson, _betas;
    internal bool HasStopSequences => _stopSequences is { Count: > 0 };
    internal bool HasTools => _toolsJson is { Count: > 0 };
    internal bool HasBetas => _betas is { Count: > 0 };

    /// <summary>A one-turn request for <paramref name="prompt"/>.</summary>
    public static MessageRequest ForPrompt(string prompt, string? model = null, int maxTokens = KnownModels.DefaultMaxTokens) => new()
    {
        Model = model,
        MaxTokens = maxTokens,
        Messages = { new ClaudeMessage("user", prompt) },
    };

    /// <summary>Client-side checks that name the field at fault; throws <see cref="ClaudeException"/>.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Model))
            throw Invalid("model", "No model was given. Pass -Model, or set a default with Connect-Claude -DefaultModel.");
        if (MaxTokens < 1 || MaxTokens > MaxTokensLimit)
            throw Invalid("max_tokens", $"max_tokens must be between 1 and {MaxTokensLimit}; it was {MaxTokens}.");
        if (Messages.Count == 0)
            throw Invalid("messages", "The request has no messages. Give a prompt.");
        if (!string.Equals(Messages[0].Role, "user", StringComparison.Ordinal))
            throw Invalid("messages", "The first message must have the role 'user'.");
        foreach (var m in Messages)
        {
            if (m.Role is not ("user" or "assistant"))
                throw Invalid("messages.role", $"Message role must be 'user' or 'assistant'; it was '{m.Role}'.");
            if (m.Content.Count == 0 || m.Content.TrueForAll(b => b.Type == "text" && string.IsNullOrWhiteSpace(b.Text)))
                throw Invalid("prompt", "The prompt is empty. Give non-empty text.");
        }
        if (Temperature is < 0 or > 1)
            throw Invalid("temperature", $"temperature must be between 0 and 1; it was {Temperature}.");
        if (TopP is < 0 or > 1)
            throw Invalid("top_p", $"top_p must be between 0 and 1; it was {TopP}.");
        if (Effort is not null && Array.IndexOf(EffortLevels, Effort) < 0)
            throw Invalid("output_config.effort", $"-Effort must be one of {string.Join(", ", EffortLevels)}; it was '{Effort}'.");
        if (ThinkingBudgetTokens is { } budget && (budget < 1024 || budget >= MaxTokens))
            throw Invalid("thinking.budget_tokens", $"The thinking budget must be at least 1024 and less than max_tokens ({MaxTokens}); it was {budget}.");
    }


    /// <summary>The largest max_tokens any current model accepts.</summary>
    public const int MaxTokensLimit = 128_000;

    /// <summary>Every effort level, lowest first (the list lives with the models, which the emulator shares).</summary>
    public static string[] EffortLevels => KnownModels.EffortLevels;

    internal static ClaudeException Invalid(string field, string message) =>
        new(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument, $"{field}: {message}"));
}
