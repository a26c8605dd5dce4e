using System;
using System.Linq;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Storage;

namespace ClaudePS.Engine.Prompting;

/// <summary>
/// Multi-turn chats: building a turn's messages from a <see cref="ClaudeConversation"/>, appending the
/// reply, and the versioned JSON file format of Export-/Import-ClaudeConversation.
/// </summary>
public static class Conversations
{
    /// <summary>The file format's name, written in every file so a stray JSON file is recognised as foreign.</summary>
    public const string FormatName = "ClaudePS.Conversation";
    /// <summary>The version this build writes; it reads this and older ones.</summary>
    public const int FormatVersion = 1;

    public static ClaudeConversation Create(string? system, string? model, string? effort = null) => new() { System = system, Model = model, Effort = effort };

    /// <summary>Records a finished turn: the user message that was sent and the assistant's reply (thinking
    /// blocks with their signatures included, so a later turn with thinking on is accepted; a redacted
    /// thinking block, which lost its signature, is left out; redacted_thinking blocks are kept as they
    /// came, type and data), and the usage.
    /// Cache breakpoints are not kept: each turn places its own.</summary>
    /// <param name="paused">Content of earlier replies of this turn that stopped with pause_turn (kept in the history).</param>
    public static void Append(ClaudeConversation conversation, ClaudeMessage userTurn, ClaudeResponse response, IReadOnlyList<ClaudeContentBlock>? paused = null) =>
        Append(conversation, userTurn, Array.Empty<ClaudeMessage>(), response, replyInTurns: false, paused);

    /// <summary>Records a turn with a tool loop: the user message, the loop's assistant tool_use and user
    /// tool_result messages, and the final reply (unless it is already the last of <paramref name="toolTurns"/>).
    /// A turn that follows a loop stopped at its limit joins the stored tool results, as on the wire.</summary>
    public static void Append(ClaudeConversation conversation, ClaudeMessage userTurn, IReadOnlyList<ClaudeMessage> toolTurns, ClaudeResponse response,
        bool replyInTurns, IReadOnlyList<ClaudeContentBlock>? paused = null)
    {
        var sent = new ClaudeMessage { Role = "user" };
        foreach (var b in userTurn.Content) sent.Content.Add(WithoutCache(b));
        lock (conversation)
        {
            var last = conversation.Messages.Count > 0 ? conversation.Messages[conversation.Messages.Count - 1] : null;
            if (last is { Role: "user" }) last.Content.AddRange(sent.Content);
            else conversation.Messages.Add(sent);
            foreach (var m in toolTurns) conversation.Messages.Add(m);
            if (!replyInTurns) conversation.Messages.Add(Reply(response, paused));
            conversation.TotalUsage = conversation.TotalUsage.Add(response.Usage);
            if (string.IsNullOrEmpty(conversation.Model) && !string.IsNullOrEmpty(response.Model)) conversation.Model = response.Model;
        }
    }

    /// <summary>The assistant message a conversation keeps for a (redacted) reply, after the content of earlier
    /// replies of the turn that paused (pause_turn): thinking blocks with their signatures, text, tool use and
    /// every other block as it came; a thinking block that lost its signature to redaction is left out (the
    /// API would reject it, and earlier turns are accepted without their thinking).</summary>
    public static ClaudeMessage Reply(ClaudeResponse response, IReadOnlyList<ClaudeContentBlock>? paused = null)
    {
        var reply = new ClaudeMessage { Role = "assistant" };
        foreach (var b in (paused ?? Array.Empty<ClaudeContentBlock>()).Concat(response.Content))
        {
            if (b.Type == "thinking" && b.Signature is null) continue;
            reply.Content.Add(WithoutCache(b));
        }
        if (reply.Content.Count == 0) reply.Content.Add(ClaudeContentBlock.FromText(response.Text));
        return reply;
    }

