using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaudePS.Emulator;

/// <summary>
/// Builds a deterministic JSON value that is valid against a JSON schema (the subset structured
/// outputs and tool input schemas use): type (or a list of types), object/properties/required,
/// array/items/minItems/maxItems, enum, const, string formats and lengths, number/integer bounds,
/// boolean, null, anyOf/oneOf (first usable branch), allOf (merged objects) and local $ref.
/// </summary>
public static class SchemaFaker
{
    private const int MaxDepth = 12;

    /// <summary>A value for <paramref name="schema"/>; <paramref name="words"/> flavour the strings.</summary>
    public static JsonNode? Generate(JsonElement schema, IReadOnlyList<string>? words = null)
    {
        var faker = new Walker(schema, words ?? Array.Empty<string>());
        return faker.Value(schema, "value", 0);
    }

    private sealed class Walker
    {
        private readonly JsonElement _root;
        private readonly IReadOnlyList<string> _words;
        private int _wordIndex;

        public Walker(JsonElement root, IReadOnlyList<string> words)
        {
            _root = root;
            _words = words;
        }

        public JsonNode? Value(JsonElement schema, string name, int depth)
        {
            if (schema.ValueKind == JsonValueKind.True || schema.ValueKind != JsonValueKind.Object) return JsonValue.Create(name);
            if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
                return depth > MaxDepth ? null : Value(Resolve(reference.GetString()!), name, depth + 1);
            if (schema.TryGetProperty("const", out var constant)) return JsonNode.Parse(constant.GetRawText());
            if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
                return JsonNode.Parse(values[0].GetRawText());
            foreach (string combinator in new[] { "anyOf", "oneOf" })
            {
                if (schema.TryGetProperty(combinator, out var branches) && branches.ValueKind == JsonValueKind.Array && branches.GetArrayLength() > 0)
                {
                    var branch = branches.EnumerateArray().FirstOrDefault(b => !IsNullOnly(b));
                    return Value(branch.ValueKind == JsonValueKind.Undefined ? branches[0] : branch, name, depth + 1);
                }
            }
            if (schema.TryGetProperty("allOf", out var parts) && parts.ValueKind == JsonValueKind.Array)
            {
                var merged = new JsonObject();
                JsonNode? last = null;
                foreach (var part in parts.EnumerateArray())
                {
                    last = Value(part, name, depth + 1);
                    if (last is JsonObject obj)
                        foreach (var pair in obj.ToList()) { obj.Remove(pair.Key); merged[pair.Key] = pair.Value; }
                }
                return merged.Count > 0 ? merged : last;
            }

            switch (TypeOf(schema))
            {
                case "object": return ObjectValue(schema, depth);
                case "array": return ArrayValue(schema, name, depth);
                case "integer": return JsonValue.Create(IntegerValue(schema));
                case "number": return JsonValue.Create(NumberValue(schema));
                case "boolean": return JsonValue.Create(true);
                case "null": return null;
                default: return JsonValue.Create(StringValue(schema, name));
            }
        }

        private JsonObject ObjectValue(JsonElement schema, int depth)
        {
            var result = new JsonObject();
            if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object) return result;
            var required = schema.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array
                ? req.EnumerateArray().Select(r => r.GetString()).ToHashSet()
                : new HashSet<string?>();
            foreach (var property in properties.EnumerateObject())
            {
                // Deep in a recursive schema only required properties are filled, so generation ends.
                if (depth > MaxDepth / 2 && !required.Contains(property.Name)) continue;
                result[property.Name] = Value(property.Value, property.Name, depth + 1);
            }
            return result;
        }

