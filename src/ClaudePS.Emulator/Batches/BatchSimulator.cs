using System.Text;
using System.Text.Json;

namespace ClaudePS.Emulator.Batches;

/// <summary>
/// Validates one batch request's params (as the API does, asynchronously) and produces its reply
/// message deterministically from the input: the same params always give the same text and usage.
/// </summary>
internal static class BatchSimulator
{
    /// <summary>Null when the params are acceptable, otherwise the invalid_request_error message.</summary>
    public static string? Validate(JsonElement p)
    {
        if (p.ValueKind != JsonValueKind.Object) return "params: must be an object";
        if (!p.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(model.GetString()))
            return "model: Field required";
        if (model.GetString()!.StartsWith("invalid", StringComparison.OrdinalIgnoreCase))
            return $"model: {model.GetString()} is not a valid model";
        if (!p.TryGetProperty("max_tokens", out var mt) || mt.ValueKind != JsonValueKind.Number || !mt.TryGetInt32(out var max) || max < 1)
            return "max_tokens: Field required and must be at least 1";
        if (!p.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            return "messages: at least one message is required";
        if (p.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            return "stream: streaming is not supported in batches";
        if (p.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number && (t.GetDouble() < 0 || t.GetDouble() > 1))
            return "temperature: must be between 0 and 1";
        return null;
    }

    /// <summary>The reply message JSON for valid params.</summary>
    public static string Reply(JsonElement p, string messageId)
    {
        string model = p.GetProperty("model").GetString()!;
        int maxTokens = p.GetProperty("max_tokens").GetInt32();
        var input = new StringBuilder();
        if (p.TryGetProperty("system", out var system)) AppendText(system, input);
        string lastUser = "";
        foreach (var m in p.GetProperty("messages").EnumerateArray())
        {
            var sb = new StringBuilder();
            if (m.TryGetProperty("content", out var content)) AppendText(content, sb);
            input.Append(sb);
            if (m.TryGetProperty("role", out var role) && role.GetString() == "user") lastUser = sb.ToString();
        }
        string snippet = lastUser.Length > 60 ? lastUser.Substring(0, 60) : lastUser;
        string text = "Emulated reply to: " + snippet;
        long inputTokens = Math.Max(1, (input.Length + 3) / 4) + 4;
        long outputTokens = Math.Max(1, (text.Length + 3) / 4);
        string stop = "end_turn";
        if (outputTokens > maxTokens)
        {
            text = text.Substring(0, Math.Min(text.Length, maxTokens * 4));
            outputTokens = maxTokens;
            stop = "max_tokens";
        }
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", messageId);
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", model);
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("stop_reason", stop);
            w.WriteNull("stop_sequence");
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", inputTokens);
            w.WriteNumber("output_tokens", outputTokens);
            w.WriteNumber("cache_creation_input_tokens", 0);
            w.WriteNumber("cache_read_input_tokens", 0);
            w.WriteString("service_tier", "batch");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void AppendText(JsonElement content, StringBuilder sb)
    {
        if (content.ValueKind == JsonValueKind.String) { sb.Append(content.GetString()); return; }
        if (content.ValueKind != JsonValueKind.Array) return;
        foreach (var block in content.EnumerateArray())
            if (block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String) sb.Append(text.GetString());
    }
}
