using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace ClaudePS.Hosting;

/// <summary>
/// Where -JsonSchema / -OutputType columns go on an Invoke-ClaudeBatch row: after the input's own columns,
/// before ClaudePS's own (Text, Status, ...). Every row gets every field, empty on a failed row, so
/// Export-Csv writes the same header for all. A field whose name is already an input column or one of
/// ClaudePS's own columns is written as Claude_&lt;name&gt;. With -OutputType, scalar values are converted
/// to the class's property types (an [int] property gives Int32, [decimal] Decimal, an enum its value).
/// </summary>
internal sealed class TypedColumnLayout
{
    /// <summary>The columns ClaudePS adds to every row (BatchRowAdapter.ToObject).</summary>
    public static readonly string[] OwnColumns =
        { "Text", "Status", "Error", "InputTokens", "OutputTokens", "CacheReadTokens", "CacheWriteTokens", "CostUsd", "Model", "RowId", "RequestId", "BatchId", "CustomId" };
    public const string CollisionPrefix = "Claude_";

    private readonly IReadOnlyList<string> _fields;
    private readonly Type? _outputType;

    public TypedColumnLayout(IEnumerable<string> fields, Type? outputType)
    {
        _fields = new List<string>(fields);
        _outputType = outputType;
    }

    public void AddColumns(PSObject o, ClaudePS.ClaudeBatchResult r, HashSet<string> names)
    {
        foreach (var field in _fields)
        {
            object? value = null;
            foreach (var kv in r.Fields)
                if (kv.Key == field) { value = Convert(field, kv.Value); break; }
            string name = field;
            while (!IsFree(name, names)) name = CollisionPrefix + name;
            names.Add(name);
            o.Properties.Add(new PSNoteProperty(name, value));
        }
    }

    private static bool IsFree(string name, HashSet<string> names) =>
        !names.Contains(name) && Array.FindIndex(OwnColumns, c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)) < 0;

    private object? Convert(string field, object? value)
    {
        if (value is null || _outputType is null) return value;
        var property = _outputType.GetProperty(field, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null) return value;
        var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (!(target.IsPrimitive || target.IsEnum || target == typeof(decimal) || target == typeof(DateTime) || target == typeof(DateTimeOffset) || target == typeof(Guid)))
            return value; // strings stay strings; nested classes and lists stay compact JSON text
        try { return LanguagePrimitives.ConvertTo(value, target, System.Globalization.CultureInfo.InvariantCulture); }
        catch (PSInvalidCastException) { return value; }
    }
}
