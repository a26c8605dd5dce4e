using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Storage;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// The -CheckpointPath file: a header line saying what the file is, then one JSON line per finished
/// (succeeded) row, appended and flushed to disk as the row completes. A rerun skips rows it holds and
/// replays their results. Failed rows are not recorded, so a rerun tries them again. It holds row ids,
/// a hash of each row's request, the reply text and usage: never prompts, credentials or headers.
///
/// Ownership: one run at a time holds an exclusive lock on "&lt;checkpoint&gt;.lock" (FileShare.None: a
/// share-mode lock on Windows, flock on Linux and macOS). The OS drops it when the process ends, so a
/// killed run never blocks its resume; the lock file itself stays (deleting it would let two runs lock
/// two different files).
///
/// Safety: a non-empty file whose first line is not the header (nor a record of a checkpoint written
/// before headers existed) is refused and never touched, so a mistyped -CheckpointPath cannot damage
/// user data. Crash safety: each record is one write of a whole line followed by a flush to disk. A kill
/// at any moment leaves at most one torn last line; loading cuts it off (and reports it), and its row is
/// sent again.
/// </summary>
internal sealed class BatchCheckpoint : IDisposable
{
    private const int FormatVersion = 1;
    /// <summary>The first line of every checkpoint this module creates.</summary>
    internal static readonly byte[] Header = Encoding.UTF8.GetBytes("{\"format\":\"ClaudePS.BatchCheckpoint\",\"v\":1}\n");
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly FileStream _file;
    private readonly FileStream _lock;

    private readonly struct Entry
    {
        public Entry(string hash, long offset, int length) { Hash = hash; Offset = offset; Length = length; }
        public string Hash { get; }
        public long Offset { get; }
        public int Length { get; }
    }

    private BatchCheckpoint(string path, FileStream file, FileStream fileLock)
    {
        Path = path;
        _file = file;
        _lock = fileLock;
    }

    public string Path { get; }
    public int Count { get { lock (_gate) return _entries.Count; } }
    /// <summary>Lines that could not be read when the file was opened (a torn tail after a crash).</summary>
    public int UnreadableLines { get; private set; }
    public bool TornTail { get; private set; }

    /// <summary>The lock file that marks <paramref name="checkpoint"/> as owned by a running batch.</summary>
    public static string LockPathFor(string checkpoint) => checkpoint + ".lock";

