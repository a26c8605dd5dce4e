using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClaudePS.Engine.Tools;

/// <summary>
/// Turns a command's parameter metadata (read by the cmdlet layer into <see cref="ClaudeToolParameter"/>s)
/// into a <see cref="ClaudeTool"/>: checks the name, the pins and the hidden parameters, and builds the
/// closed JSON schema the model sees. Everything here is plain data, so xunit covers every parameter shape.
/// </summary>
public static class ToolFactory
{
    private static readonly Regex ValidName = new("^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant);

    /// <summary>Builds a tool; throws ClaudeException (ClaudePS.InvalidTool) naming what is wrong and what to do.</summary>
    public static ClaudeTool Create(ToolDefinition definition)
    {
        if (definition is null) throw new ArgumentNullException(nameof(definition));
        string name = definition.Name;
        if (!ValidName.IsMatch(name))
            throw Invalid(name, $"the tool name '{name}' is not valid: use 1 to 64 letters, digits, '_' or '-'. Pass -Name to choose one.");
        var pinned = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in definition.Pinned)
        {
            var match = definition.Parameters.Find(p => string.Equals(p.Name, pair.Key, StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid(name, $"-ToolParameter pins '{pair.Key}', which is not a parameter of {definition.CommandName}{SetText(definition)}. Its parameters: {Names(definition.Parameters)}.");
            pinned[match.Name] = pair.Value;
        }
        var parameters = new List<ClaudeToolParameter>(definition.Parameters.Count);
        foreach (var p in definition.Parameters)
        {
            var hidden = pinned.ContainsKey(p.Name) ? ClaudeToolHiddenReason.Pinned : p.Hidden;
            if (p.Mandatory && hidden is ClaudeToolHiddenReason.Secret or ClaudeToolHiddenReason.Unsupported)
                throw Invalid(name, hidden == ClaudeToolHiddenReason.Secret
                    ? $"the mandatory parameter -{p.Name} of {definition.CommandName} carries a secret ({p.TypeName}), which is never offered to the model. Pin it: -ToolParameter @{{ {p.Name} = $value }}."
                    : $"the mandatory parameter -{p.Name} of {definition.CommandName} takes a {p.TypeName}, which the model cannot write. Pin it with -ToolParameter, or choose another parameter set with -ParameterSetName.");
            parameters.Add(hidden == p.Hidden ? p : With(p, hidden));
        }
        string description = string.IsNullOrWhiteSpace(definition.Description)
            ? $"Runs the PowerShell command {definition.CommandName}."
            : definition.Description!.Trim();
        return new ClaudeTool(pinned)
        {
            Name = name,
            Description = description,
            CommandName = definition.CommandName,
            ParameterSetName = definition.ParameterSetName,
            Parameters = parameters,
            ReadOnly = definition.ReadOnly ?? ToolVerbs.IsReadOnly(definition.CommandName),
            Command = definition.Command,
            InputSchema = InputSchema(parameters),
        };
    }

    /// <summary>The input_schema: an object of the shown parameters, mandatory ones required, nothing else allowed.</summary>
    public static string InputSchema(IReadOnlyList<ClaudeToolParameter> parameters)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            var required = new List<string>();
            foreach (var p in parameters)
            {
                if (p.Hidden != ClaudeToolHiddenReason.None) continue;
                w.WriteStartObject(p.Name);
                if (p.IsArray)
                {
                    w.WriteString("type", "array");
                    if (p.Description is { Length: > 0 }) w.WriteString("description", p.Description);
                    w.WriteStartObject("items");
                    WriteScalar(w, p);
                    w.WriteEndObject();
                }
                else
                {
                    if (p.Description is { Length: > 0 }) w.WriteString("description", p.Description);
                    WriteScalar(w, p);
                }
                w.WriteEndObject();
                if (p.Mandatory) required.Add(p.Name);
            }
            w.WriteEndObject();
            w.WriteStartArray("required");
            foreach (var r in required) w.WriteStringValue(r);
            w.WriteEndArray();
            // Closed: the model cannot pass a parameter it was not shown (a pinned or secret one).
            w.WriteBoolean("additionalProperties", false);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The tools[] entry sent with each request.</summary>
    public static string Definition(ClaudeTool tool)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", tool.Name);
            w.WriteString("description", tool.Description);
            w.WritePropertyName("input_schema");
            w.WriteRawValue(tool.InputSchema);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteScalar(Utf8JsonWriter w, ClaudeToolParameter p)
    {
        w.WriteString("type", p.Type switch
        {
            ClaudeToolValueType.Integer => "integer",
            ClaudeToolValueType.Number => "number",
            ClaudeToolValueType.Boolean => "boolean",
            _ => "string",
        });
        if (p.AllowedValues is { Count: > 0 } values && p.Type == ClaudeToolValueType.String)
        {
            w.WriteStartArray("enum");
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        if (p.Type is ClaudeToolValueType.Integer or ClaudeToolValueType.Number)
        {
            if (p.Minimum is { } min) WriteNumber(w, "minimum", min, p.Type);
            if (p.Maximum is { } max) WriteNumber(w, "maximum", max, p.Type);
        }
        if (p.Type == ClaudeToolValueType.String)
        {
            if (p.MinLength is { } minLength) w.WriteNumber("minLength", minLength);
            if (p.MaxLength is { } maxLength) w.WriteNumber("maxLength", maxLength);
            if (p.Pattern is { Length: > 0 } pattern) w.WriteString("pattern", pattern);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double value, ClaudeToolValueType type)
    {
        if (type == ClaudeToolValueType.Integer && Math.Abs(value) < 9e15) w.WriteNumber(name, (long)Math.Round(value));
        else w.WriteNumber(name, value);
    }

    private static ClaudeToolParameter With(ClaudeToolParameter p, ClaudeToolHiddenReason hidden) => new()
    {
        Name = p.Name, Type = p.Type, IsArray = p.IsArray, Mandatory = p.Mandatory, AllowedValues = p.AllowedValues,
        Minimum = p.Minimum, Maximum = p.Maximum, MinLength = p.MinLength, MaxLength = p.MaxLength, Pattern = p.Pattern,
        Description = p.Description, TypeName = p.TypeName, Hidden = hidden,
    };

    private static string SetText(ToolDefinition d) => d.ParameterSetName is { } set ? $" (parameter set '{set}')" : "";

    private static string Names(List<ClaudeToolParameter> parameters) =>
        parameters.Count == 0 ? "none" : string.Join(", ", parameters.ConvertAll(p => p.Name));

    internal static ClaudeException Invalid(string tool, string message) =>
        new(new ClaudeError("ClaudePS.InvalidTool", ClaudeErrorCategory.InvalidArgument, $"Tool '{tool}': {message}") { Target = tool });
}

/// <summary>What the cmdlet layer read from a command, before <see cref="ToolFactory.Create"/> checks it.</summary>
public sealed class ToolDefinition
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string CommandName { get; set; } = "";
    public string? ParameterSetName { get; set; }
    public List<ClaudeToolParameter> Parameters { get; set; } = new();
    /// <summary>-ToolParameter: fixed arguments, hidden from the model.</summary>
    public IDictionary<string, object?> Pinned { get; set; } = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
    /// <summary>Null: decided by the command's verb.</summary>
    public bool? ReadOnly { get; set; }
    public object? Command { get; set; }
}

/// <summary>Which approved verbs only read (no confirmation needed by default).</summary>
public static class ToolVerbs
{
    private static readonly HashSet<string> ReadOnlyVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "Get", "Test", "Measure", "Find", "Search", "Resolve", "Select", "Show", "Compare", "Read", "Format",
        "ConvertFrom", "ConvertTo", "Group", "Sort", "Split", "Join", "Watch",
    };

    /// <summary>True for Verb-Noun names whose verb only reads; false for any other verb and for names without one.</summary>
    public static bool IsReadOnly(string commandName)
    {
        int dash = commandName.IndexOf('-');
        return dash > 0 && ReadOnlyVerbs.Contains(commandName.Substring(0, dash));
    }
}
