using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

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

    /// <summary>Reads a complete <c>message</c> object (non-streaming reply, or message_start's message)
    /// in one pass over its properties: looking each one up by name scans the object again every time.</summary>
    public void ReadMessage(JsonElement message)
    {
        foreach (var p in message.EnumerateObject())
        {
            var v = p.Value;
            if (p.NameEquals("content"u8))
            {
                if (v.ValueKind != JsonValueKind.Array) continue;
                foreach (var block in v.EnumerateArray())
                {
                    var b = StartBlock(block, whole: true);
                    if (b.HasText || b.HasJson || b.Data is not null) HasContent = true;
                }
            }
            else if (p.NameEquals("usage"u8)) { if (v.ValueKind == JsonValueKind.Object) Usage = UsageReader.Read(v, Usage); }
            else if (p.NameEquals("id"u8)) Id = v.GetString();
            else if (p.NameEquals("model"u8)) Model = v.GetString();
            else if (p.NameEquals("stop_reason"u8)) { if (v.ValueKind == JsonValueKind.String) StopReason = v.GetString(); }
            else if (p.NameEquals("stop_sequence"u8)) { if (v.ValueKind == JsonValueKind.String) StopSequence = v.GetString(); }
        }
    }

    /// <summary>Applies one SSE event. Returns the text delta it carried (for live display), if any.</summary>
    public string? Apply(string eventType, JsonElement data)
    {
        switch (eventType)
        {
            case "message_start":
                if (data.TryGetProperty("message"u8, out var m)) ReadMessage(m);
                return null;
            case "content_block_start":
                if (data.TryGetProperty("content_block"u8, out var cb))
                {
                    int index = data.TryGetProperty("index"u8, out var i) ? i.GetInt32() : _blocks.Count;
                    while (_blocks.Count < index) _blocks.Add(new Block("text"));
                    var block = StartBlock(cb, index);
                    if (block.Data is not null) HasContent = true; // redacted_thinking arrives whole, with no deltas
                    if (block.HasText) { HasContent = true; return block.Type == "text" ? block.Text : null; }
                }
                return null;
            case "content_block_delta":
                return ApplyDelta(data);
            case "message_delta":
                if (data.TryGetProperty("delta"u8, out var d)) ReadStop(d);
                if (data.TryGetProperty("usage"u8, out var u) && u.ValueKind == JsonValueKind.Object)
                    Usage = UsageReader.Read(u, Usage);
                return null;
            case "message_stop":
                Stopped = true;
                return null;
            default:
                // content_block_stop, ping and event types this client does not know: nothing to do.
                return null;
        }
    }

    private string? ApplyDelta(JsonElement data)
    {
        if (!data.TryGetProperty("delta"u8, out var delta)) return null;
        int index = data.TryGetProperty("index"u8, out var i) ? i.GetInt32() : _blocks.Count - 1;
        if (index < 0) return null;
        while (_blocks.Count <= index) _blocks.Add(new Block("text"));
        var block = _blocks[index];
        string type = delta.TryGetProperty("type"u8, out var t) ? t.GetString() ?? "" : "";
        switch (type)
        {
            case "text_delta":
                var text = delta.GetProperty("text"u8).GetString() ?? "";
                block.AppendText(text);
                HasContent = true;
                return text;
            case "thinking_delta":
                block.AppendText(delta.GetProperty("thinking"u8).GetString());
                HasContent = true;
                return null;
            case "signature_delta":
                block.Signature = (block.Signature ?? "") + delta.GetProperty("signature"u8).GetString();
                return null;
            case "input_json_delta":
                block.Json.Append(delta.GetProperty("partial_json"u8).GetString());
                HasContent = true;
                return null;
            default:
                return null; // citations_delta and future delta types carry nothing this client keeps
        }
    }

    /// <summary>Starts a block from a content block object. <paramref name="whole"/>: the block is complete
    /// (a non-streamed reply), so a tool_use block's input is taken as it is; a streamed one's input
    /// arrives in deltas.</summary>
    private Block StartBlock(JsonElement cb, int? index = null, bool whole = false)
    {
        string type = "text";
        JsonElement text = default, thinking = default, signature = default, data = default, id = default, name = default, input = default;
        foreach (var p in cb.EnumerateObject())
        {
            if (p.NameEquals("type"u8)) type = p.Value.GetString() ?? "text";
            else if (p.NameEquals("text"u8)) text = p.Value;
            else if (p.NameEquals("thinking"u8)) thinking = p.Value;
            else if (p.NameEquals("signature"u8)) signature = p.Value;
            else if (p.NameEquals("data"u8)) data = p.Value;
            else if (p.NameEquals("id"u8)) id = p.Value;
            else if (p.NameEquals("name"u8)) name = p.Value;
            else if (p.NameEquals("input"u8)) input = p.Value;
        }
        var block = new Block(type);
        if (type == "text" && text.ValueKind != JsonValueKind.Undefined) block.AppendText(text.GetString());
        if (type == "thinking" && thinking.ValueKind != JsonValueKind.Undefined) block.AppendText(thinking.GetString());
        if (signature.ValueKind == JsonValueKind.String) block.Signature = signature.GetString();
        // Encrypted thinking: opaque, kept exactly as sent so it can go back on the next turn.
        if (type == "redacted_thinking" && data.ValueKind == JsonValueKind.String) block.Data = data.GetString();
        if (type == "tool_use")
        {
            block.ToolId = id.ValueKind != JsonValueKind.Undefined ? id.GetString() : null;
            block.ToolName = name.ValueKind != JsonValueKind.Undefined ? name.GetString() : null;
            if (whole && input.ValueKind != JsonValueKind.Undefined) block.Json.Append(input.GetRawText());
        }
        if (index is { } idx && idx < _blocks.Count) _blocks[idx] = block;
        else _blocks.Add(block);
        return block;
    }

    private void ReadStop(JsonElement e)
    {
        if (e.TryGetProperty("stop_reason"u8, out var sr) && sr.ValueKind == JsonValueKind.String) StopReason = sr.GetString();
        if (e.TryGetProperty("stop_sequence"u8, out var ss) && ss.ValueKind == JsonValueKind.String) StopSequence = ss.GetString();
    }

    public ClaudeResponse Build(string? requestId, string? endpoint, TimeSpan duration, TimeSpan? timeToFirstToken, int attempts)
    {
        // The usual reply has one text block: its string is the response text as it is.
        string? text = null, thinking = null;
        StringBuilder? moreText = null, moreThinking = null;
        var tools = new List<ClaudeToolUse>();
        foreach (var b in _blocks)
        {
            switch (b.Type)
            {
                case "text": Join(ref text, ref moreText, b.Text); break;
                case "thinking": Join(ref thinking, ref moreThinking, b.Text); break;
                case "tool_use":
                    tools.Add(new ClaudeToolUse { Id = b.ToolId ?? "", Name = b.ToolName ?? "", InputJson = b.HasJson ? b.Json.ToString() : "{}" });
                    break;
            }
        }
        return new ClaudeResponse
        {
            Text = moreText?.ToString() ?? text ?? "",
            Thinking = moreThinking?.ToString() ?? thinking,
            ToolUses = tools,
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
                    if (b.HasText) blocks.Add(ClaudeContentBlock.FromText(b.Text));
                    break;
                case "thinking":
                    blocks.Add(new ClaudeContentBlock { Type = "thinking", Text = b.Text, Signature = b.Signature });
                    break;
                case "redacted_thinking":
                    // Not text (it is neither shown nor joined into Thinking); the API needs it back unchanged.
                    if (b.Data is not null) blocks.Add(new ClaudeContentBlock { Type = "redacted_thinking", Data = b.Data });
                    break;
                case "tool_use":
                    blocks.Add(new ClaudeContentBlock { Type = "tool_use", ToolUseId = b.ToolId, ToolName = b.ToolName, InputJson = b.HasJson ? b.Json.ToString() : "{}" });
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
