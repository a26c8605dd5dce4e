using System;
using System.Collections.Generic;

namespace ClaudePS;

/// <summary>A multi-turn chat: New-ClaudeConversation makes one, -Conversation appends each turn.</summary>
public sealed class ClaudeConversation
{
    public string Id { get; set; } = "conv_" + Guid.NewGuid().ToString("N").Substring(0, 16);
    public string? Model { get; set; }
    public string? System { get; set; }
    /// <summary>The effort level (low ... max) for every turn; Invoke-ClaudePrompt -Effort overrides it per turn.</summary>
    public string? Effort { get; set; }
    public List<ClaudeMessage> Messages { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    /// <summary>Usage summed over every turn.</summary>
    public ClaudeUsage TotalUsage { get; set; } = ClaudeUsage.Empty;

    public int TurnCount => Messages.Count;
    public override string ToString() => $"{Id} ({Messages.Count} messages)";
}

/// <summary>One message of a conversation.</summary>
public sealed class ClaudeMessage
{
    public ClaudeMessage() { }
    public ClaudeMessage(string role, string text)
    {
        Role = role;
        Content.Add(ClaudeContentBlock.FromText(text));
    }

    /// <summary>user or assistant.</summary>
    public string Role { get; set; } = "user";
    public List<ClaudeContentBlock> Content { get; set; } = new();

    public override string ToString() => Role + ": " + string.Concat(Content.ConvertAll(c => c.Text ?? ""));
}

/// <summary>A content block: text, image, document, tool use, tool result, thinking or redacted thinking.</summary>
public sealed class ClaudeContentBlock
{
    /// <summary>The API's block type: text, image, document, tool_use, tool_result, thinking, redacted_thinking.</summary>
    public string Type { get; set; } = "text";
    public string? Text { get; set; }
    /// <summary>image/png, application/pdf ... for base64 sources.</summary>
    public string? MediaType { get; set; }
    /// <summary>Base64 data for image and document blocks; the encrypted data of a redacted_thinking block
    /// (opaque: never shown as text, never redacted, sent back unchanged on later turns).</summary>
    public string? Data { get; set; }
    /// <summary>Tool use id / name / input JSON, or the tool_use_id a tool_result answers.</summary>
    public string? ToolUseId { get; set; }
    public string? ToolName { get; set; }
    public string? InputJson { get; set; }
    /// <summary>Thinking signature, kept so a conversation can continue with thinking on. Null on a thinking
    /// block whose text was redacted: the signature vouches for the original text, so the API would reject
    /// the changed block, and a conversation leaves such a block out of its history.</summary>
    public string? Signature { get; set; }
    /// <summary>True on a tool_result block that reports a failure (the API's is_error).</summary>
    public bool IsError { get; set; }
    /// <summary>Cache breakpoint TTL ("5m" or "1h"), or null for none.</summary>
    public string? CacheTtl { get; set; }
    /// <summary>The citations array of a text block (JSON), or null.</summary>
    public string? CitationsJson { get; set; }
    /// <summary>The whole block as the API sent it (JSON), for block types the module does not model
    /// (server_tool_use, web_search_tool_result, compaction, ...): kept and sent back unchanged on later turns.</summary>
    public string? RawJson { get; set; }
    /// <summary>True when the block carries a non-empty citations array.</summary>
    public bool HasCitations => CitationsJson is { Length: > 2 } c && c.Trim() != "[]";

    /// <summary>A copy of every field (blocks are shared between a response and its conversation).</summary>
    public ClaudeContentBlock Clone() => (ClaudeContentBlock)MemberwiseClone();

    public static ClaudeContentBlock FromText(string text) => new() { Type = "text", Text = text };
    public static ClaudeContentBlock FromBase64(string type, string mediaType, string data) => new() { Type = type, MediaType = mediaType, Data = data };
}
