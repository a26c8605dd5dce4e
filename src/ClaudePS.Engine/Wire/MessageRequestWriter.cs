using System;
using System.IO;
using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>Serialises a <see cref="MessageRequest"/> to the Messages API body.</summary>
internal static class MessageRequestWriter
{
    /// <param name="stream">Adds <c>"stream": true</c>.</param>
    /// <param name="vertexVersion">For Vertex AI: omit <c>model</c> and put <c>anthropic_version</c> in the body.</param>
    /// <param name="forCounting">count_tokens takes the body without max_tokens and stream.</param>
    public static byte[] Write(MessageRequest r, bool stream, string? vertexVersion = null, bool forCounting = false)
    {
        // One buffer and writer per thread, reused (writing is synchronous): each body then costs one
        // exact-size array instead of a stream, a writer and their growing buffers.
        var buffer = _buffer ??= new MemoryStream(1024);
        var w = _writer ??= new Utf8JsonWriter(buffer);
        buffer.SetLength(0);
        w.Reset(buffer);
        try
        {
            WriteTo(w, r, stream, vertexVersion, forCounting);
            w.Flush();
            return buffer.ToArray();
        }
        finally
        {
            // A huge body (attachments) is not kept alive by the thread.
            if (buffer.Capacity > MaxKeptBytes) _buffer = null;
        }
    }

    private const int MaxKeptBytes = 64 * 1024;
    [ThreadStatic] private static MemoryStream? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    public static void WriteTo(Utf8JsonWriter w, MessageRequest r, bool stream, string? vertexVersion = null, bool forCounting = false)
    {
        w.WriteStartObject();
        if (vertexVersion is null) w.WriteString("model", r.Model);
        else w.WriteString("anthropic_version", vertexVersion);
        if (!forCounting) w.WriteNumber("max_tokens", r.MaxTokens);
        if (r.System is { Length: > 0 } system)
        {
            if (r.SystemCacheTtl is null) w.WriteString("system", system);
            else
            {
                w.WriteStartArray("system");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", system);
                WriteCacheControl(w, r.SystemCacheTtl);
                w.WriteEndObject();
                w.WriteEndArray();
            }
        }
        w.WriteStartArray("messages");
        foreach (var m in r.Messages) WriteMessage(w, m);
        w.WriteEndArray();
        if (!forCounting)
        {
            if (r.Temperature is { } t) w.WriteNumber("temperature", t);
            if (r.TopP is { } p) w.WriteNumber("top_p", p);
            if (r.TopK is { } k) w.WriteNumber("top_k", k);
            if (r.HasStopSequences)
            {
                w.WriteStartArray("stop_sequences");
                foreach (var s in r.StopSequences) w.WriteStringValue(s);
                w.WriteEndArray();
            }
            if (r.UserId is not null)
            {
                w.WriteStartObject("metadata");
                w.WriteString("user_id", r.UserId);
                w.WriteEndObject();
            }
            if (r.ServiceTier is not null) w.WriteString("service_tier", r.ServiceTier);
            if (stream) w.WriteBoolean("stream", true);
        }
        if (r.HasTools)
        {
            w.WriteStartArray("tools");
            foreach (var tool in r.ToolsJson) w.WriteRawValue(tool);
            w.WriteEndArray();
        }
        if (r.ToolChoiceJson is not null)
        {
            w.WritePropertyName("tool_choice");
            w.WriteRawValue(r.ToolChoiceJson);
        }
        if (r.ThinkingBudgetTokens is { } budget)
        {
            w.WriteStartObject("thinking");
            w.WriteString("type", "enabled");
            w.WriteNumber("budget_tokens", budget);
            w.WriteEndObject();
        }
        else if (r.AdaptiveThinking)
        {
            w.WriteStartObject("thinking");
            w.WriteString("type", "adaptive");
            w.WriteEndObject();
        }
        if (r.OutputSchemaJson is not null || r.Effort is not null)
        {
            w.WriteStartObject("output_config");
            if (r.Effort is not null) w.WriteString("effort", r.Effort);
            if (r.OutputSchemaJson is not null)
            {
                w.WriteStartObject("format");
                w.WriteString("type", "json_schema");
                w.WritePropertyName("schema");
                w.WriteRawValue(r.OutputSchemaJson);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        if (r.CacheControlTtl is not null) WriteCacheControl(w, r.CacheControlTtl);
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, ClaudeMessage m)
    {
        w.WriteStartObject();
        w.WriteString("role", m.Role);
        // A single uncached text block goes as a plain string: smaller, and what most callers send.
        if (m.Content.Count == 1 && m.Content[0] is { Type: "text", CacheTtl: null, CitationsJson: null, RawJson: null } only)
            w.WriteString("content", only.Text ?? "");
        else
        {
            w.WriteStartArray("content");
            foreach (var b in m.Content) WriteBlock(w, b);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteBlock(Utf8JsonWriter w, ClaudeContentBlock b)
    {
        // A block type the module does not model goes back exactly as the API sent it.
        if (b.RawJson is not null)
        {
            w.WriteRawValue(b.RawJson);
            return;
        }
        w.WriteStartObject();
        w.WriteString("type", b.Type);
        switch (b.Type)
        {
            case "text":
                w.WriteString("text", b.Text ?? "");
                if (b.CitationsJson is not null)
                {
                    w.WritePropertyName("citations");
                    w.WriteRawValue(b.CitationsJson);
                }
                break;
            case "image":
            case "document":
                w.WriteStartObject("source");
                w.WriteString("type", "base64");
                w.WriteString("media_type", b.MediaType);
                w.WriteString("data", b.Data);
                w.WriteEndObject();
                break;
            case "tool_use":
                w.WriteString("id", b.ToolUseId);
                w.WriteString("name", b.ToolName);
                w.WritePropertyName("input");
                w.WriteRawValue(b.InputJson ?? "{}");
                break;
            case "tool_result":
                w.WriteString("tool_use_id", b.ToolUseId);
                w.WriteString("content", b.Text ?? "");
                if (b.IsError) w.WriteBoolean("is_error", true);
                break;
            case "thinking":
                w.WriteString("thinking", b.Text ?? "");
                if (b.Signature is not null) w.WriteString("signature", b.Signature);
                break;
            case "redacted_thinking":
                // Opaque encrypted thinking from an earlier reply: sent back exactly as it came.
                w.WriteString("data", b.Data ?? "");
                break;
            default:
                throw new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument,
                    $"content: unsupported block type '{b.Type}'. Use text, image, document, tool_use, tool_result, thinking or redacted_thinking."));
        }
        if (b.CacheTtl is not null) WriteCacheControl(w, b.CacheTtl);
        w.WriteEndObject();
    }

    private static void WriteCacheControl(Utf8JsonWriter w, string ttl)
    {
        w.WriteStartObject("cache_control");
        w.WriteString("type", "ephemeral");
        if (ttl != "5m") w.WriteString("ttl", ttl);
        w.WriteEndObject();
    }
}
