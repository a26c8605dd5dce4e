using System;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>
/// Strings that every reply or stream repeats (event names, block types, stop reasons, service tiers,
/// the model id): read as the same string instance each time instead of a new string per reply or
/// frame. A value not in the set is decoded as usual.
/// </summary>
internal sealed class KnownValues
{
    public static readonly KnownValues EventNames = new("content_block_delta", "content_block_start", "content_block_stop",
        "message_start", "message_delta", "message_stop", "ping", "error");
    public static readonly KnownValues BlockTypes = new("text", "thinking", "tool_use", "redacted_thinking", "server_tool_use", "web_search_tool_result");
    public static readonly KnownValues StopReasons = new("end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal");
    public static readonly KnownValues ServiceTiers = new("standard", "priority", "batch");

    private Entry[] _entries;
    private readonly bool _remember;

    private KnownValues(params string[] values)
    {
        _entries = Array.ConvertAll(values, v => new Entry(v));
    }

    /// <param name="remember">Starts empty and keeps the last value read that was not known.</param>
    public KnownValues(bool remember)
    {
        _entries = Array.Empty<Entry>();
        _remember = remember;
    }

    /// <summary>The text of <paramref name="utf8"/>: the shared instance when it is a known value.</summary>
    public string Text(ReadOnlySpan<byte> utf8)
    {
        foreach (var e in _entries) // replaced whole when remembering, never changed in place
            if (utf8.SequenceEqual(e.Utf8)) return e.Text;
        return Remember(Utf8.Decode(utf8));
    }

    /// <summary>The string value the reader is on (null for null or any other kind, skipped whole).</summary>
    public string? Value(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String) return MessageBuilder.StringValue(ref r);
        return r.ValueIsEscaped || r.HasValueSequence ? Remember(r.GetString()!) : Text(r.ValueSpan);
    }

    private string Remember(string text)
    {
        if (_remember) _entries = new[] { new Entry(text) };
        return text;
    }

    private sealed class Entry
    {
        public Entry(string text)
        {
            Text = text;
            Utf8 = Encoding.UTF8.GetBytes(text);
        }

        public string Text { get; }
        public byte[] Utf8 { get; }
    }
}
