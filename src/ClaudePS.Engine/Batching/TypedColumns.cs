using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// -JsonSchema / -OutputType on Invoke-ClaudeBatch: the schema's top-level properties become typed
/// columns of every output row. A reply is checked against the top level of the schema (a JSON object,
/// every required field present, each value of an allowed type and, for enums, an allowed value; no
/// extra fields when additionalProperties is false); nested values are passed on as compact JSON text.
/// Types: integer → long, number → double, boolean → bool, string → string, object/array → JSON text,
/// null → null. A reply that does not fit fails its row (ClaudePS.InvalidStructuredOutput).
/// </summary>
public sealed class TypedColumnSchema
{
    /// <summary>One top-level property: its name and the JSON types it may take.</summary>
    public sealed class Field
    {
        internal Field(string name, IReadOnlyCollection<string> types, IReadOnlyList<string>? allowed, bool required)
        {
            Name = name; Types = types; Allowed = allowed; Required = required;
        }
        public string Name { get; }
        /// <summary>JSON types ("string", "integer", "number", "boolean", "object", "array", "null"); empty means any.</summary>
        public IReadOnlyCollection<string> Types { get; }
        /// <summary>The enum's values as raw JSON, or null.</summary>
        internal IReadOnlyList<string>? Allowed { get; }
        public bool Required { get; }
    }

    private readonly bool _closed;

    private TypedColumnSchema(string json, IReadOnlyList<Field> fields, bool closed)
    {
        Json = json; Fields = fields; _closed = closed;
    }

    /// <summary>The schema as compact JSON text (what the request sends).</summary>
    public string Json { get; }
    /// <summary>The top-level properties, in schema order.</summary>
    public IReadOnlyList<Field> Fields { get; }
    public IEnumerable<string> FieldNames => Fields.Select(f => f.Name);

