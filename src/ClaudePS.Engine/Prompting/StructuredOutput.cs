using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClaudePS.Engine.Prompting;

/// <summary>
/// Structured output (-JsonSchema / -OutputType): the schema a request sends and the parsing of the
/// reply text into <see cref="ClaudeResponse.Data"/>. A reply that does not parse is an error that
/// carries the raw text, never a silent null.
/// </summary>
public static class StructuredOutput
{
    private static readonly JsonSerializerOptions TypedOptions = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        o.Converters.Add(new PlainObjectConverter());
        return o;
    }

    /// <summary>Fills [object] properties with plain values (string, long, double, bool, lists, dictionaries)
    /// instead of System.Text.Json's JsonElement, which must never reach users.</summary>
    private sealed class PlainObjectConverter : JsonConverter<object>
    {
        public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            return Plain(doc.RootElement);
        }

        private static object? Plain(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var d = new System.Collections.Generic.Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                    foreach (var p in e.EnumerateObject()) d[p.Name] = Plain(p.Value);
                    return d;
                case JsonValueKind.Array:
                    var list = new System.Collections.Generic.List<object?>();
                    foreach (var item in e.EnumerateArray()) list.Add(Plain(item));
                    return list;
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number: return e.TryGetInt64(out var l) ? (object)l : e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }

    /// <summary>The schema to send for the options, or null when no structured output was asked for.</summary>
    public static string? SchemaFor(PromptOptions options)
    {
        if (options.OutputType is not null && options.JsonSchema is not null)
            throw new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument,
                "-OutputType and -JsonSchema both describe the reply's shape; give only one."));
        if (options.OutputType is { } type) return JsonSchemaBuilder.FromType(type);
        if (options.JsonSchema is { } schema) return JsonSchemaBuilder.Normalize(schema);
        return null;
    }

    /// <summary>The reply text deserialised into <paramref name="type"/> (properties matched case-insensitively).</summary>
    public static object Parse(ClaudeResponse response, Type type)
    {
        try
        {
            return JsonSerializer.Deserialize(JsonText(response.Text), type, TypedOptions) ?? throw Unparsable(response, "the reply was JSON null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Unparsable(response, $"it does not fit [{type.Name}]: {ex.Message}", ex);
        }
    }

    /// <summary>The reply text as a plain tree (<see cref="Wire.JsonTree"/>): ordered key/value lists, lists, scalars.</summary>
    public static object? ParseTree(ClaudeResponse response)
    {
        try
        {
            return Wire.JsonTree.Parse(JsonText(response.Text));
        }
        catch (JsonException ex)
        {
            throw Unparsable(response, $"it is not valid JSON: {ex.Message}", ex);
        }
    }

    // Tolerate a model that fenced its JSON in a markdown code block; nothing else is rewritten.
    internal static string JsonText(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("```", StringComparison.Ordinal) && t.EndsWith("```", StringComparison.Ordinal) && t.Length >= 6)
        {
            int firstLine = t.IndexOf('\n');
            if (firstLine > 0) t = t.Substring(firstLine + 1, t.Length - firstLine - 4).Trim();
        }
        return t;
    }

    private static ClaudeException Unparsable(ClaudeResponse response, string why, Exception? inner = null)
    {
        string hint = response.StopReason switch
        {
            "max_tokens" => " The reply was cut off at max_tokens: raise -MaxTokens.",
            "refusal" => " The model refused the request.",
            _ => "",
        } + " The raw reply is on the error's PartialText ($err.Exception.Error.PartialText).";
        return new ClaudeException(new ClaudeError("ClaudePS.InvalidStructuredOutput", ClaudeErrorCategory.InvalidResult,
            $"The reply could not be read as structured output: {why}.{hint}")
        {
            RequestId = response.RequestId,
            PartialText = response.Text,
            PartialUsage = response.Usage,
        }, inner);
    }
}
