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
    public int MaxTokens { get; set; } = 1024;
    public double? Temperature { get; set; }
    public IReadOnlyList<string> StopSequences { get; set; } = Array.Empty<string>();
    /// <summary>Show text live as it arrives (the pipeline still gets one final object).</summary>
    public bool Stream { get; set; }
    /// <summary>Keep the API's JSON on the response.</summary>
    public bool Raw { get; set; }
    public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
    /// <summary>The pipeline object this prompt came from, echoed on the response.</summary>
    public object? Input { get; set; }
    /// <summary>What to redact from the reply (final text and live streamed text); Standard by default.</summary>
    public RedactionOptions Redaction { get; set; } = RedactionOptions.Standard;
    /// <summary>Also redact the prompt and system text (with <see cref="Redaction"/>) before sending.</summary>
    public bool RedactInput { get; set; }
}
