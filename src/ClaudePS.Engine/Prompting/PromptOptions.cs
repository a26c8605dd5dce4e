using System;
using System.Collections.Generic;
using ClaudePS.Engine.Redaction;

namespace ClaudePS.Engine.Prompting;

/// <summary>What Invoke-ClaudePrompt binds, as plain C#.</summary>
public sealed class PromptOptions
{
    public string Prompt { get; set; } = "";
    public string? System { get; set; }
    public string? Model { get; set; }
    public int MaxTokens { get; set; } = Wire.KnownModels.DefaultMaxTokens;
    public double? Temperature { get; set; }
    public IReadOnlyList<string> StopSequences { get; set; } = Array.Empty<string>();
    /// <summary>Show text live as it arrives (the pipeline still gets one final object).</summary>
    public bool Stream { get; set; }
    /// <summary>Keep the API's JSON on the response.</summary>
    public bool Raw { get; set; }
    public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
    /// <summary>The pipeline object this prompt came from, echoed on the response.</summary>
    public object? Input { get; set; }

    // Prompt features (issue 8); applied by PromptFeatures.
    /// <summary>JSON schema text for structured output; the reply is parsed onto Data as a plain tree.</summary>
    public string? JsonSchema { get; set; }
    /// <summary>A type whose schema is sent; the reply is deserialised into it onto Data.</summary>
    public Type? OutputType { get; set; }
    /// <summary>Full paths of files to attach (images and PDFs).</summary>
    public IReadOnlyList<string> Attachments { get; set; } = Array.Empty<string>();
    /// <summary>A conversation to continue; the turn and the reply are appended to it.</summary>
    public ClaudeConversation? Conversation { get; set; }
    public bool CacheSystemPrompt { get; set; }
    /// <summary>"5m" (default) or "1h" for every breakpoint this request places.</summary>
    public string? CacheTtl { get; set; }
    /// <summary>Automatic cache breakpoints on long prompts and conversations (see PromptCaching).</summary>
    public bool AutoCacheBreakpoints { get; set; } = true;
    public int? ThinkingBudget { get; set; }
    public bool AdaptiveThinking { get; set; }
    /// <summary>output_config.effort (low, medium, high, xhigh, max); null for the conversation's, then the connection's, then the model's default.</summary>
    public string? Effort { get; set; }
    /// <summary>anthropic-beta values for this prompt, sent after the connection's.</summary>
    public IReadOnlyList<string> Betas { get; set; } = Array.Empty<string>();
    /// <summary>What to redact from the reply (final text and live streamed text); Standard by default.</summary>
    public RedactionOptions Redaction { get; set; } = RedactionOptions.Standard;
    /// <summary>PowerShell commands the model may call (-Tool), and how the loop runs; null for none.</summary>
    public Tools.ToolLoopOptions? Tools { get; set; }
    /// <summary>Also redact the prompt and system text (with <see cref="Redaction"/>) before sending.</summary>
    public bool RedactInput { get; set; }
}
