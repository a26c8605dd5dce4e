using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaudePS.Emulator;

/// <summary>The wire shapes of messages, content blocks and usage (shared by JSON replies, SSE and batch results).</summary>
internal static class WireJson
{
    /// <summary>Serialisation as the real API writes it: no escaping of backticks, quotes or non-ASCII text.</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Message(string id, string model, IEnumerable<JsonObject> content, string? stopReason, string? stopSequence, JsonObject usage) => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = new JsonArray(content.Cast<JsonNode>().ToArray()),
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = stopSequence,
        ["usage"] = usage,
    };

    /// <summary>Who invoked a server tool: the model itself (the SDKs require the field).</summary>
    private static JsonObject DirectCaller() => new() { ["type"] = "direct" };

    public static JsonObject Block(PlannedBlock block) => block switch
    {
        PlannedThinking t => new JsonObject { ["type"] = "thinking", ["thinking"] = t.Thinking, ["signature"] = t.Signature },
        PlannedRedactedThinking r => new JsonObject { ["type"] = "redacted_thinking", ["data"] = r.Data },
        PlannedText { Citation: { } c } t => new JsonObject { ["type"] = "text", ["text"] = t.Text, ["citations"] = new JsonArray(c.DeepClone()) },
        PlannedText t => new JsonObject { ["type"] = "text", ["text"] = t.Text },
        PlannedToolUse t => new JsonObject { ["type"] = "tool_use", ["id"] = t.Id, ["name"] = t.Name, ["input"] = JsonNode.Parse(t.InputJson) },
        PlannedServerToolUse s => new JsonObject { ["type"] = "server_tool_use", ["id"] = s.Id, ["name"] = s.Name, ["input"] = JsonNode.Parse(s.InputJson), ["caller"] = DirectCaller() },
        PlannedWebSearchResult w => new JsonObject { ["type"] = "web_search_tool_result", ["tool_use_id"] = w.ToolUseId, ["content"] = w.Results.DeepClone(), ["caller"] = DirectCaller() },
        _ => throw new ArgumentOutOfRangeException(nameof(block)),
    };

    /// <summary>A block as content_block_start announces it: empty text/thinking, empty tool input;
    /// redacted_thinking whole (it has no deltas).</summary>
    public static JsonObject EmptyBlock(PlannedBlock block) => block switch
    {
        PlannedThinking => new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" },
        PlannedRedactedThinking r => Block(r),
        PlannedText => new JsonObject { ["type"] = "text", ["text"] = "" },
        PlannedToolUse t => new JsonObject { ["type"] = "tool_use", ["id"] = t.Id, ["name"] = t.Name, ["input"] = new JsonObject() },
        PlannedServerToolUse s => new JsonObject { ["type"] = "server_tool_use", ["id"] = s.Id, ["name"] = s.Name, ["input"] = new JsonObject(), ["caller"] = DirectCaller() },
        PlannedWebSearchResult w => Block(w),
        _ => throw new ArgumentOutOfRangeException(nameof(block)),
    };

    public static JsonObject Usage(EmulatorUsage usage, int? outputTokens = null) => new()
    {
        ["input_tokens"] = usage.InputTokens,
        ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
        ["cache_read_input_tokens"] = usage.CacheReadInputTokens,
        ["cache_creation"] = new JsonObject
        {
            ["ephemeral_5m_input_tokens"] = usage.CacheCreation5mInputTokens,
            ["ephemeral_1h_input_tokens"] = usage.CacheCreation1hInputTokens,
        },
        ["output_tokens"] = outputTokens ?? usage.OutputTokens,
        ["service_tier"] = usage.ServiceTier,
    };
}