    public static BatchCheckpoint Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw Unavailable(new UnauthorizedAccessException(), "Opening the checkpoint", full, "Give -CheckpointPath a file name, e.g. .\\batch.ckpt.");
        // Refuse a file that is not a checkpoint before creating anything beside it.
        if (File.Exists(full)) CheckIsCheckpoint(full);
        var dir = System.IO.Path.GetDirectoryName(full);
        FileStream? fileLock = null, file = null;
        try
        {
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            fileLock = TakeLock(full);
            file = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 4096, FileOptions.None);
            var checkpoint = new BatchCheckpoint(full, file, fileLock);
            checkpoint.Load();
            return checkpoint;
        }
        catch (Exception ex) when (FileErrors.IsFileSystemFailure(ex))
        {
            file?.Dispose();
            fileLock?.Dispose();
            throw Unavailable(ex, "Opening the checkpoint", full,
                "Make the file and its folder writable, or give -CheckpointPath a path you can write to.");
        }
        catch
        {
            file?.Dispose();
            fileLock?.Dispose();
            throw;
        }
    }

    private static ClaudeException Unavailable(Exception ex, string action, string path, string nextStep) =>
        FileErrors.Wrap("ClaudePS.BatchCheckpointUnavailable", ex, action, path, nextStep, writing: true);

    private static FileStream TakeLock(string checkpoint)
    {
        string lockPath = LockPathFor(checkpoint);
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException) && File.Exists(lockPath))
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.BatchCheckpointInUse", ClaudeErrorCategory.ResourceBusy,
                $"The checkpoint '{checkpoint}' is in use by another running batch (it holds '{lockPath}'). Nothing was sent. " +
                "Wait for that run to finish (or stop it), then run this command again to resume; or give this run another -CheckpointPath.")
                { Target = checkpoint }, ex);
        }
    }

    /// <summary>Throws ClaudePS.NotACheckpoint unless <paramref name="path"/> is empty, starts with the
    /// header (or a torn piece of it), or starts with a record of a checkpoint written before headers.</summary>
    private static void CheckIsCheckpoint(string path)
    {
        byte[] first;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            first = ReadFirstLine(fs);
        }
        catch (Exception ex) when (FileErrors.IsFileSystemFailure(ex))
        {
            throw FileErrors.Wrap("ClaudePS.BatchCheckpointUnavailable", ex, "Reading the checkpoint", path,
                "Make the file readable, or give -CheckpointPath a path you can read and write.", writing: false);
        }
        if (Classify(first) == Kind.Foreign) throw NotACheckpoint(path);
    }

    private static ClaudeException NotACheckpoint(string path) =>
        new(new ClaudeError("ClaudePS.NotACheckpoint", ClaudeErrorCategory.InvalidData,
            $"-CheckpointPath: '{path}' is not a ClaudePS batch checkpoint (its first line is not a checkpoint header), so it was left unchanged and nothing was sent. " +
            "Check the path (it may be your input file); give -CheckpointPath a new file name, or the path of a checkpoint an earlier Invoke-ClaudeBatch run wrote.")
            { Target = path });

    private enum Kind { Empty, TornHeader, Current, Legacy, Foreign }

    /// <summary>What a file is, from its first line (read up to the first newline, at most 64 KB).</summary>
    private static Kind Classify(byte[] first)
    {
        if (first.Length == 0) return Kind.Empty;
        var header = Header.AsSpan();
        if (first.AsSpan().SequenceEqual(header)) return Kind.Current;
        // A kill while the header was being written leaves a prefix of it and nothing else.
        if (first.Length < header.Length && first[first.Length - 1] != (byte)'\n' && header.StartsWith(first)) return Kind.TornHeader;
        try
        {
            using var doc = JsonDocument.Parse(first);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object &&
                root.TryGetProperty("v", out var v) && v.ValueKind == JsonValueKind.Number &&
                root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String &&
                root.TryGetProperty("hash", out var hash) && hash.ValueKind == JsonValueKind.String)
                return Kind.Legacy;
        }
        catch (JsonException) { }
        return Kind.Foreign;
    }

    private static byte[] ReadFirstLine(Stream s)
    {
        var line = new MemoryStream();
        int b;
        while (line.Length < 64 * 1024 && (b = s.ReadByte()) >= 0)
        {
            line.WriteByte((byte)b);
            if (b == '\n') break;
        }
        return line.ToArray();
    }

    private void Load()
    {
        _file.Position = 0;
        // Checked again under the lock: the file may have changed since the check in Open.
        var kind = Classify(ReadFirstLine(_file));
        switch (kind)
        {
            case Kind.Foreign:
                throw NotACheckpoint(Path);
            case Kind.Empty:
            case Kind.TornHeader:
                _file.SetLength(0);
                _file.Write(Header, 0, Header.Length);
                _file.Flush(flushToDisk: true);
                return;
        }
        _file.Position = 0;
        long offset = 0;
        var line = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = _file.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, start, i - start);
                if (!(offset == 0 && kind == Kind.Current)) AddLine(line.GetBuffer(), (int)line.Length, offset);
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
            _file.SetLength(offset);
            _file.Flush(flushToDisk: true);
        }
        _file.Position = _file.Length;
    }

    private void AddLine(byte[] bytes, int length, long offset)
    {
        if (length == 0) return;
        try
        {
            var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(bytes, 0, length));
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("hash", out var hash) || hash.ValueKind != JsonValueKind.String)
            {
                UnreadableLines++;
                return;
            }
            _entries[id.GetString()!] = new Entry(hash.GetString()!, offset, length);
        }
        catch (JsonException)
        {
            // A torn line in the middle can only come from an older crash followed by appends; skip it.
            UnreadableLines++;
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
            _file.Position = e.Offset;
            int read = 0;
            while (read < bytes.Length)
            {
                int n = _file.Read(bytes, read, bytes.Length - read);
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
            CostUsd = r.TryGetProperty("cost", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetDecimal(out var cost) ? cost : null,
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
            long offset = _file.Length;
            _file.Position = offset;
            _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _file.Flush(flushToDisk: true);
            _entries[result.RowId] = new Entry(contentHash, offset, (int)buffer.Length - 1);
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
            _lock.Dispose();
        }
    }
}
