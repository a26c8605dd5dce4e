using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// The -CheckpointPath file: one JSON line per finished (succeeded) row, appended and flushed to disk
/// as the row completes. A rerun skips rows it holds and replays their results. Failed rows are not
/// recorded, so a rerun tries them again. It holds row ids, a hash of each row's request, the reply
/// text and usage: never prompts, credentials or headers.
///
/// Crash safety: each record is one write of a whole line followed by a flush to disk. A kill at any
/// moment leaves at most one torn last line; loading ignores it (and reports it), and the next append
/// is written where the torn one began. The file is opened for writing by one process at a time.
/// </summary>
internal sealed class BatchCheckpoint : IDisposable
{
    private const int FormatVersion = 1;
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly FileStream _writer;
    private readonly FileStream _reader;

    private readonly struct Entry
    {
        public Entry(string hash, long offset, int length) { Hash = hash; Offset = offset; Length = length; }
        public string Hash { get; }
        public long Offset { get; }
        public int Length { get; }
    }

    private BatchCheckpoint(string path, FileStream writer, FileStream reader)
    {
        Path = path;
        _writer = writer;
        _reader = reader;
    }

    public string Path { get; }
    public int Count { get { lock (_gate) return _entries.Count; } }
    /// <summary>Lines that could not be read when the file was opened (a torn tail after a crash).</summary>
    public int UnreadableLines { get; private set; }
    public bool TornTail { get; private set; }

    public static BatchCheckpoint Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        FileStream writer;
        try
        {
            writer = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.BatchCheckpointInUse", ClaudeErrorCategory.ResourceBusy,
                $"The checkpoint '{full}' could not be opened for writing: {ex.Message} Another batch may be using it; wait for it or pick another -CheckpointPath."), ex);
        }
        var reader = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.RandomAccess);
        var checkpoint = new BatchCheckpoint(full, writer, reader);
        checkpoint.Load();
        return checkpoint;
    }

    private void Load()
    {
        _writer.Position = 0;
        long offset = 0;
        var line = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = _writer.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, start, i - start);
                AddLine(line.GetBuffer(), (int)line.Length, offset, complete: true);
                offset += line.Length + 1;
                line.SetLength(0);
                start = i + 1;
            }
            line.Write(buffer, start, n - start);
        }
        if (line.Length > 0)
        {
            // No newline at the end: the last write was cut short (kill -9, power loss). Cut the torn
            // record off so the file is whole again; its row is simply sent again.
            TornTail = true;
            UnreadableLines++;
            _writer.SetLength(offset);
            _writer.Flush(flushToDisk: true);
        }
        _writer.Position = _writer.Length;
    }

    private void AddLine(byte[] bytes, int length, long offset, bool complete)
    {
        if (length == 0) return;
        try
        {
            var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(bytes, 0, length));
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (!root.TryGetProperty("id", out var id) || !root.TryGetProperty("hash", out var hash)) { UnreadableLines++; return; }
            _entries[id.GetString() ?? ""] = new Entry(hash.GetString() ?? "", offset, length);
        }
        catch (JsonException)
        {
            // A torn line in the middle can only come from an older crash followed by appends; skip it.
            UnreadableLines++;
            if (!complete) TornTail = true;
        }
    }

    public enum Lookup { NotFound, Match, Mismatch }

    public Lookup Find(string rowId, string? contentHash)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(rowId, out var e)) return Lookup.NotFound;
            return string.Equals(e.Hash, contentHash, StringComparison.Ordinal) ? Lookup.Match : Lookup.Mismatch;
        }
    }

    /// <summary>The stored result of <paramref name="rowId"/>, rebuilt onto the row's columns.</summary>
    /// <remarks>With a schema the typed columns are rebuilt from the stored reply JSON (the record's hash
    /// covers the schema, so it is the schema the reply was checked against).</remarks>
    public ClaudeBatchResult Replay(string rowId, BatchRow row, long number, TypedColumnSchema? schema = null)
    {
        byte[] bytes;
        lock (_gate)
        {
            var e = _entries[rowId];
            bytes = new byte[e.Length];
            _reader.Position = e.Offset;
            int read = 0;
            while (read < bytes.Length)
            {
                int n = _reader.Read(bytes, read, bytes.Length - read);
                if (n == 0) break;
                read += n;
            }
        }
        using var doc = JsonDocument.Parse(bytes);
        var r = doc.RootElement;
        string text = Str(r, "text") ?? "";
        return new ClaudeBatchResult
        {
            Fields = schema?.TryProject(text, null, out _) ?? Array.Empty<KeyValuePair<string, object?>>(),
            Columns = row.Columns, Input = row.Original, RowId = rowId, RowNumber = number,
            Status = ClaudeBatchRowStatus.Succeeded,
            Text = text,
            Model = Str(r, "model"),
            StopReason = Str(r, "stop"),
            RequestId = Str(r, "req"),
            BatchId = Str(r, "batch"),
            CustomId = Str(r, "custom"),
            Usage = new ClaudeUsage
            {
                InputTokens = Long(r, "in"), OutputTokens = Long(r, "out"), CacheWriteTokens = Long(r, "cw"),
                CacheWrite1hTokens = Long(r, "cw1h"), CacheReadTokens = Long(r, "cr"),
            },
            CostUsd = r.TryGetProperty("cost", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDecimal() : null,
            FromCheckpoint = true,
        };
    }

    /// <summary>Records a succeeded row durably (one write, then a flush to disk).</summary>
    public void Append(ClaudeBatchResult result, string contentHash)
    {
        using var buffer = new MemoryStream(256 + result.Text.Length * 2);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", FormatVersion);
            w.WriteString("id", result.RowId);
            w.WriteString("hash", contentHash);
            w.WriteString("status", result.Status.ToString());
            w.WriteString("t", DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture));
            if (result.Model is not null) w.WriteString("model", result.Model);
            if (result.StopReason is not null) w.WriteString("stop", result.StopReason);
            if (result.RequestId is not null) w.WriteString("req", result.RequestId);
            if (result.BatchId is not null) w.WriteString("batch", result.BatchId);
            if (result.CustomId is not null) w.WriteString("custom", result.CustomId);
            w.WriteNumber("in", result.Usage.InputTokens);
            w.WriteNumber("out", result.Usage.OutputTokens);
            w.WriteNumber("cw", result.Usage.CacheWriteTokens);
            w.WriteNumber("cw1h", result.Usage.CacheWrite1hTokens);
            w.WriteNumber("cr", result.Usage.CacheReadTokens);
            if (result.CostUsd is { } cost) w.WriteNumber("cost", cost);
            w.WriteString("text", result.Text);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            long offset = _writer.Length;
            _writer.Position = offset;
            _writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _writer.Flush(flushToDisk: true);
            _entries[result.RowId] = new Entry(contentHash, offset, (int)buffer.Length - 1);
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
            _reader.Dispose();
        }
    }
}
