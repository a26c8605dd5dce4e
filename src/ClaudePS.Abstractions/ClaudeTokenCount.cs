namespace ClaudePS;

/// <summary>What Measure-ClaudeToken writes: the input tokens a prompt would cost, before sending it.</summary>
public sealed class ClaudeTokenCount
{
    public string Model { get; init; } = "";
    /// <summary>Input tokens as the API counts them (system, messages, attachments included).</summary>
    public long InputTokens { get; init; }
    /// <summary>The prompt text that was counted.</summary>
    public string Prompt { get; init; } = "";
    /// <summary>How many attachments were counted with the prompt.</summary>
    public int AttachmentCount { get; init; }
    /// <summary>The input object this count answers (a CSV row, a prompt string), for correlation.</summary>
    public object? Input { get; set; }

    public override string ToString() => $"{InputTokens} input tokens ({Model})";
}
