using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Tools;

/// <summary>
/// Reads the model's tool input against the tool's parameters: only shown parameters, the right JSON
/// types, enum values from the set, every mandatory one present. What fails here never reaches the
/// command; the model gets the reason as an error result. (Ranges, lengths and patterns are left to
/// PowerShell's own parameter validation, which runs when the command is bound.)
/// </summary>
public static class ToolInput
{
    /// <summary>The arguments as plain values (string, long, double, bool, object[]), in the parameters'
    /// order; or null with <paramref name="error"/> saying what is wrong.</summary>
    public static Dictionary<string, object?>? Bind(ClaudeTool tool, string inputJson, out string? error)
    {
        error = null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(inputJson) ? "{}" : inputJson); }
        catch (JsonException ex) { error = "The input is not valid JSON: " + ex.Message; return null; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { error = "The input must be a JSON object of parameter names and values."; return null; }
            var given = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var p = Find(tool, property.Name);
                if (p is null || p.Hidden != ClaudeToolHiddenReason.None)
                {
                    error = $"'{property.Name}' is not a parameter of this tool. Its parameters: {Shown(tool)}.";
                    return null;
                }
                given[p.Name] = property.Value.Clone();
            }
            var args = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in tool.Parameters)
            {
                if (p.Hidden != ClaudeToolHiddenReason.None) continue;
                if (!given.TryGetValue(p.Name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    if (p.Mandatory) { error = $"The parameter '{p.Name}' is required."; return null; }
                    continue;
                }
                object? converted;
                if (p.IsArray)
                {
                    var items = new List<object?>();
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in value.EnumerateArray())
                        {
                            if (!TryScalar(p, item, out var one, out error)) return null;
                            items.Add(one);
                        }
                    }
                    else
                    {
                        if (!TryScalar(p, value, out var one, out error)) return null;
                        items.Add(one);
                    }
                    converted = items.ToArray();
                }
                else if (!TryScalar(p, value, out converted, out error)) return null;
                args[p.Name] = converted;
            }
            return args;
        }
    }

    private static bool TryScalar(ClaudeToolParameter p, JsonElement v, out object? value, out string? error)
    {
        value = null;
        error = null;
        switch (p.Type)
        {
            case ClaudeToolValueType.Boolean when v.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = v.GetBoolean();
                return true;
            case ClaudeToolValueType.Integer when v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l):
                value = l;
                return true;
            case ClaudeToolValueType.Number when v.ValueKind == JsonValueKind.Number:
                value = v.GetDouble();
                return true;
            case ClaudeToolValueType.String when v.ValueKind == JsonValueKind.String:
                string s = v.GetString()!;
                if (p.AllowedValues is { Count: > 0 } allowed)
                {
                    string? match = null;
                    foreach (var a in allowed) if (string.Equals(a, s, StringComparison.OrdinalIgnoreCase)) { match = a; break; }
                    if (match is null) { error = $"'{s}' is not allowed for '{p.Name}'. Use one of: {string.Join(", ", allowed)}."; return false; }
                    s = match;
                }
                value = s;
                return true;
            default:
                error = $"'{p.Name}' takes {Describe(p)}; it was given {Kind(v)}.";
                return false;
        }
    }

    private static string Describe(ClaudeToolParameter p) => p.Type switch
    {
        ClaudeToolValueType.Boolean => "true or false",
        ClaudeToolValueType.Integer => "a whole number",
        ClaudeToolValueType.Number => "a number",
        _ => "a string",
    } + (p.IsArray ? " (or an array of them)" : "");

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => "a number (" + v.GetRawText() + ")",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static ClaudeToolParameter? Find(ClaudeTool tool, string name)
    {
        foreach (var p in tool.Parameters) if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p;
        return null;
    }

    private static string Shown(ClaudeTool tool)
    {
        var names = new List<string>();
        foreach (var p in tool.Parameters) if (p.Hidden == ClaudeToolHiddenReason.None) names.Add(p.Name);
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    /// <summary>The call as a PowerShell command line: the target of ShouldProcess and what .ToolCalls shows.
    /// Pinned values are never printed (they may be credentials).</summary>
    public static string CommandLine(ClaudeTool tool, IReadOnlyDictionary<string, object?> args)
    {
        var line = new StringBuilder(tool.CommandName);
        foreach (var pair in args)
        {
            line.Append(" -").Append(pair.Key);
            if (pair.Value is bool b && IsSwitchLike(tool, pair.Key)) { if (!b) line.Append(":$false"); continue; }
            line.Append(' ').Append(Literal(pair.Value));
        }
        foreach (var p in tool.Parameters)
            if (p.Hidden == ClaudeToolHiddenReason.Pinned) line.Append(" -").Append(p.Name).Append(" <pinned>");
        return line.ToString();
    }

    private static bool IsSwitchLike(ClaudeTool tool, string name) =>
        Find(tool, name) is { Type: ClaudeToolValueType.Boolean, IsArray: false };

    private static string Literal(object? value) => value switch
    {
        null => "$null",
        bool b => b ? "$true" : "$false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        object?[] items => items.Length == 0 ? "@()" : string.Join(",", Array.ConvertAll(items, Literal)),
        _ => "'" + Convert.ToString(value, CultureInfo.InvariantCulture)!.Replace("'", "''") + "'",
    };
}
