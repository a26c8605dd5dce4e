using System.Collections.Generic;
using System.Text.Json;

namespace ClaudePS.Engine.Wire;

/// <summary>
/// JSON as plain BCL values: objects become ordered key/value lists, arrays lists, numbers long or
/// double, and strings, booleans and null themselves. The cmdlet layer turns this into PSObjects
/// without referencing System.Text.Json.
/// </summary>
public static class JsonTree
{
    public static object? Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return From(doc.RootElement);
    }

    private static object? From(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new List<KeyValuePair<string, object?>>();
                foreach (var p in e.EnumerateObject()) obj.Add(new KeyValuePair<string, object?>(p.Name, From(p.Value)));
                return obj;
            case JsonValueKind.Array:
                var list = new List<object?>();
                foreach (var item in e.EnumerateArray()) list.Add(From(item));
                return list;
            case JsonValueKind.String: return e.GetString();
            case JsonValueKind.Number: return e.TryGetInt64(out var l) ? (object)l : e.GetDouble(); // boxed apart: a bare ternary would make every number double
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }
}
