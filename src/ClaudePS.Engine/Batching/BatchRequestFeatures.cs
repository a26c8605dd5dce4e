using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// The structured-output and attachment parts of a batch row's request, done by the same engine code as
/// Invoke-ClaudePrompt (<see cref="PromptFeatures.Apply"/>: attachments loaded and checked by
/// <see cref="Prompting.Attachments"/>, the schema sent as output_config, the request size checked).
/// </summary>
public sealed class BatchRequestFeatures
{
    /// <summary>Column names read for per-row attachments when -AttachmentColumn is not given.</summary>
    public static readonly string[] DefaultAttachmentColumns = { "Attachment", "Attachments" };

    private readonly string? _attachmentColumn;

    internal BatchRequestFeatures(BatchOptions options)
    {
        Schema = options.JsonSchema is { } json ? TypedColumnSchema.Parse(json) : null;
        _attachmentColumn = options.AttachmentColumn;
        SchemaTokens = BatchRequestBuilder.EstimateTokens(Schema?.Json);
    }

    internal TypedColumnSchema? Schema { get; }
    /// <summary>Estimated tokens the schema adds to every request (it is part of the shared prefix).</summary>
    internal long SchemaTokens { get; }

    /// <summary>Adds the row's attachments (before the prompt, as Invoke-ClaudePrompt does) and the schema to
    /// <paramref name="request"/>. Returns the error that fails the row before sending, or null;
    /// <paramref name="hashPart"/> is what the checkpoint hash must also cover (schema, each file's path,
    /// size and time) and <paramref name="extraTokens"/> the estimated tokens added.</summary>
    internal ClaudeError? Apply(MessageRequest request, BatchRow row, string rowId, string prompt, out string hashPart, out long extraTokens)
    {
        hashPart = "";
        extraTokens = SchemaTokens;
        var paths = row.AttachmentPaths;
        if (paths is null)
        {
            if (AttachmentPathsOf(row, _attachmentColumn, out var missing) is not { } raw)
                return new ClaudeError("ClaudePS.BatchAttachmentColumnMissing", ClaudeErrorCategory.InvalidData,
                    $"Row {rowId} has no column '{missing}', which -AttachmentColumn names. Add the column (it may be empty) or fix -AttachmentColumn.") { Target = row.Original };
            paths = raw.ConvertAll(p => Path.GetFullPath(p));
        }
        if (paths.Count == 0 && Schema is null) return null;
        var options = new PromptOptions { Prompt = prompt, Attachments = paths, JsonSchema = Schema?.Json, AutoCacheBreakpoints = false };
        try { PromptFeatures.Apply(request, options); }
        catch (ClaudeException ex)
        {
            var e = ex.Error;
            return new ClaudeError(e.ErrorId, e.Category, $"Row {rowId}: {e.Message}") { Target = row.Original, Cause = ex };
        }
        foreach (var b in request.Messages[request.Messages.Count - 1].Content)
            if (b.Type is "image" or "document") extraTokens += PromptCaching.EstimateTokens(b);
        var sb = new StringBuilder();
        if (Schema is not null) sb.Append('\u0000').Append(Schema.Json);
        foreach (var p in paths)
        {
            var info = new FileInfo(p);
            sb.Append('\u0000').Append(p).Append('|').Append(info.Length.ToString(CultureInfo.InvariantCulture))
              .Append('|').Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture));
        }
        hashPart = sb.ToString();
        return null;
    }

    /// <summary>Drops the attachments' base64 data from a request that has been serialised for a Message
    /// Batch: its row waits for the batch to end (hours, maybe), and the data is not needed again.</summary>
    internal static void ReleaseAttachments(MessageRequest request)
    {
        foreach (var m in request.Messages) m.Content.RemoveAll(b => b.Type is "image" or "document");
    }

    /// <summary>
    /// The attachment paths a row names, unresolved: the column <paramref name="column"/> (or Attachment /
    /// Attachments when null) holds one path, several separated by ';', or an array of paths. Empty when
    /// the row has no such column (or it is blank); null when a named <paramref name="column"/> is absent.
    /// </summary>
    public static List<string>? AttachmentPathsOf(BatchRow row, string? column, out string? missingColumn)
    {
        missingColumn = null;
        var result = new List<string>();
        object? value = null;
        bool found = false;
        if (column is not null)
        {
            found = row.TryGet(column, out value);
            if (!found) { missingColumn = column; return null; }
        }
        else
        {
            foreach (var name in DefaultAttachmentColumns)
                if (row.TryGet(name, out value)) { found = true; break; }
        }
        if (!found || value is null) return result;
        if (value is string s) Split(s, result);
        else if (value is IEnumerable items)
        {
            foreach (var item in items)
                if (BatchRow.ToText(item) is { } text) Split(text, result);
        }
        else if (BatchRow.ToText(value) is { } text) Split(text, result);
        return result;

        static void Split(string text, List<string> into)
        {
            foreach (var part in text.Split(';'))
                if (part.Trim() is { Length: > 0 } p) into.Add(p);
        }
    }
}
