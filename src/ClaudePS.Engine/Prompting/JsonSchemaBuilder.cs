using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Prompting;

/// <summary>
/// Produces the JSON schema text for structured output: from a dictionary (a PowerShell hashtable the
/// cmdlet has unwrapped) or from a .NET type by reflection (PowerShell classes are ordinary runtime types).
/// </summary>
public static class JsonSchemaBuilder
{
    /// <summary>Serialises a dictionary tree as JSON: dictionaries become objects, other enumerables
    /// arrays, enums their names; keys keep their order (an [ordered] hashtable stays ordered).</summary>
    public static string FromDictionary(IDictionary schema)
    {
        if (schema is null) throw new ArgumentNullException(nameof(schema));
        return Write(w => WriteValue(w, schema, depth: 0));
    }

    /// <summary>Checks that <paramref name="json"/> is a JSON object and returns it compacted.</summary>
    public static string Normalize(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid("-JsonSchema must be a JSON object (for example '{\"type\":\"object\",\"properties\":{...}}').");
            return doc.RootElement.GetRawText();
        }
        catch (JsonException ex)
        {
            throw Invalid($"-JsonSchema is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>A JSON schema for <paramref name="type"/>: public readable and writable instance properties,
    /// all required; nested classes inline; no additional properties (what strict structured output wants).
    /// Nullable value types may be null; reference types are expected to be filled.</summary>
    public static string FromType(Type type)
    {
        if (type is null) throw new ArgumentNullException(nameof(type));
        return Write(w => WriteTypeSchema(w, type, new Stack<Type>(), root: true));
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) body(w);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter w, object? value, int depth)
    {
        if (depth > 64) throw Invalid("-JsonSchema is nested more than 64 levels deep (a hashtable that contains itself?).");
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case char c: w.WriteStringValue(c.ToString()); break;
            case bool b: w.WriteBooleanValue(b); break;
            case Enum e: w.WriteStringValue(e.ToString()); break;
            case byte or sbyte or short or ushort or int or uint or long:
                w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong ul: w.WriteNumberValue(ul); break;
            case float or double: w.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            case decimal m: w.WriteNumberValue(m); break;
            case Type t: w.WriteStringValue(JsonTypeName(t)); break;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(w, entry.Value, depth + 1);
                }
                w.WriteEndObject();
                break;
            case IEnumerable items:
                w.WriteStartArray();
                foreach (var item in items) WriteValue(w, item, depth + 1);
                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    // A [type] literal in a hashtable schema (@{ type = [string] }) means its JSON type name.
    private static string JsonTypeName(Type t) => Primitive(t) is { } p ? p.Type : "object";

    private static void WriteTypeSchema(Utf8JsonWriter w, Type type, Stack<Type> path, bool root = false, string? description = null)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            w.WriteStartObject();
            if (description is not null) w.WriteString("description", description);
            w.WriteStartArray("anyOf");
            WriteTypeSchema(w, underlying, path);
            w.WriteStartObject();
            w.WriteString("type", "null");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }
        if (type.IsEnum)
        {
            w.WriteStartObject();
            w.WriteString("type", "string");
            if (description is not null) w.WriteString("description", description);
            w.WriteStartArray("enum");
            foreach (var name in Enum.GetNames(type)) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }
        if (Primitive(type) is { } primitive)
        {
            if (root) throw Invalid($"-OutputType [{type.Name}] is a single value; structured output needs a class with properties. Wrap it in a class.");
            w.WriteStartObject();
            w.WriteString("type", primitive.Type);
            if (primitive.Format is not null) w.WriteString("format", primitive.Format);
            if (description is not null) w.WriteString("description", description);
            w.WriteEndObject();
            return;
        }
        if (ElementType(type) is { } element)
        {
            if (root) throw Invalid($"-OutputType [{type.Name}] is a collection; structured output needs a class at the top. Give a class with a list property.");
            w.WriteStartObject();
            w.WriteString("type", "array");
            if (description is not null) w.WriteString("description", description);
            w.WritePropertyName("items");
            WriteTypeSchema(w, element, path);
            w.WriteEndObject();
            return;
        }
        if (type == typeof(object) && !root)
        {
            // An untyped property (a PowerShell class's plain $Name is [object]) is asked for as text.
            w.WriteStartObject();
            w.WriteString("type", "string");
            if (description is not null) w.WriteString("description", description);
            w.WriteEndObject();
            return;
        }
        if (type == typeof(object) || typeof(IDictionary).IsAssignableFrom(type))
            throw Invalid($"-OutputType: [{type.Name}] has no fixed shape; give a class with typed properties instead of object or hashtable.");
        if (path.Contains(type))
            throw Invalid($"-OutputType: [{type.Name}] refers to itself through its properties; structured output needs a finite shape.");