    /// <summary>Reads the schema (JSON text, already built from a hashtable or a type). It must describe an
    /// object with at least one property: those are the columns.</summary>
    public static TypedColumnSchema Parse(string schemaJson)
    {
        string json = Prompting.JsonSchemaBuilder.Normalize(schemaJson);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object || !props.EnumerateObject().Any())
            throw new ClaudeException(new ClaudeError("ClaudePS.InvalidSchema", ClaudeErrorCategory.InvalidArgument,
                "-JsonSchema: a batch turns the schema's top-level properties into columns, and this schema has none. " +
                "Give an object schema, e.g. @{ type = 'object'; properties = @{ Category = @{ type = 'string' } }; required = @('Category') }."));
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
            foreach (var r in req.EnumerateArray()) if (r.ValueKind == JsonValueKind.String) required.Add(r.GetString()!);
        var fields = new List<Field>();
        foreach (var p in props.EnumerateObject())
            fields.Add(new Field(p.Name, TypesOf(p.Value), AllowedOf(p.Value), required.Contains(p.Name)));
        bool closed = root.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False;
        return new TypedColumnSchema(json, fields, closed);
    }

    private static IReadOnlyCollection<string> TypesOf(JsonElement schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        if (schema.ValueKind != JsonValueKind.Object) return types;
        if (schema.TryGetProperty("type", out var t))
        {
            if (t.ValueKind == JsonValueKind.String) types.Add(t.GetString()!);
            else if (t.ValueKind == JsonValueKind.Array)
                foreach (var x in t.EnumerateArray()) if (x.ValueKind == JsonValueKind.String) types.Add(x.GetString()!);
        }
        foreach (var combinator in new[] { "anyOf", "oneOf" })
            if (schema.TryGetProperty(combinator, out var branches) && branches.ValueKind == JsonValueKind.Array)
                foreach (var b in branches.EnumerateArray())
                {
                    var inner = TypesOf(b);
                    if (inner.Count == 0) return new HashSet<string>(); // an untyped branch: anything goes
                    types.UnionWith(inner);
                }
        if (types.Count == 0 && schema.TryGetProperty("properties", out _)) types.Add("object");
        if (types.Count == 0 && schema.TryGetProperty("items", out _)) types.Add("array");
        return types;
    }

    private static IReadOnlyList<string>? AllowedOf(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(v => v.GetRawText()).ToList()
            : null;

    /// <summary>The reply's fields as typed column values in schema order, or a ClaudePS.InvalidStructuredOutput
    /// error (carrying the reply as PartialText) naming the first thing that does not fit.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>>? TryProject(string replyText, string? stopReason, out ClaudeError? error)
    {
        error = null;
        string? why = null;
        var columns = new List<KeyValuePair<string, object?>>(Fields.Count);
        try
        {
            using var doc = JsonDocument.Parse(Prompting.StructuredOutput.JsonText(replyText));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) why = $"the reply is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object";
            else
            {
                foreach (var f in Fields)
                {
                    if (!root.TryGetProperty(f.Name, out var v))
                    {
                        if (f.Required) { why = $"the required field '{f.Name}' is missing"; break; }
                        columns.Add(new KeyValuePair<string, object?>(f.Name, null));
                        continue;
                    }
                    if (!TryConvert(f, v, out var value, out why)) break;
                    columns.Add(new KeyValuePair<string, object?>(f.Name, value));
                }
                if (why is null && _closed)
                    foreach (var p in root.EnumerateObject())
                        if (!Fields.Any(f => f.Name == p.Name)) { why = $"it has the field '{p.Name}', which the schema does not allow"; break; }
            }
        }
        catch (JsonException ex)
        {
            why = $"it is not valid JSON ({ex.Message})";
        }
        if (why is null) return columns;
        string hint = stopReason switch
        {
            "max_tokens" => " The reply was cut off at max_tokens: raise -MaxTokens (or the row's MaxTokens).",
            "refusal" => " The model refused the request.",
            _ => "",
        };
        error = new ClaudeError("ClaudePS.InvalidStructuredOutput", ClaudeErrorCategory.InvalidResult,
            $"The reply does not match -JsonSchema: {why}.{hint} The raw reply is in the row's Text column.") { PartialText = replyText };
        return null;
    }

    private static bool TryConvert(Field f, JsonElement v, out object? value, out string? why)
    {
        value = null;
        why = null;
        var types = f.Types;
        bool Allows(string t) => types.Count == 0 || types.Contains(t);
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                if (!Allows("null")) { why = $"'{f.Name}' is null, but the schema asks for {Describe(types)}"; return false; }
                return true;
            case JsonValueKind.String:
                if (!Allows("string")) break;
                value = v.GetString();
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                if (!Allows("boolean")) break;
                value = v.ValueKind == JsonValueKind.True;
                break;
            case JsonValueKind.Number:
                if (Allows("integer") && v.TryGetInt64(out var l)) value = l;
                else if (Allows("number")) value = v.GetDouble();
                else if (types.Contains("integer") && v.TryGetDouble(out var d) && Math.Floor(d) == d && Math.Abs(d) < 9.2e18) value = (long)d; // 3.0 is an integer
                break;
            case JsonValueKind.Object:
                if (!Allows("object")) break;
                value = Compact(v);
                break;
            case JsonValueKind.Array:
                if (!Allows("array")) break;
                value = Compact(v);
                break;
        }
        if (value is null)
        {
            why = $"'{f.Name}' is a JSON {Kind(v)}, but the schema asks for {Describe(types)}";
            return false;
        }
        if (f.Allowed is { } allowed && !allowed.Contains(v.GetRawText(), StringComparer.Ordinal))
        {
            why = $"'{f.Name}' is {v.GetRawText()}, which is not one of {string.Join(", ", allowed)}";
            return false;
        }
        return true;
    }

    // Nested objects and arrays as compact JSON text: a CSV cell holds one line.
    private static string Compact(JsonElement e)
    {
        using var buffer = new System.IO.MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) e.WriteTo(w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => v.TryGetInt64(out _) ? "integer" : "number",
        _ => v.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Describe(IReadOnlyCollection<string> types) =>
        types.Count == 1 ? "a " + types.First() : "one of " + string.Join(", ", types.OrderBy(t => t, StringComparer.Ordinal));

}
