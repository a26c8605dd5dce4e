using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// The append-only usage ledger: one JSON line per billed call, one file per UTC month.
/// Several processes may append at once: each append takes an exclusive lock on ledger/.lock
/// (FileShare.None: a share-mode lock on Windows, flock on Unix), writes the whole line with one
/// write call and flushes before releasing, so lines never interleave or tear except by a crash in
/// the middle of that one write, which readers tolerate (<see cref="LedgerReader"/>).
/// </summary>
public sealed class UsageLedger
{
    private static readonly ConcurrentDictionary<string, object> ProcessLocks = new(StringComparer.Ordinal);
    private readonly object _processLock;
    // Request ids this process has written, newest last, so a reply handed over twice is written once.
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly Queue<string> _writtenOrder = new();
    private const int RememberedIds = 100_000;

    public UsageLedger(UsagePaths paths, bool flushToDisk = true, TimeSpan? lockTimeout = null)
    {
        Paths = paths;
        FlushToDisk = flushToDisk;
        LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
        _processLock = ProcessLocks.GetOrAdd(paths.LedgerFolder, _ => new object());
    }

    public UsagePaths Paths { get; }
    /// <summary>fsync after each record (survives power loss); otherwise the OS has it (survives a process crash).</summary>
    public bool FlushToDisk { get; }
    public TimeSpan LockTimeout { get; }
    private string LockFile => Path.Combine(Paths.LedgerFolder, ".lock");

    /// <summary>Appends <paramref name="record"/> to its month's file. Returns false (and writes nothing)
    /// when this process already wrote a record with the same request id.</summary>
    public bool Append(LedgerRecord record)
    {
        var line = record.ToJsonLine();
        var file = Paths.LedgerFile(record.Time);
        lock (_processLock)
        {
            if (record.RequestId is { } id && _written.Contains(id)) return false;
            try
            {
                Write(file, ref line);
            }
            catch (Exception ex) when (Storage.FileErrors.IsFileSystemFailure(ex))
            {
                throw Storage.FileErrors.Wrap("ClaudePS.LedgerWriteFailed", ex, "Writing the usage ledger", file,
                    "Make the ledger folder writable, or set CLAUDEPS_HOME to a folder you can write to (Connect-Claude -NoLedger keeps no ledger).", writing: true);
            }
            if (record.RequestId is { } written) Remember(written);
        }
        return true;
    }

    /// <summary>Appends <paramref name="line"/> under the cross-process lock (one write, then a flush).</summary>
    private void Write(string file, ref byte[] line)
    {
        Directory.CreateDirectory(Paths.LedgerFolder);
        using (AcquireFileLock())
        using (var fs = new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None))
        {
            long length = fs.Length;
            if (length > 0)
            {
                // A crash mid-write leaves a line without its '\n': start on a fresh line so the
                // torn fragment stays alone (readers skip it) and this record stays whole.
                fs.Position = length - 1;
                if (fs.ReadByte() != '\n') line = Prepend((byte)'\n', line);
            }
            fs.Position = length;
            fs.Write(line, 0, line.Length);
            fs.Flush(FlushToDisk);
        }
    }

    private void Remember(string id)
    {
        if (!_written.Add(id)) return;
        _writtenOrder.Enqueue(id);
        if (_writtenOrder.Count > RememberedIds) _written.Remove(_writtenOrder.Dequeue());
    }

    private static byte[] Prepend(byte b, byte[] line)
    {
        var copy = new byte[line.Length + 1];
        copy[0] = b;
        Buffer.BlockCopy(line, 0, copy, 1, line.Length);
        return copy;
    }

    /// <summary>Opens the lock file exclusively, waiting (with growing pauses) while another process holds it.</summary>
    private FileStream AcquireFileLock()
    {
        var watch = Stopwatch.StartNew();
        int pause = 0;
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex) when (ex is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
            {
                if (watch.Elapsed > LockTimeout)
                    throw new ClaudeException(new ClaudeError("ClaudePS.LedgerLocked", ClaudeErrorCategory.ResourceBusy,
                        $"The usage ledger lock '{LockFile}' stayed taken for {LockTimeout.TotalSeconds:0} s. Another process may be stuck writing; end it, or delete the lock file when no ClaudePS process is running.") , ex);
                if (pause == 0) Thread.Yield(); else Thread.Sleep(pause);
                pause = Math.Min(pause + 1, 20);
            }
        }
    }

    /// <summary>The ledger files that can hold records between <paramref name="since"/> and <paramref name="until"/>, oldest first.</summary>
    public IReadOnlyList<string> FilesFor(DateTimeOffset since, DateTimeOffset until)
    {
        var files = new List<(DateTime Month, string Path)>();
        if (!Directory.Exists(Paths.LedgerFolder)) return Array.Empty<string>();
        var first = new DateTime(since.UtcDateTime.Year, since.UtcDateTime.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var last = until.UtcDateTime;
        foreach (var path in Directory.EnumerateFiles(Paths.LedgerFolder, "usage-*.jsonl"))
        {
            var name = Path.GetFileNameWithoutExtension(path); // usage-YYYY-MM
            if (name.Length != 13 ||
                !int.TryParse(name.Substring(6, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int year) ||
                !int.TryParse(name.Substring(11, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int month) ||
                year < 1 || month < 1 || month > 12) continue;
            var start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
            if (start >= first && start <= last) files.Add((start, path));
        }
        files.Sort((a, b) => a.Month.CompareTo(b.Month));
        return files.ConvertAll(f => f.Path);
    }
}
