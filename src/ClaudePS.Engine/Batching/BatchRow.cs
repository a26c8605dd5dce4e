using System;
using System.Collections.Generic;
using System.Globalization;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// One input row, free of PowerShell types: its columns in order (the cmdlet reads them from the
/// PSObject's properties) and the original object, kept opaque so output and errors can point at it.
/// </summary>
public sealed class BatchRow
{
    public BatchRow(IReadOnlyList<KeyValuePair<string, object?>> columns, object? original = null)
    {
        Columns = columns ?? throw new ArgumentNullException(nameof(columns));
        Original = original;
    }

    public IReadOnlyList<KeyValuePair<string, object?>> Columns { get; }
    public object? Original { get; }
    /// <summary>The row's attachments as resolved file paths (the cmdlet resolves them against the current
    /// PowerShell location); null to read the attachment column here, relative to the process directory.</summary>
    public IReadOnlyList<string>? AttachmentPaths { get; set; }

    /// <summary>A row made from a bare prompt string (-Prompt or a piped string).</summary>
    public static BatchRow FromPrompt(string prompt) =>
        new(new[] { new KeyValuePair<string, object?>("Prompt", prompt) }, prompt);

    /// <summary>The value of the column <paramref name="name"/> (case-insensitive, like PowerShell).</summary>
    public bool TryGet(string name, out object? value)
    {
        foreach (var c in Columns)
            if (string.Equals(c.Key, name, StringComparison.OrdinalIgnoreCase)) { value = c.Value; return true; }
        value = null;
        return false;
    }

    /// <summary>The column's value as text; null when absent, null or blank.</summary>
    public string? GetText(string name) =>
        TryGet(name, out var v) && ToText(v) is { } s && s.Trim().Length > 0 ? s : null;

    internal static string? ToText(object? value) => value switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