    private static ClaudeContentBlock WithoutCache(ClaudeContentBlock b)
    {
        if (b.CacheTtl is null) return b;
        var copy = b.Clone();
        copy.CacheTtl = null;
        return copy;
    }

    /// <summary>Copies of the conversation's messages to send ahead of a new turn (so placing a cache
    /// breakpoint on the request never changes the stored conversation).</summary>
    public static List<ClaudeMessage> History(ClaudeConversation conversation)
    {
        lock (conversation)
        {
            var list = new List<ClaudeMessage>(conversation.Messages.Count + 1);
            foreach (var m in conversation.Messages)
            {
                var copy = new ClaudeMessage { Role = m.Role };
                foreach (var b in m.Content) copy.Content.Add(WithoutCache(b));
                list.Add(copy);
            }
            return list;
        }
    }

    /// <summary>
    /// Rewrites tool_use and tool_result blocks as text, in place. The API refuses a request whose messages
    /// hold tool blocks but that defines no tools; a conversation continued without -Tool still carries
    /// what was called and what came back, as text the model can read.
    /// </summary>
    public static void FlattenToolBlocks(List<ClaudeMessage> messages)
    {
        foreach (var m in messages)
            for (int i = 0; i < m.Content.Count; i++)
            {
                var b = m.Content[i];
                if (b.Type == "tool_use")
                    m.Content[i] = ClaudeContentBlock.FromText($"[Called the tool {b.ToolName} with {b.InputJson ?? "{}"}]");
                else if (b.Type == "tool_result")
                    m.Content[i] = ClaudeContentBlock.FromText($"[Tool result{(b.IsError ? " (error)" : "")}: {(string.IsNullOrEmpty(b.Text) ? "(empty)" : b.Text)}]");
            }
    }