        path.Push(type);
        var properties = SchemaProperties(type);
        if (properties.Count == 0)
            throw Invalid($"-OutputType: [{type.Name}] has no public properties with a getter and a setter.");
        w.WriteStartObject();
        w.WriteString("type", "object");
        if ((description ?? Description(type)) is { } typeDescription) w.WriteString("description", typeDescription);
        w.WriteStartObject("properties");
        foreach (var p in properties)
        {
            w.WritePropertyName(p.Name);
            if (p.PropertyType == typeof(string) && AllowedValues(p) is { } allowed)
            {
                w.WriteStartObject();
                w.WriteString("type", "string");
                if (Description(p) is { } d) w.WriteString("description", d);
                w.WriteStartArray("enum");
                foreach (var v in allowed) w.WriteStringValue(v);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            else WriteTypeSchema(w, p.PropertyType, path, description: Description(p));
        }
        w.WriteEndObject();
        w.WriteStartArray("required");
        foreach (var p in properties) w.WriteStringValue(p.Name);
        w.WriteEndArray();
        w.WriteBoolean("additionalProperties", false);
        w.WriteEndObject();
        path.Pop();
    }

    /// <summary>The properties that take part: public, instance, readable, writable, not indexers, not hidden.</summary>
    internal static List<PropertyInfo> SchemaProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0 && p.GetSetMethod() is not null
                        && !p.GetCustomAttributes(true).Any(a => a.GetType().Name is "HiddenAttribute" or "JsonIgnoreAttribute"))
            .OrderBy(p => p.MetadataToken)
            .ToList();

    private static (string Type, string? Format)? Primitive(Type t)
    {
        if (t == typeof(string) || t == typeof(char)) return ("string", null);
        if (t == typeof(bool)) return ("boolean", null);
        if (t == typeof(byte) || t == typeof(sbyte) || t == typeof(short) || t == typeof(ushort) || t == typeof(int) ||
            t == typeof(uint) || t == typeof(long) || t == typeof(ulong)) return ("integer", null);
        if (t == typeof(float) || t == typeof(double) || t == typeof(decimal)) return ("number", null);
        if (t == typeof(DateTime) || t == typeof(DateTimeOffset)) return ("string", "date-time");
        if (t == typeof(Guid)) return ("string", "uuid");
        if (t == typeof(Uri)) return ("string", "uri");
        if (t == typeof(TimeSpan)) return ("string", null);
        return null;
    }

    private static Type? ElementType(Type t)
    {
        if (t == typeof(string)) return null;
        if (t.IsArray) return t.GetElementType();
        if (t.IsGenericType && t.GetGenericArguments().Length == 1 && typeof(IEnumerable).IsAssignableFrom(t) && !typeof(IDictionary).IsAssignableFrom(t))
            return t.GetGenericArguments()[0];
        return null;
    }

    // PowerShell's [ValidateSet(...)] on a string property, matched by name (the engine does not reference
    // System.Management.Automation): the set becomes the schema's enum.
    private static IReadOnlyList<string>? AllowedValues(PropertyInfo p)
    {
        foreach (var a in p.GetCustomAttributes(true))
            if (a.GetType().Name == "ValidateSetAttribute" && a.GetType().GetProperty("ValidValues")?.GetValue(a) is IEnumerable values)
            {
                var list = values.Cast<object>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToList();
                if (list.Count > 0) return list;
            }
        return null;
    }

    // System.ComponentModel.DescriptionAttribute, matched by name so PowerShell classes can use it too.
    private static string? Description(MemberInfo member)
    {
        foreach (var a in member.GetCustomAttributes(true))
            if (a.GetType().Name == "DescriptionAttribute" && a.GetType().GetProperty("Description")?.GetValue(a) is string { Length: > 0 } d)
                return d;
        return null;
    }

    private static ClaudeException Invalid(string message) =>
        new(new ClaudeError("ClaudePS.InvalidSchema", ClaudeErrorCategory.InvalidArgument, message));
}
