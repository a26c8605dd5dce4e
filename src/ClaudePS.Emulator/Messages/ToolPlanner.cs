using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClaudePS.Emulator;

/// <summary>
/// How the emulated model uses tools when tool_choice is auto (deterministic, from the request alone):
/// <list type="bullet">
/// <item>A prompt that names offered tools, by name or by noun (the part after the first '-' or '_', so
/// "disk report" names Get-DiskReport), gets a tool_use for each, in the order the tools were offered.</item>
/// <item>"call X" or "run X" with X shaped like a tool name (it holds '-' or '_') calls X even when X was not
/// offered: the model invents a tool, so clients can test that they refuse it.</item>
/// <item>Input is valid against the tool's schema: required properties always, optional ones only when the
/// prompt names them; a value written in the prompt as "-Name value", "Name=value" or "Name: 'a b'" is
/// used when it fits the property's schema.</item>
/// <item>After tool_result blocks (and no new text), the reply is text quoting each result, so a client
/// can check that the output reached the model; a result that says "call X" or "run X" for an offered tool
/// chains another call instead.</item>
/// </list>
/// </summary>
internal static class ToolPlanner
{
    private static readonly Regex CallPattern = new(@"\b(?:call|run)\s+([A-Za-z0-9]+[-_][A-Za-z0-9_-]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The tool calls to make (name and input JSON); empty to answer with text.</summary>
    public static List<(string Name, string InputJson)> Choose(MessageRequestSpec spec, IReadOnlyList<string> words)
    {
        var calls = new List<(string, string)>();
        // Server tools (web search) run on the server; only the caller's own tools are called with tool_use.
        var clientTools = spec.Tools.Where(t => t.ServerType is null).ToList();
        if (clientTools.Count == 0 || spec.ToolChoiceNone || spec.ForcedTool is not null) return calls;
        var named = new List<string>();
        if (spec.LastUserPrompt.Trim().Length > 0)
        {
            foreach (var tool in clientTools)
                if (Names(spec.LastUserPrompt, tool.Name)) named.Add(tool.Name);
            foreach (Match m in CallPattern.Matches(spec.LastUserPrompt))
                if (!named.Contains(m.Groups[1].Value, StringComparer.OrdinalIgnoreCase)) named.Add(m.Groups[1].Value);
        }
        else
        {
            foreach (var result in spec.ToolResults)
                foreach (Match m in CallPattern.Matches(result.Text))
                {
                    var tool = clientTools.FirstOrDefault(t => string.Equals(t.Name, m.Groups[1].Value, StringComparison.OrdinalIgnoreCase));
                    if (tool is not null && !named.Contains(tool.Name)) named.Add(tool.Name);
                }
        }
        foreach (var name in named)
        {
            var tool = clientTools.FirstOrDefault(t => t.Name == name);
            var input = tool?.InputSchema is { } schema ? Input(schema, spec.LastUserPrompt, words) : new JsonObject();
            calls.Add((name, input.ToJsonString(WireJson.Options)));
        }
        return calls;
    }

    /// <summary>Text answering the last tool results, quoting each (errors said as such).</summary>
    public static string Answer(IReadOnlyList<ToolResultSpec> results)
    {
        var text = new StringBuilder("Here is what the tools returned.");
        foreach (var r in results)
        {
            string oneLine = Regex.Replace(r.Text, @"\s+", " ").Trim();
            if (oneLine.Length > 300) oneLine = oneLine[..300] + "...";
            text.Append(' ').Append(r.ToolName).Append(r.IsError ? " failed: " : " said: ").Append(oneLine);
            if (!oneLine.EndsWith('.')) text.Append('.');
        }
        return text.ToString();
    }

    private static bool Names(string prompt, string toolName)
    {
        if (StartsWord(prompt, toolName)) return true;
        int cut = toolName.IndexOfAny(new[] { '-', '_' });
        string noun = cut >= 0 ? toolName[(cut + 1)..] : "";
        if (noun.Length < 3) return false;
        // "DiskReport" is also named as "disk report" or "disk_report"; a word must start there ("update" does not name Get-Date).
        string spaced = Regex.Replace(noun, "(?<=[a-z0-9])(?=[A-Z])|[-_]", " ");
        return StartsWord(prompt, noun) || StartsWord(prompt, spaced);
    }

    private static bool StartsWord(string text, string phrase) =>
        Regex.IsMatch(text, @"(?<![A-Za-z0-9])" + Regex.Escape(phrase), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static JsonObject Input(JsonElement schema, string prompt, IReadOnlyList<string> words)
    {
        var full = SchemaFaker.Generate(schema, words) as JsonObject ?? new JsonObject();
        var required = schema.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array
            ? req.EnumerateArray().Select(r => r.GetString()).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string?>();
        var input = new JsonObject();
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object) return input;
        foreach (var property in properties.EnumerateObject())
        {
            string? written = WrittenValue(prompt, property.Name);
            bool mentioned = written is not null || Regex.IsMatch(prompt, $@"(?<![A-Za-z0-9]){Regex.Escape(property.Name)}(?![A-Za-z0-9])", RegexOptions.IgnoreCase);
            if (!required.Contains(property.Name) && !mentioned) continue;
            var value = written is null ? null : Convert(written, property.Value);
            input[property.Name] = value ?? full[property.Name]?.DeepClone();
        }
        return input;
    }

    /// <summary>"-Name value", "Name=value", "Name: value", with 'single' or "double" quotes for spaces.</summary>
    private static string? WrittenValue(string prompt, string name)
    {
        var m = Regex.Match(prompt, $@"(?:-{Regex.Escape(name)}\s+|(?<![A-Za-z0-9-]){Regex.Escape(name)}\s*[=:]\s*)(?:'([^']*)'|""([^""]*)""|([^\s,;]+(?:,[^\s,;]+)*))",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        if (!m.Success) return null;
        return m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value.TrimEnd('.');
    }

    /// <summary>The written value as the property's type; null when it does not fit (the faker's value is used).</summary>
    private static JsonNode? Convert(string written, JsonElement schema)
    {
        string type = schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "string";
        if (type == "array")
        {
            if (!schema.TryGetProperty("items", out var items)) return null;
            var array = new JsonArray();
            foreach (var part in written.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var one = Convert(part, items);
                if (one is null) return null;
                array.Add(one);
            }
            return array;
        }
        switch (type)
        {
            case "integer":
                return long.TryParse(written, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) && InRange(schema, l) ? JsonValue.Create(l) : null;
            case "number":
                return double.TryParse(written, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && InRange(schema, d) ? JsonValue.Create(d) : null;
            case "boolean":
                return bool.TryParse(written, out bool b) ? JsonValue.Create(b) : null;
            default:
                if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
                {
                    var match = values.EnumerateArray().FirstOrDefault(v => v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), written, StringComparison.OrdinalIgnoreCase));
                    return match.ValueKind == JsonValueKind.String ? JsonValue.Create(match.GetString()) : null;
                }
                if (schema.TryGetProperty("maxLength", out var max) && max.TryGetInt32(out int maxLength) && written.Length > maxLength) return null;
                if (schema.TryGetProperty("minLength", out var min) && min.TryGetInt32(out int minLength) && written.Length < minLength) return null;
                if (schema.TryGetProperty("pattern", out var p) && p.ValueKind == JsonValueKind.String && !Regex.IsMatch(written, p.GetString()!)) return null;
                return JsonValue.Create(written);
        }
    }

    private static bool InRange(JsonElement schema, double value) =>
        !(schema.TryGetProperty("minimum", out var min) && min.TryGetDouble(out double lo) && value < lo) &&
        !(schema.TryGetProperty("maximum", out var max) && max.TryGetDouble(out double hi) && value > hi);
}
