using System;
using System.Collections;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Prompting;

namespace ClaudePS.Hosting;

/// <summary>-JsonSchema / -OutputType as schema text (every cmdlet that takes them) and as typed columns (the batch cmdlets).</summary>
internal static class SchemaParameters
{
    /// <summary>The schema text for the two parameters, or null when neither was given.</summary>
    public static string? SchemaText(object? jsonSchema, Type? outputType)
    {
        if (jsonSchema is not null && outputType is not null)
            throw new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument,
                "-OutputType and -JsonSchema both describe the reply's shape; give only one."));
        if (outputType is not null) return JsonSchemaBuilder.FromType(outputType);
        return jsonSchema switch
        {
            null => null,
            _ when PSValues.Unwrap(jsonSchema) is string text => text,
            _ when PSValues.Unwrap(jsonSchema) is IDictionary dict => JsonSchemaBuilder.FromDictionary(dict),
            _ => throw new ClaudeException(new ClaudeError("ClaudePS.InvalidSchema", ClaudeErrorCategory.InvalidArgument,
                "-JsonSchema takes JSON text or a hashtable; it was a " + jsonSchema.GetType().Name + ".")),
        };
    }

    /// <summary>How a batch cmdlet lays out the typed columns of <paramref name="schemaText"/> (null: none).</summary>
    public static TypedColumnLayout? ColumnLayout(string? schemaText, Type? outputType) =>
        schemaText is null ? null : new TypedColumnLayout(TypedColumnSchema.Parse(schemaText).FieldNames, outputType);
}