    /// <summary>The conversation as versioned JSON text.</summary>
    public static string ToJson(ClaudeConversation c)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("id", c.Id);
            WriteOptional(w, "model", c.Model);
            WriteOptional(w, "system", c.System);
            WriteOptional(w, "effort", c.Effort);
            w.WriteString("createdAt", c.CreatedAt.ToString("o", CultureInfo.InvariantCulture));
            w.WriteStartObject("totalUsage");
            w.WriteNumber("inputTokens", c.TotalUsage.InputTokens);
            w.WriteNumber("outputTokens", c.TotalUsage.OutputTokens);
            w.WriteNumber("cacheWriteTokens", c.TotalUsage.CacheWriteTokens);
            w.WriteNumber("cacheWrite1hTokens", c.TotalUsage.CacheWrite1hTokens);
            w.WriteNumber("cacheReadTokens", c.TotalUsage.CacheReadTokens);
            WriteOptional(w, "serviceTier", c.TotalUsage.ServiceTier);
            w.WriteEndObject();
            w.WriteStartArray("messages");
            foreach (var m in c.Messages)
            {
                w.WriteStartObject();
                w.WriteString("role", m.Role);
                w.WriteStartArray("content");
                foreach (var b in m.Content)
                {
                    w.WriteStartObject();
                    w.WriteString("type", b.Type);
                    WriteOptional(w, "text", b.Text);
                    WriteOptional(w, "mediaType", b.MediaType);
                    WriteOptional(w, "data", b.Data);
                    WriteOptional(w, "toolUseId", b.ToolUseId);
                    WriteOptional(w, "toolName", b.ToolName);
                    WriteOptional(w, "inputJson", b.InputJson);
                    WriteOptional(w, "signature", b.Signature);
                    if (b.IsError) w.WriteBoolean("isError", true);
                    WriteOptional(w, "citationsJson", b.CitationsJson);
                    WriteOptional(w, "rawJson", b.RawJson);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a conversation written by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    public static ClaudeConversation FromJson(string json, string source = "the input")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw Invalid(source, $"it is not valid JSON ({ex.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Str(root, "format") != FormatName)
                throw Invalid(source, $"it is not a ClaudePS conversation (no \"format\": \"{FormatName}\")");
            if (!root.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int version) || version < 1)
                throw Invalid(source, "it has no valid \"version\"");
            if (version > FormatVersion)
                throw Invalid(source, $"it was written in format version {version} by a newer ClaudePS; this one reads up to version {FormatVersion}. Update the module");
            try
            {
                var c = new ClaudeConversation
                {
                    Id = Str(root, "id") ?? new ClaudeConversation().Id,
                    Model = Str(root, "model"),
                    System = Str(root, "system"),
                    Effort = Str(root, "effort"),
                };
                if (Str(root, "createdAt") is { } created)
                    c.CreatedAt = DateTimeOffset.Parse(created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                if (root.TryGetProperty("totalUsage", out var u) && u.ValueKind == JsonValueKind.Object)
                    c.TotalUsage = new ClaudeUsage
                    {
                        InputTokens = Long(u, "inputTokens"), OutputTokens = Long(u, "outputTokens"),
                        CacheWriteTokens = Long(u, "cacheWriteTokens"), CacheWrite1hTokens = Long(u, "cacheWrite1hTokens"),
                        CacheReadTokens = Long(u, "cacheReadTokens"), ServiceTier = Str(u, "serviceTier"),
                    };
                if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
                    foreach (var m in messages.EnumerateArray())
                    {
                        var role = Str(m, "role");
                        if (role is not ("user" or "assistant")) throw Invalid(source, $"message {c.Messages.Count + 1} has the role '{role}'; only user and assistant are allowed");
                        var message = new ClaudeMessage { Role = role };
                        if (m.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
                            foreach (var b in content.EnumerateArray())
                                message.Content.Add(new ClaudeContentBlock
                                {
                                    Type = Str(b, "type") ?? "text", Text = Str(b, "text"), MediaType = Str(b, "mediaType"), Data = Str(b, "data"),
                                    ToolUseId = Str(b, "toolUseId"), ToolName = Str(b, "toolName"), InputJson = Str(b, "inputJson"), Signature = Str(b, "signature"),
                                    IsError = b.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True,
                                    CitationsJson = Str(b, "citationsJson"), RawJson = Str(b, "rawJson"),
                                });
                        c.Messages.Add(message);
                    }
                return c;
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw Invalid(source, ex.Message);
            }
        }
    }

    public static void Save(ClaudeConversation conversation, string path)
    {
        // Write beside the target, then swap in: a crash mid-write never leaves a half file.
        var temp = path + ".tmp";
        try
        {
            File.WriteAllText(temp, ToJson(conversation), new UTF8Encoding(false));
            if (File.Exists(path)) File.Replace(temp, path, destinationBackupFileName: null);
            else File.Move(temp, path);
        }
        catch (Exception ex) when (FileErrors.IsFileSystemFailure(ex))
        {
            throw FileErrors.Wrap("ClaudePS.ExportFailed", ex, "Writing the conversation to", path,
                "Choose a path in a folder you can write to (or use -Force for a read-only file).", writing: true);
        }
    }

    public static ClaudeConversation Load(string path)
    {
        if (!File.Exists(path))
            throw new ClaudeException(new ClaudeError("ClaudePS.ConversationNotFound", ClaudeErrorCategory.ObjectNotFound,
                $"The conversation file '{path}' does not exist. Export-ClaudeConversation writes one.") { Target = path });
        string json;
        try { json = File.ReadAllText(path, Encoding.UTF8); }
        catch (Exception ex) when (FileErrors.IsFileSystemFailure(ex))
        {
            throw FileErrors.Wrap("ClaudePS.ImportFailed", ex, "Reading the conversation file", path,
                "Check the path and that you may read the file.", writing: false);
        }
        return FromJson(json, path);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    private static ClaudeException Invalid(string source, string why) =>
        new(new ClaudeError("ClaudePS.InvalidConversationFile", ClaudeErrorCategory.InvalidData,
            $"Cannot import the conversation from '{source}': {why}.") { Target = source });
}
