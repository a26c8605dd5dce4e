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
        public Token(int start, int end, string text)
        {
            Start = start;
            End = end;
            Text = text;
        }

        public int Start { get; }
        public int End { get; }
        public string Text { get; }
    }

    public static (string Json, IReadOnlyDictionary<string, int> Counts) Redact(Redactor redactor, string json)
    {
        if (!redactor.IsActive || json.Length == 0) return (json, Redactor.EmptyCounts);
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var joined = new JoinedText();
        var tokens = new List<Token>();
        try
        {
            var reader = new Utf8JsonReader(utf8);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    case JsonTokenType.String:
                        // TokenStartIndex is the opening quote; ValueSpan the raw (still escaped) bytes between the quotes.
                        int start = (int)reader.TokenStartIndex;
                        string value = reader.GetString() ?? "";
                        tokens.Add(new Token(start, start + reader.ValueSpan.Length + 2, value));
                        joined.Add(value);
                        joined.Gap(reader.TokenType == JsonTokenType.PropertyName ? ": " : "\n");
                        break;
                    case JsonTokenType.Number:
                        int at = (int)reader.TokenStartIndex;
                        string number = Encoding.UTF8.GetString(reader.ValueSpan.ToArray());
                        tokens.Add(new Token(at, at + reader.ValueSpan.Length, number));
                        joined.Add(number);
                        joined.Gap("\n");
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

        var redaction = redactor.RedactJoined(joined);
        if (!redaction.Changed) return (json, Redactor.EmptyCounts);
        using var output = new MemoryStream(utf8.Length + 64);
        int pos = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            string replaced = redaction.Pieces[i];
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
}