        private JsonArray ArrayValue(JsonElement schema, string name, int depth)
        {
            int min = Int(schema, "minItems") ?? 0;
            int max = Int(schema, "maxItems") ?? int.MaxValue;
            int count = depth > MaxDepth ? min : Math.Min(Math.Max(min, 2), max);
            var array = new JsonArray();
            schema.TryGetProperty("items", out var items);
            var prefix = schema.TryGetProperty("prefixItems", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().ToList() : new List<JsonElement>();
            for (int i = 0; i < count; i++)
            {
                var itemSchema = i < prefix.Count ? prefix[i] : items;
                var value = Value(itemSchema, name, depth + 1);
                // uniqueItems: make repeated scalar strings distinct.
                if (i > 0 && value is JsonValue v && v.TryGetValue<string>(out var s)) value = JsonValue.Create(s + " " + (i + 1).ToString(CultureInfo.InvariantCulture));
                else if (i > 0 && value is JsonValue n && n.TryGetValue<long>(out var l) && (Int(itemSchema, "maximum") ?? long.MaxValue) >= l + i) value = JsonValue.Create(l + i);
                array.Add(value);
            }
            return array;
        }

        private static long IntegerValue(JsonElement schema)
        {
            long min = (long?)Num(schema, "minimum") ?? long.MinValue;
            if (Num(schema, "exclusiveMinimum") is double em) min = Math.Max(min, (long)Math.Floor(em) + 1);
            long max = (long?)Num(schema, "maximum") ?? long.MaxValue;
            if (Num(schema, "exclusiveMaximum") is double eM) max = Math.Min(max, (long)Math.Ceiling(eM) - 1);
            long value = Math.Clamp(1, min, Math.Max(min, max));
            return value;
        }

        private static double NumberValue(JsonElement schema)
        {
            double min = Num(schema, "minimum") ?? double.MinValue;
            double max = Num(schema, "maximum") ?? double.MaxValue;
            if (Num(schema, "exclusiveMinimum") is double em) min = Math.Max(min, em + 0.5);
            if (Num(schema, "exclusiveMaximum") is double eM) max = Math.Min(max, eM - 0.5);
            return Math.Clamp(1.5, min, Math.Max(min, max));
        }

        private string StringValue(JsonElement schema, string name)
        {
            string? format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
            string value = format switch
            {
                "date-time" => "2026-01-15T09:30:00Z",
                "date" => "2026-01-15",
                "time" => "09:30:00",
                "email" => "user@example.com",
                "uuid" => "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
                "uri" or "url" => "https://example.com/",
                "hostname" => "example.com",
                "ipv4" => "192.0.2.1",
                "ipv6" => "2001:db8::1",
                _ => _words.Count > 0 ? $"{name} {_words[_wordIndex++ % _words.Count]}" : $"{name} example",
            };
            int minLength = Int(schema, "minLength") ?? 0;
            int maxLength = Int(schema, "maxLength") ?? int.MaxValue;
            if (value.Length > maxLength) value = value[..maxLength];
            if (value.Length < minLength) value = value.PadRight(minLength, 'x');
            return value;
        }

        private static string TypeOf(JsonElement schema)
        {
            if (schema.TryGetProperty("type", out var type))
            {
                if (type.ValueKind == JsonValueKind.String) return type.GetString()!;
                if (type.ValueKind == JsonValueKind.Array)
                    return type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "null";
            }
            if (schema.TryGetProperty("properties", out _)) return "object";
            if (schema.TryGetProperty("items", out _)) return "array";
            return "string";
        }

        private static bool IsNullOnly(JsonElement schema) =>
            schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out var t) &&
            t.ValueKind == JsonValueKind.String && t.GetString() == "null";

        private JsonElement Resolve(string reference)
        {
            if (reference == "#") return _root;
            if (!reference.StartsWith("#/", StringComparison.Ordinal)) return default;
            var current = _root;
            foreach (var part in reference[2..].Split('/'))
            {
                string key = part.Replace("~1", "/").Replace("~0", "~");
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(key, out current)) return default;
            }
            return current;
        }

        private static int? Int(JsonElement schema, string name) =>
            schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.Number && el.TryGetInt32(out int v) ? v : null;

        private static double? Num(JsonElement schema, string name) =>
            schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.Number ? el.GetDouble() : null;
    }
}
