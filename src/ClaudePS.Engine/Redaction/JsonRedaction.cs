using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// Redacts JSON (tool-use input, -Raw replies) without breaking it: property names, string values and
/// numbers are scanned as one text laid out as <c>name: value</c> lines (so a value is judged with its
/// name as context, as in prose), and only tokens that changed are rewritten, as JSON strings. Every
/// other byte stays as it was.
/// </summary>
internal static class JsonRedaction
{
    private readonly struct Token
    {
        public Token(int start, int end, string text, bool name)
        {
            Start = start;
            End = end;
            Text = text;
            IsName = name;
        }

        public int Start { get; }
        public int End { get; }
        public string Text { get; }
        public bool IsName { get; }
    }

    /// <summary>An open object or array of a reply, and what it holds that may be opaque.</summary>
    private sealed class Frame
    {
        public Frame(string name) => Name = name;

        /// <summary>The property it is the value of, "[]" for an array element, "" for the root.</summary>
        public string Name { get; }
        public string? Type { get; set; }
        /// <summary>Index in the token list of its last <c>data</c> or <c>signature</c> string value, or -1.</summary>
        public int Opaque { get; set; } = -1;
        public string? OpaqueName { get; set; }
    }

    /// <summary>Redacts JSON that is not an API reply (a tool-use input): every string and number is scanned.</summary>
    public static (string Json, IReadOnlyDictionary<string, int> Counts) Redact(Redactor redactor, string json) =>
        Redact(redactor, json, reply: false);

    /// <summary>
    /// Redacts JSON. With <paramref name="reply"/> (an API reply: a message, a message_start event, a
    /// batch result row, a content_block_start or content_block_delta event) the opaque values the API
    /// must get back byte for byte are neither scanned nor changed: <c>data</c> of a
    /// <c>redacted_thinking</c> block and <c>signature</c> of a <c>thinking</c> block or a
    /// <c>signature_delta</c>. Encrypted base64 can look like a key or a card number by chance, and
    /// rewriting it would show a reply the API never sent. Only blocks where the API puts them count
    /// (<see cref="IsBlock"/>): an object of the same shape inside a tool-use input is the model's own
    /// output and is redacted like the rest.
    /// </summary>
    public static (string Json, IReadOnlyDictionary<string, int> Counts) Redact(Redactor redactor, string json, bool reply)
    {
        if (!redactor.IsActive || json.Length == 0) return (json, Redactor.EmptyCounts);
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var tokens = new List<Token>();
        // Only a reply pays for tracking where it is.
        var frames = reply ? new List<Frame>() : null;
        HashSet<int>? kept = null;
        string? property = null;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        frames?.Add(new Frame(frames.Count == 0 ? "" : property ?? "[]"));
                        property = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        if (frames is not null)
                        {
                            var frame = frames[frames.Count - 1];
                            if (frame.Opaque >= 0 && IsBlock(frames) && IsOpaque(frame.Type, frame.OpaqueName)) (kept ??= new HashSet<int>()).Add(frame.Opaque);
                            frames.RemoveAt(frames.Count - 1);
                        }
                        break;
                    case JsonTokenType.PropertyName:
                    case JsonTokenType.String:
                        // TokenStartIndex is the opening quote; ValueSpan the raw (still escaped) bytes between the quotes.
                        int start = (int)reader.TokenStartIndex;
                        string value = reader.GetString() ?? "";
                        bool isName = reader.TokenType == JsonTokenType.PropertyName;
                        if (!isName && property is not null && frames is { Count: > 0 })
                        {
                            var frame = frames[frames.Count - 1];
                            if (property == "type") frame.Type = value;
                            else if (property is "data" or "signature")
                            {
                                frame.Opaque = tokens.Count;
                                frame.OpaqueName = property;
                            }
                        }
                        property = isName ? value : null;
                        tokens.Add(new Token(start, start + reader.ValueSpan.Length + 2, value, isName));
                        break;
                    case JsonTokenType.Number:
                        int at = (int)reader.TokenStartIndex;
                        string number = Wire.Utf8.Decode(reader.ValueSpan);
                        tokens.Add(new Token(at, at + reader.ValueSpan.Length, number, false));
                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a tool input cut short by max_tokens): redact it as plain text. It was not valid
            // JSON before, so there is nothing to keep valid.
            var plain = redactor.Redact(json);
            return (plain.Text, plain.Counts);
        }
        if (tokens.Count == 0) return (json, Redactor.EmptyCounts);

        // A kept value is left out of the scanned text (its line stays, empty), so nothing in it is
        // found and no finding can run from it into a neighbour.
        var joined = new JoinedText();
        var piece = new int[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            if (kept is not null && kept.Contains(i))
            {
                piece[i] = -1;
                joined.Gap("\n");
                continue;
            }
            piece[i] = joined.Add(tokens[i].Text);
            joined.Gap(tokens[i].IsName ? ": " : "\n");
        }
        if (joined.Count == 0) return (json, Redactor.EmptyCounts);

        var redaction = redactor.RedactJoined(joined);
        if (!redaction.Changed) return (json, Redactor.EmptyCounts);
        using var output = new MemoryStream(utf8.Length + 64);
        int pos = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (piece[i] < 0) continue;
            string replaced = redaction.Pieces[piece[i]];
            if (string.Equals(replaced, tokens[i].Text, StringComparison.Ordinal)) continue;
            output.Write(utf8, pos, tokens[i].Start - pos);
            // A changed number becomes a string: the placeholder is not a number, and the value must go.
            output.WriteByte((byte)'"');
            var encoded = JsonEncodedText.Encode(replaced, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
            output.Write(encoded, 0, encoded.Length);
            output.WriteByte((byte)'"');
            pos = tokens[i].End;
        }
        output.Write(utf8, pos, utf8.Length - pos);
        return (Encoding.UTF8.GetString(output.ToArray()), redaction.Counts);
    }

    /// <summary>True when the innermost frame is a content block where the API puts one: an element of
    /// a message's <c>content</c> (the message at the root, under <c>message</c> in a message_start event,
    /// or under <c>result.message</c> in a batch result row), or the <c>content_block</c> / <c>delta</c>
    /// of a stream event. The path is matched from the root, so nothing inside a tool-use input matches.</summary>
    private static bool IsBlock(List<Frame> frames)
    {
        switch (frames.Count)
        {
            case 2: return frames[1].Name is "content_block" or "delta";
            case 3: return frames[1].Name == "content" && frames[2].Name == "[]";
            case 4: return frames[1].Name == "message" && frames[2].Name == "content" && frames[3].Name == "[]";
            case 5: return frames[1].Name == "result" && frames[2].Name == "message" && frames[3].Name == "content" && frames[4].Name == "[]";
            default: return false;
        }
    }

    private static bool IsOpaque(string? type, string? name) =>
        (type == "redacted_thinking" && name == "data") || (type is "thinking" or "signature_delta" && name == "signature");
}
