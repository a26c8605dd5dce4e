using System;
using System.Collections.Generic;

namespace ClaudePS;

/// <summary>One reply from Claude: what Invoke-ClaudePrompt writes to the pipeline.</summary>
public sealed class ClaudeResponse
{
    /// <summary>The reply's text blocks joined (thinking is kept out, see <see cref="Thinking"/>).</summary>
    public string Text { get => _text; init => _text = value; }
    private string _text = "";
    public string Model { get; init; } = "";
    /// <summary>The API's stop_reason, kept verbatim (unknown values included).</summary>
    public string? StopReason { get; init; }
    public string? StopSequence { get; init; }
    public ClaudeUsage Usage { get => _usage; init => _usage = value; }
    private ClaudeUsage _usage = ClaudeUsage.Empty;
    /// <summary>Cost in USD; null when the model's price is unknown (never guessed as zero).</summary>
    public decimal? CostUsd { get; private set; }
    public string? MessageId { get; init; }
    public string? RequestId { get; init; }
    /// <summary>Base URI of the endpoint that served the reply.</summary>
    public string? Endpoint { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Time until the first text arrived (streaming), or the whole duration otherwise.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }
    /// <summary>How many attempts the call took (1 when nothing was retried).</summary>
    public int Attempts { get; init; } = 1;
    /// <summary>True when the reply came from the local response cache (not billed).</summary>
    public bool FromCache { get; init; }
    /// <summary>Extended-thinking text, when thinking was on (redacted like <see cref="Text"/>).</summary>
    public string? Thinking { get => _thinking; init => _thinking = value; }
    private string? _thinking;
    /// <summary>Parsed structured output (-JsonSchema / -OutputType), when asked for.</summary>
    public object? Data { get; set; }
    /// <summary>Tool calls the model asked for (string values in their input redacted like <see cref="Text"/>).</summary>
    public IReadOnlyList<ClaudeToolUse> ToolUses { get => _toolUses; init => _toolUses = value; }
    private IReadOnlyList<ClaudeToolUse> _toolUses = Array.Empty<ClaudeToolUse>();
    /// <summary>Redactions applied to the reply (<see cref="Text"/>, <see cref="Thinking"/> and tool input), by type.</summary>
    public IReadOnlyDictionary<string, int> Redactions { get => _redactions; init => _redactions = value; }
    private IReadOnlyDictionary<string, int> _redactions = EmptyCounts;
    /// <summary>The input object this reply answers (a CSV row, a prompt string), for correlation.</summary>
    public object? Input { get; set; }

    /// <summary>The reply's content blocks in order (thinking with its signature, text, tool use), as a
    /// conversation keeps them. Redacted like the rest of the reply; a thinking block whose text was
    /// redacted has no signature (see <see cref="ClaudeContentBlock.Signature"/>).</summary>
    public IReadOnlyList<ClaudeContentBlock> Content { get => _content; init => _content = value; }
    private IReadOnlyList<ClaudeContentBlock> _content = Array.Empty<ClaudeContentBlock>();

    /// <summary>Every tool call of the tool loop (-Tool), in order; empty without tools.</summary>
    public IReadOnlyList<ClaudeToolCall> ToolCalls { get => _toolCalls; init => _toolCalls = value; }
    private IReadOnlyList<ClaudeToolCall> _toolCalls = Array.Empty<ClaudeToolCall>();
    /// <summary>How many requests the tool loop made (1 without tools); <see cref="Usage"/> and
    /// <see cref="CostUsd"/> are summed over all of them.</summary>
    public int Turns { get; private set; } = 1;
    /// <summary>How the tool loop ended: null without tools, Completed, or MaxToolTurnsReached.</summary>
    public string? ToolLoopStatus { get; private set; }

    /// <summary>The reply's JSON as the API sent it (only with -Raw).</summary>
    public string? RawJson { get; set; }

    /// <summary>A copy with <see cref="CostUsd"/> set (responses are otherwise immutable once built).</summary>
    public ClaudeResponse WithCost(decimal? costUsd)
    {
        var copy = (ClaudeResponse)MemberwiseClone();
        copy.CostUsd = costUsd;
        return copy;
    }

    /// <summary>A copy whose <see cref="Text"/> was redacted, with the counts by type.</summary>
    public ClaudeResponse WithRedactions(string redactedText, IReadOnlyDictionary<string, int> counts)
    {
        var copy = (ClaudeResponse)MemberwiseClone();
        copy._text = redactedText;
        copy._redactions = counts;
        return copy;
    }

    /// <summary>A copy whose text, thinking, tool input, content blocks and raw JSON were all redacted,
    /// with the counts by type (the engine's response redaction builds it).</summary>
    public ClaudeResponse WithRedactedContent(string text, string? thinking, IReadOnlyList<ClaudeToolUse> toolUses,
        IReadOnlyList<ClaudeContentBlock> content, string? rawJson, IReadOnlyDictionary<string, int> counts)
    {
        var copy = (ClaudeResponse)MemberwiseClone();
        copy._text = text;
        copy._thinking = thinking;
        copy._toolUses = toolUses;
        copy._content = content;
        copy.RawJson = rawJson;
        copy._redactions = counts;
        return copy;
    }

    /// <summary>A copy carrying the usage and cost of every request that made this reply (paused turns, tool turns).</summary>
    public ClaudeResponse WithTotals(ClaudeUsage totalUsage, decimal? totalCost)
    {
        var copy = (ClaudeResponse)MemberwiseClone();
        copy._usage = totalUsage;
        copy.CostUsd = totalCost;
        return copy;
    }

    /// <summary>The final reply of a tool loop, carrying its calls and the usage and cost summed over every turn.</summary>
    public ClaudeResponse WithToolLoop(IReadOnlyList<ClaudeToolCall> calls, int turns, string status, ClaudeUsage totalUsage, decimal? totalCost)
    {
        var copy = WithTotals(totalUsage, totalCost);
        copy._toolCalls = calls;
        copy.Turns = turns;
        copy.ToolLoopStatus = status;
        return copy;
    }

    internal static readonly IReadOnlyDictionary<string, int> EmptyCounts = new Dictionary<string, int>();

    public override string ToString() => Text;
}

/// <summary>A tool call in a reply.</summary>
public sealed class ClaudeToolUse
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    /// <summary>The tool input as JSON text.</summary>
    public string InputJson { get; init; } = "{}";
    /// <summary>True when the reply was cut off (max_tokens) inside the tool input: <see cref="InputJson"/> is what
    /// could be recovered from the partial JSON (complete values only), as the SDKs recover it.</summary>
    public bool InputIncomplete { get; init; }
}
