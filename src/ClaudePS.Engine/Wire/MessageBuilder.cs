using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaudePS.Engine.Wire;

/// <summary>
/// Builds the final message from a whole JSON reply or from stream events, so both paths produce
/// the same <see cref="ClaudeResponse"/>.
/// </summary>
internal sealed class MessageBuilder
{
    private readonly List<Block> _blocks = new();

    public string? Id { get; private set; }
    public string? Model { get; private set; }
    public string? StopReason { get; private set; }
    public string? StopSequence { get; private set; }
    public ClaudeUsage Usage { get; private set; } = ClaudeUsage.Empty;
    /// <summary>True once any text, thinking, redacted thinking or tool input reached the builder.</summary>
    public bool HasContent { get; private set; }
    public bool Stopped { get; private set; }

    /// <summary>Text produced so far (all text blocks), e.g. for a stream that failed midway.</summary>
    public string PartialText
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var b in _blocks) if (b.Type == "text") sb.Append(b.Text);
            return sb.ToString();
        }
    }

    /// <summary>Reads a complete <c>message</c> object from its UTF-8 JSON: a non-streamed reply or a
    /// batch result's message. One forward pass, with no document built (the reply is read once).</summary>
    /// <exception cref="JsonException">The bytes are not one JSON object.</exception>
    public void ReadMessage(ReadOnlySpan<byte> json)
    {
        var reader = OpenObject(json, eventType: null);
        ReadMessage(ref reader, json);
    }

    /// <summary>A reader on the StartObject of <paramref name="json"/>, which must be one JSON object: a whole
    /// reply, or the data of the stream event <paramref name="eventType"/>. The error text is built only on
    /// failure (this runs for every stream event).</summary>
    private static Utf8JsonReader OpenObject(ReadOnlySpan<byte> json, string? eventType)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException(eventType is null ? "The reply is not a JSON object." : $"The {eventType} event's data is not a JSON object.");
        return reader;
    }

    /// <summary>Reads a message object; <paramref name="r"/> is on its StartObject and ends on its EndObject.
    /// <paramref name="json"/> is the whole buffer the reader reads (a tool_use input is kept as its raw text).</summary>
    private void ReadMessage(ref Utf8JsonReader r, ReadOnlySpan<byte> json)
    {
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("content"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); continue; }
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    var b = ReadBlock(ref r, json, whole: true);
                    if (b is null) continue;
                    _blocks.Add(b);
                    NoteFallback(b);
                    if (b.HasText || b.HasJson || b.Data is not null || b.Raw is not null) HasContent = true;
                }
            }
            else if (r.ValueTextEquals("usage"u8)) { r.Read(); Usage = UsageReader.Read(ref r, Usage); }
            else if (r.ValueTextEquals("id"u8)) { r.Read(); Id = StringValue(ref r) ?? Id; }
            else if (r.ValueTextEquals("model"u8)) { r.Read(); Model = RepeatedModel.Value(ref r) ?? Model; }
            else if (r.ValueTextEquals("stop_reason"u8)) { r.Read(); StopReason = KnownValues.StopReasons.Value(ref r) ?? StopReason; }
            else if (r.ValueTextEquals("stop_sequence"u8)) { r.Read(); StopSequence = StringValue(ref r) ?? StopSequence; }
            else { r.Read(); r.Skip(); }
        }
    }

    /// <summary>Applies one SSE event (its UTF-8 data). Returns the text delta it carried (for live display), if any.</summary>
    /// <exception cref="JsonException">The data is not one JSON object.</exception>
    public string? Apply(string eventType, ReadOnlySpan<byte> data)
    {
        if (eventType == "message_stop") Stopped = true;
        // content_block_stop, ping and event types this client does not know: nothing to do.
        if (!CarriesData(eventType)) return null;
        var r = OpenObject(data, eventType);
        // Properties may come in any order, so an event's parts are collected first and applied at its end.
        int? index = null;
        Block? started = null;
        Delta delta = default;
        string? otherDelta = null; // a delta type this client does not model, kept whole
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("index"u8)) { r.Read(); if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var i)) index = i; }
            else if (eventType == "message_start" && r.ValueTextEquals("message"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.StartObject) ReadMessage(ref r, data); else r.Skip();
            }
            else if (eventType == "content_block_start" && r.ValueTextEquals("content_block"u8)) { r.Read(); started = ReadBlock(ref r, data, whole: false); }
            else if (eventType == "content_block_delta" && r.ValueTextEquals("delta"u8))
            {
                r.Read();
                long start = r.TokenStartIndex;
                delta = Delta.Read(ref r);
                if (delta.Kind == DeltaKind.Other) otherDelta = Utf8.Decode(data.Slice((int)start, (int)(r.BytesConsumed - start)));
            }
            else if (eventType == "message_delta" && r.ValueTextEquals("delta"u8)) { r.Read(); ReadStop(ref r); }
            else if (eventType == "message_delta" && r.ValueTextEquals("usage"u8)) { r.Read(); Usage = UsageReader.Read(ref r, Usage); }
            else { r.Read(); r.Skip(); }
        }
        if (started is not null) return PlaceStarted(started, index ?? _blocks.Count);
        if (eventType == "content_block_delta") return ApplyDelta(delta, index ?? _blocks.Count - 1, otherDelta);
        return null;
    }

    private static bool CarriesData(string eventType) =>
        eventType is "message_start" or "content_block_start" or "content_block_delta" or "message_delta";

    private string? PlaceStarted(Block block, int index)
    {
        if (index < 0) return null;
        while (_blocks.Count < index) _blocks.Add(new Block("text"));
        if (index < _blocks.Count) _blocks[index] = block;
        else _blocks.Add(block);
        NoteFallback(block);
        if (block.Data is not null || block.Raw is not null) HasContent = true; // redacted_thinking and server blocks can arrive whole
        if (!block.HasText) return null;
        HasContent = true;
        return block.Type == "text" ? block.Text : null;
    }

    /// <summary>A fallback block (server-side fallback) hands the turn to another model: what follows, and so the
    /// reply, is that model's.</summary>
    private void NoteFallback(Block block)
    {
        if (block.Type == "fallback" && block.Raw?["to"]?["model"] is JsonValue to && to.TryGetValue<string>(out var model)) Model = model;
    }

    private string? ApplyDelta(Delta delta, int index, string? otherDelta)
    {
        if (delta.Kind == DeltaKind.None || index < 0) return null;
        while (_blocks.Count <= index) _blocks.Add(new Block("text"));
        var block = _blocks[index];
        switch (delta.Kind)
        {
            case DeltaKind.Text:
                var text = delta.Value ?? "";
                block.AppendText(text);
                HasContent = true;
                return text;
            case DeltaKind.Thinking:
                block.AppendText(delta.Value);
                HasContent = true;
                return null;
            case DeltaKind.Signature:
                block.Signature = (block.Signature ?? "") + delta.Value;
                return null;
            case DeltaKind.InputJson:
                block.Json.Append(delta.Value);
                HasContent = true;
                return null;
            default:
                if (otherDelta is not null && JsonNode.Parse(otherDelta) is JsonObject other) block.ApplyOther(other);
                return null;
        }
    }

    /// <summary>The delta types this client keeps; any other is Other (None: the delta had no type).</summary>
    private enum DeltaKind { None, Text, Thinking, Signature, InputJson, Other }

    /// <summary>A content_block_delta's delta: its type and the one string it carries.</summary>
    private struct Delta
    {
        public DeltaKind Kind;
        public string? Value;

        public static Delta Read(ref Utf8JsonReader r)
        {
            var d = default(Delta);
            if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return d; }
            while (NextProperty(ref r))
            {
                // The type is matched in place: a string for it would cost every delta an allocation.
                if (r.ValueTextEquals("type"u8)) { r.Read(); d.Kind = KindOf(ref r); }
                // Each delta type carries its payload under its own name; a delta has only one of them.
                else if (r.ValueTextEquals("text"u8) || r.ValueTextEquals("thinking"u8) || r.ValueTextEquals("signature"u8) || r.ValueTextEquals("partial_json"u8))
                {
                    r.Read();
                    d.Value = StringValue(ref r);
                }
                else { r.Read(); r.Skip(); }
            }
            return d;
        }

        private static DeltaKind KindOf(ref Utf8JsonReader r)
        {
            if (r.TokenType == JsonTokenType.String) return KnownKind(ref r);
            r.Skip();
            return DeltaKind.None;
        }

        private static DeltaKind KnownKind(ref Utf8JsonReader r) =>
            r.ValueTextEquals("text_delta"u8) ? DeltaKind.Text
            : r.ValueTextEquals("thinking_delta"u8) ? DeltaKind.Thinking
            : r.ValueTextEquals("signature_delta"u8) ? DeltaKind.Signature
            : r.ValueTextEquals("input_json_delta"u8) ? DeltaKind.InputJson
            : DeltaKind.Other;
    }

    /// <summary>Reads a content block object (the reader ends on its EndObject); null when it is not an object.
    /// <paramref name="whole"/>: the block is complete (a non-streamed reply), so a tool_use block's input
    /// is taken as it is; a streamed one's input arrives in deltas.</summary>
    private static Block? ReadBlock(ref Utf8JsonReader r, ReadOnlySpan<byte> json, bool whole)
    {
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return null; }
        long blockStart = r.TokenStartIndex;
        string type = "text";
        string? text = null, thinking = null, signature = null, data = null, id = null, name = null, input = null, citations = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("citations"u8))
            {
                r.Read();
                long start = r.TokenStartIndex;
                r.Skip();
                if (json[(int)start] == (byte)'[') citations = Utf8.Decode(json.Slice((int)start, (int)(r.BytesConsumed - start)));
                continue;
            }
            if (r.ValueTextEquals("type"u8)) { r.Read(); type = KnownValues.BlockTypes.Value(ref r) ?? "text"; }
            else if (r.ValueTextEquals("text"u8)) { r.Read(); text = StringValue(ref r); }
            else if (r.ValueTextEquals("thinking"u8)) { r.Read(); thinking = StringValue(ref r); }
            else if (r.ValueTextEquals("signature"u8)) { r.Read(); signature = StringValue(ref r); }
            else if (r.ValueTextEquals("data"u8)) { r.Read(); data = StringValue(ref r); }
            else if (r.ValueTextEquals("id"u8)) { r.Read(); id = StringValue(ref r); }
            else if (r.ValueTextEquals("name"u8)) { r.Read(); name = StringValue(ref r); }
            else if (whole && r.ValueTextEquals("input"u8))
            {
                r.Read();
                long start = r.TokenStartIndex;
                r.Skip();
                input = Utf8.Decode(json.Slice((int)start, (int)(r.BytesConsumed - start)));
            }
            else { r.Read(); r.Skip(); }
        }
        var block = new Block(type);
        // A block type this client does not model (server_tool_use, web_search_tool_result, compaction, ...)
        // is kept whole: it is shown on .Content and goes back to the API unchanged on the next turn.
        if (!Block.Modelled(type)) block.Raw = JsonNode.Parse(Utf8.Decode(json.Slice((int)blockStart, (int)(r.BytesConsumed - blockStart)))) as JsonObject;
        if (citations is not null && JsonNode.Parse(citations) is JsonArray cited)
            foreach (var c in cited) block.Citations.Add(c!.DeepClone());
        if (type == "text") block.AppendText(text);
        if (type == "thinking") block.AppendText(thinking);
        block.Signature = signature;
        // Encrypted thinking: opaque, kept exactly as sent so it can go back on the next turn.
        if (type == "redacted_thinking") block.Data = data;
        if (type == "tool_use")
        {
            block.ToolId = id;
            block.ToolName = name;
            if (input is not null) block.Json.Append(input);
        }
        return block;
    }

    private void ReadStop(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return; }
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("stop_reason"u8)) { r.Read(); StopReason = KnownValues.StopReasons.Value(ref r) ?? StopReason; }
            else if (r.ValueTextEquals("stop_sequence"u8)) { r.Read(); StopSequence = StringValue(ref r) ?? StopSequence; }
            else { r.Read(); r.Skip(); }
        }
    }

    /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
    internal static bool NextProperty(ref Utf8JsonReader r) => r.Read() && r.TokenType == JsonTokenType.PropertyName;

    /// <summary>The string value the reader is on; null for null or any other kind (skipped whole).</summary>
    internal static string? StringValue(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String) return r.GetString();
        r.Skip();
        return null;
    }

    /// <summary>The reply's model id: the same on nearly every reply of a process, so the last one is reused.</summary>
    private static readonly KnownValues RepeatedModel = new(remember: true);

    public ClaudeResponse Build(string? requestId, string? endpoint, TimeSpan duration, TimeSpan? timeToFirstToken, int attempts)
    {
        // The usual reply has one text block: its string is the response text as it is.
        string? text = null, thinking = null;
        StringBuilder? moreText = null, moreThinking = null;
        List<ClaudeToolUse>? tools = null; // most replies call no tool
        foreach (var b in _blocks)
        {
            switch (b.Type)
            {
                case "text": Join(ref text, ref moreText, b.Text); break;
                case "thinking": Join(ref thinking, ref moreThinking, b.Text); break;
                case "tool_use":
                    string input = b.ToolInput(out bool incomplete);
                    (tools ??= new List<ClaudeToolUse>()).Add(new ClaudeToolUse { Id = b.ToolId ?? "", Name = b.ToolName ?? "", InputJson = input, InputIncomplete = incomplete });
                    break;
            }
        }
        return new ClaudeResponse
        {
            Text = moreText?.ToString() ?? text ?? "",
            Thinking = moreThinking?.ToString() ?? thinking,
            ToolUses = (IReadOnlyList<ClaudeToolUse>?)tools ?? Array.Empty<ClaudeToolUse>(),
            Content = ContentBlocks(),
            Model = Model ?? "",
            StopReason = StopReason,
            StopSequence = StopSequence,
            Usage = Usage,
            MessageId = Id,
            RequestId = requestId,
            Endpoint = endpoint,
            Duration = duration,
            TimeToFirstToken = timeToFirstToken,
            Attempts = attempts,
        };
    }

    private static void Join(ref string? first, ref StringBuilder? more, string piece)
    {
        if (first is null) first = piece;
        else (more ??= new StringBuilder(first)).Append(piece);
    }

    /// <summary>The blocks as conversation content: what goes back to the API on the next turn.</summary>
    private List<ClaudeContentBlock> ContentBlocks()
    {
        var blocks = new List<ClaudeContentBlock>(_blocks.Count);
        foreach (var b in _blocks)
        {
            switch (b.Type)
            {
                case "text":
                    if (b.HasText || b.HasCitations)
                        blocks.Add(new ClaudeContentBlock { Type = "text", Text = b.Text, CitationsJson = b.HasCitations ? b.Citations.ToJsonString() : null });
                    break;
                case "thinking":
                    blocks.Add(new ClaudeContentBlock { Type = "thinking", Text = b.Text, Signature = b.Signature });
                    break;
                case "redacted_thinking":
                    // Not text (it is neither shown nor joined into Thinking); the API needs it back unchanged.
                    if (b.Data is not null) blocks.Add(new ClaudeContentBlock { Type = "redacted_thinking", Data = b.Data });
                    break;
                case "tool_use":
                    blocks.Add(new ClaudeContentBlock { Type = "tool_use", ToolUseId = b.ToolId, ToolName = b.ToolName, InputJson = b.ToolInput(out _) });
                    break;
                default:
                    if (b.Raw is not null) blocks.Add(new ClaudeContentBlock { Type = b.Type, Text = b.RawText, RawJson = b.RawJson() });
                    break;
            }
        }
        return blocks;
    }

    private sealed class Block
    {
        private string? _text;          // the whole text while it came in one piece
        private StringBuilder? _pieces; // once a second piece arrives
        private StringBuilder? _json;

        public Block(string type) => Type = type;
        public string Type { get; }

        /// <summary>The block types with fields of their own here; any other is kept as <see cref="Raw"/>.</summary>
        public static bool Modelled(string type) => type is "text" or "thinking" or "redacted_thinking" or "tool_use";

        /// <summary>A block of a type this client does not model, as the API sent it (deltas merged in).</summary>
        public JsonObject? Raw { get; set; }
        private JsonArray? _citations;
        /// <summary>A text block's citations (from the block, or from citations_delta events).</summary>
        public JsonArray Citations => _citations ??= new JsonArray();
        public bool HasCitations => _citations is { Count: > 0 };
        private string? _toolInput;
        private bool _toolInputIncomplete;

        /// <summary>The tool input as a JSON object: a stream cut off inside it is recovered as the SDKs do.</summary>
        public string ToolInput(out bool incomplete)
        {
            if (_toolInput is null)
            {
                string sent = HasJson ? Json.ToString() : "{}";
                _toolInput = PartialJson.CompleteObject(sent) ?? "{}";
                _toolInputIncomplete = _toolInput != sent;
            }
            incomplete = _toolInputIncomplete;
            return _toolInput;
        }

        /// <summary>A raw block's JSON; input streamed in input_json_delta events (server tools) replaces its start value.</summary>
        public string RawJson()
        {
            var raw = (JsonObject)Raw!.DeepClone();
            if (HasJson) raw["input"] = JsonNode.Parse(ToolInput(out _));
            return raw.ToJsonString();
        }

        /// <summary>Readable text of a raw block, when it has some (a compaction summary, say), for display.</summary>
        public string? RawText => Raw?["content"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : Raw?["text"] is JsonValue t && t.TryGetValue<string>(out var u) ? u : null;

        /// <summary>A delta type this client does not model: citations_delta adds a citation; any other merges its
        /// fields into a raw block (text fields are appended, others replaced), as the SDKs accumulate them.</summary>
        public void ApplyOther(JsonObject delta)
        {
            string? type = delta["type"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : null;
            if (type == "citations_delta")
            {
                if (delta["citation"] is { } citation) Citations.Add(citation.DeepClone());
                return;
            }
            if (Raw is null) return;
            foreach (var pair in delta)
            {
                if (pair.Key == "type") continue;
                if (Raw[pair.Key] is JsonValue old && old.TryGetValue<string>(out var before) &&
                    pair.Value is JsonValue add && add.TryGetValue<string>(out var more))
                    Raw[pair.Key] = before + more;
                else Raw[pair.Key] = pair.Value?.DeepClone();
            }
        }
        public string? Signature { get; set; }
        /// <summary>A redacted_thinking block's encrypted data.</summary>
        public string? Data { get; set; }
        public string? ToolId { get; set; }
        public string? ToolName { get; set; }

        /// <summary>Tool input JSON as it arrives (made on first use: most blocks have none).</summary>
        public StringBuilder Json => _json ??= new StringBuilder();
        public bool HasJson => _json is { Length: > 0 };
        public bool HasText => (_pieces?.Length ?? _text?.Length ?? 0) > 0;

        /// <summary>Adds text. A block that arrives whole (every non-streamed reply) is kept as the
        /// string it came in, with no builder and no copy.</summary>
        public void AppendText(string? piece)
        {
            if (string.IsNullOrEmpty(piece)) return;
            if (_pieces is not null) _pieces.Append(piece);
            else if (_text is null) _text = piece;
            else
            {
                _pieces = new StringBuilder(_text, _text.Length + piece!.Length + 64).Append(piece);
                _text = null;
            }
        }

        /// <summary>The text so far (cached until more arrives).</summary>
        public string Text
        {
            get
            {
                if (_pieces is null) return _text ?? "";
                _text = _pieces.ToString();
                _pieces = null;
                return _text;
            }
        }
    }
}
