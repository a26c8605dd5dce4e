using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>
/// Recovers a JSON object from text cut off partway (a tool input streamed until max_tokens), as the SDKs'
/// partial-JSON parsers do: an open string is closed, open arrays and objects are closed, and a member or
/// element left half-written is dropped.
/// </summary>
internal static class PartialJson
{
    /// <summary>The text when it is already a JSON object, else the longest recoverable object, else null.</summary>
    public static string? CompleteObject(string text)
    {
        if (IsObject(text)) return text;
        // Cut points: the whole text, before each comma, and just after each opening bracket (outside strings).
        var cuts = new List<int> { text.Length };
        OutsideStrings(text, (i, c) =>
        {
            if (c == ',') cuts.Add(i);
            else if (c is '{' or '[') cuts.Add(i + 1);
        });
        cuts.Sort();
        for (int k = cuts.Count - 1; k >= 0; k--)
        {
            string candidate = Close(text.Substring(0, cuts[k]));
            if (IsObject(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Appends what closes the open string, arrays and objects of <paramref name="prefix"/>.</summary>
    private static string Close(string prefix)
    {
        var open = new Stack<char>();
        var (inString, escaped) = OutsideStrings(prefix, (_, c) =>
        {
            if (c == '{') open.Push('}');
            else if (c == '[') open.Push(']');
            else if (c is '}' or ']' && open.Count > 0) open.Pop();
        });
        var sb = new StringBuilder(prefix.TrimEnd());
        if (inString)
        {
            if (escaped) sb.Length--; // a lone backslash cannot end a string
            sb.Append('"');
        }
        while (open.Count > 0) sb.Append(open.Pop());
        return sb.ToString();
    }

    /// <summary>Hands every character outside string literals (quotes excluded) to <paramref name="visit"/>
    /// with its index; says whether the text ends inside a string, and right after a backslash in it.</summary>
    private static (bool InString, bool Escaped) OutsideStrings(string text, Action<int, char> visit)
    {
        bool inString = false, escaped = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == '"') inString = false;
            }
            else if (c == '"') inString = true;
            else visit(i, c);
        }
        return (inString, escaped);
    }

    private static bool IsObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException) { return false; }
    }
}
