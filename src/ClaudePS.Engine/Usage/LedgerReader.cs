using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Usage;

/// <summary>Lines of a ledger file that could not be read (a torn record from a crash, or damage).</summary>
public sealed class LedgerProblem
{
    /// <summary>How many line numbers a warning lists.</summary>
    public const int ListedLines = 10;
    private readonly List<long> _lines = new();

    public string File { get; init; } = "";
    public long FirstLine { get; init; }
    public int Count { get; set; }
    /// <summary>The first <see cref="ListedLines"/> unreadable line numbers (1-based).</summary>
    public IReadOnlyList<long> Lines => _lines;
    /// <summary>True when the only problem is an unfinished last line (a crash mid-write, or a write in progress).</summary>
    public bool OnlyUnfinishedLastLine { get; set; }

    internal void Add(long line)
    {
        Count++;
        if (_lines.Count < ListedLines) _lines.Add(line);
    }

    public override string ToString()
    {
        if (OnlyUnfinishedLastLine)
            return $"The usage ledger '{File}' ends with an unfinished record (line {FirstLine}): a write was cut short by a crash or is still in progress. It was skipped.";
        string lines = string.Join(", ", _lines) + (Count > _lines.Count ? $" and {Count - _lines.Count} more" : "");
        return $"The usage ledger '{File}' has {Count} unreadable line(s) ({(Count == 1 ? "line" : "lines")} {lines}). They were skipped; the other records count. " +
               "Those lines are damaged (a crash or an edit); remove or repair them to stop this warning.";
    }
}

/// <summary>
/// Streams ledger records file by file without holding them: memory is one read buffer plus the
/// distinct strings (models, tags) seen. Unreadable lines are skipped and counted per file, never fatal.
/// </summary>
public sealed class LedgerReader
{
    private readonly Dictionary<string, LedgerProblem> _problems = new(StringComparer.Ordinal);
    private readonly Utf8Interner _strings = new();
    private readonly Dictionary<int, List<string[]>> _tagSets = new();
    private int _tagSetCount;
    private readonly List<string> _tagScratch = new();
    private byte[] _buffer = new byte[1 << 20];

    /// <summary>One entry per file that had unreadable lines.</summary>
    public IReadOnlyCollection<LedgerProblem> Problems => _problems.Values;

    /// <summary>Calls <paramref name="onRecord"/> for every readable record of <paramref name="file"/>, in file order.</summary>
    public void Read(string file, Action<LedgerRecord> onRecord) => Read(file, onRecord, idsOnly: false);

    private void Read(string file, Delegate onRecord, bool idsOnly)
    {
        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        int filled = 0;
        long lineNumber = 0;
        LastCompleteLine = 0;
        while (true)
        {
            if (filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
            int n = fs.Read(_buffer, filled, _buffer.Length - filled);
            int end = filled + n;
            int start = 0;
            int scanFrom = filled;
            while (true)
            {
                int nl = Array.IndexOf(_buffer, (byte)'\n', scanFrom, end - scanFrom);
                if (nl < 0) break;
                lineNumber++;
                ParseLine(file, lineNumber, new ReadOnlySpan<byte>(_buffer, start, nl - start), onRecord, idsOnly, unfinished: false);
                start = nl + 1;
                scanFrom = start;
            }
            if (n == 0)
            {
                if (end > start) ParseLine(file, lineNumber + 1, new ReadOnlySpan<byte>(_buffer, start, end - start), onRecord, idsOnly, unfinished: true);
                return;
            }
            filled = end - start;
            if (filled > 0) Buffer.BlockCopy(_buffer, start, _buffer, 0, filled);
        }
    }

    private void ParseLine(string file, long lineNumber, ReadOnlySpan<byte> line, Delegate onRecord, bool idsOnly, bool unfinished)
    {
        if (line.Length > 0 && line[line.Length - 1] == '\r') line = line.Slice(0, line.Length - 1);
        if (IsBlank(line)) return;
        if (idsOnly)
        {
            if (!unfinished && lineNumber <= _scanUpToLine && IsCandidate(line))
            {
                // The dedupe pass parses lines the first pass already parsed (and reported when damaged): skip them.
                if (TryParse(line) is not { } candidate) return;
                CurrentLine = lineNumber;
                ((Action<LedgerRecord>)onRecord)(candidate);
            }
            return;
        }
        LedgerRecord? record = unfinished ? null : TryParse(line);
        if (!unfinished) LastCompleteLine = lineNumber;
        if (record is null)
        {
            Report(file, lineNumber, unfinished);
            return;
        }
        CurrentLine = lineNumber;
        LastCompleteLine = lineNumber;
        ((Action<LedgerRecord>)onRecord)(record);
    }

    /// <summary>The record on <paramref name="line"/>, or null when the line is damaged or not a record.</summary>
    private LedgerRecord? TryParse(ReadOnlySpan<byte> line)
    {
        try { return Parse(line); }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or OverflowException or ArgumentException) { return null; }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line) if (b != ' ' && b != '\t') return false;
        return true;
    }

    private void Report(string file, long lineNumber, bool unfinished)
    {
        if (_problems.TryGetValue(file, out var p))
        {
            p.OnlyUnfinishedLastLine = false;
            p.Add(lineNumber);
            return;
        }
        var problem = new LedgerProblem { File = file, FirstLine = lineNumber, OnlyUnfinishedLastLine = unfinished };
        problem.Add(lineNumber);
        _problems[file] = problem;
    }

    /// <summary>Parses one line; null when it is JSON but not a ledger record.</summary>
    private LedgerRecord? Parse(ReadOnlySpan<byte> line)
    {
        var r = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
        DateTimeOffset? time = null;
        string? requestId = null, endpoint = null, model = null, tier = null, priceVersion = null, outcome = null;
        long input = 0, output = 0, w5 = 0, w1 = 0, read = 0, ms = 0;
        bool batch = false;
        decimal? cost = null;
        string[] tags = Array.Empty<string>();
        while (r.Read())
        {
            if (r.TokenType == JsonTokenType.EndObject)
            {
                if (time is null || model is null) return null;
                return new LedgerRecord
                {
                    Time = time.Value, RequestId = requestId, Endpoint = endpoint ?? "", Model = model,
                    InputTokens = input, OutputTokens = output, CacheWrite5mTokens = w5, CacheWrite1hTokens = w1, CacheReadTokens = read,
                    ServiceTier = tier, IsBatch = batch, CostUsd = cost, PriceVersion = priceVersion, Tags = tags,
                    Outcome = outcome ?? "succeeded", DurationMs = ms,
                };
            }
            if (r.TokenType != JsonTokenType.PropertyName) return null;
            var name = r.ValueSpan;
            if (!r.Read()) return null;
            switch (name.Length)
            {
                case 1 when name[0] == 'v': break;
                case 4 when name.SequenceEqual("time"u8): time = new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(), DateTimeKind.Utc)); break;
                case 9 when name.SequenceEqual("requestId"u8): requestId = r.TokenType == JsonTokenType.Null ? null : r.GetString(); break;
                case 8 when name.SequenceEqual("endpoint"u8): endpoint = _strings.Get(ref r); break;
                case 5 when name.SequenceEqual("model"u8): model = _strings.Get(ref r); break;
                case 5 when name.SequenceEqual("input"u8): input = r.GetInt64(); break;
                case 6 when name.SequenceEqual("output"u8): output = r.GetInt64(); break;
                case 12 when name.SequenceEqual("cacheWrite5m"u8): w5 = r.GetInt64(); break;
                case 12 when name.SequenceEqual("cacheWrite1h"u8): w1 = r.GetInt64(); break;
                case 9 when name.SequenceEqual("cacheRead"u8): read = r.GetInt64(); break;
                case 4 when name.SequenceEqual("tier"u8): tier = _strings.Get(ref r); break;
                case 5 when name.SequenceEqual("batch"u8): batch = r.TokenType == JsonTokenType.True; break;
                case 7 when name.SequenceEqual("costUsd"u8): cost = r.TokenType == JsonTokenType.Null ? null : r.GetDecimal(); break;
                case 12 when name.SequenceEqual("priceVersion"u8): priceVersion = _strings.Get(ref r); break;
                case 4 when name.SequenceEqual("tags"u8): tags = ReadTags(ref r); break;
                case 7 when name.SequenceEqual("outcome"u8): outcome = _strings.Get(ref r); break;
                case 10 when name.SequenceEqual("durationMs"u8): ms = r.GetInt64(); break;
                default: r.Skip(); break; // a field from a newer version
            }
        }
        return null; // no closing brace: a torn line
    }

    private string[] ReadTags(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray) throw new FormatException("tags is not an array");
        _tagScratch.Clear();
        int hash = 17;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            var tag = _strings.Get(ref r) ?? "";
            _tagScratch.Add(tag);
            hash = unchecked(hash * 31 + RuntimeHelpers.GetHashCode(tag)); // interned: one instance per value
        }
        if (_tagScratch.Count == 0) return Array.Empty<string>();
        // Most records of a run share one tag set: keep one array per distinct set.
        if (_tagSets.TryGetValue(hash, out var bucket))
            foreach (var set in bucket)
                if (SameReferences(set, _tagScratch)) return set;
        var created = _tagScratch.ToArray();
        if (_tagSetCount < 10_000)
        {
            if (bucket is null) _tagSets[hash] = bucket = new List<string[]>(1);
            bucket.Add(created);
            _tagSetCount++;
        }
        return created;
    }

    private static bool SameReferences(string[] set, List<string> tags)
    {
        if (set.Length != tags.Count) return false;
        for (int i = 0; i < set.Length; i++) if (!ReferenceEquals(set[i], tags[i])) return false;
        return true;
    }

    /// <summary>The line number of the record being handed to the callback (1-based, per file).</summary>
    public long CurrentLine { get; private set; }
    /// <summary>After <see cref="Read(string, Action{LedgerRecord})"/>: the last line that ended with '\n' (later appends start after it).</summary>
    public long LastCompleteLine { get; private set; }

    private HashSet<ulong>? _candidateHashes;
    private long _scanUpToLine;

    /// <summary>
    /// The cheap second pass of the dedupe: finds the lines (up to <paramref name="upToLine"/>) whose request
    /// id hashes into <paramref name="idHashes"/> (see <see cref="IdHash(string)"/>) by a byte search,
    /// and fully parses only those. Other lines cost a search and a hash, no allocation.
    /// </summary>
    public void ScanCandidates(string file, HashSet<ulong> idHashes, long upToLine, Action<LedgerRecord> onCandidate)
    {
        _candidateHashes = idHashes;
        _scanUpToLine = upToLine;
        Read(file, onCandidate, idsOnly: true);
    }

    private static ReadOnlySpan<byte> IdKey => "\"requestId\":\""u8;

    private bool IsCandidate(ReadOnlySpan<byte> line)
    {
        int at = line.IndexOf(IdKey);
        if (at < 0) return false;
        var rest = line.Slice(at + IdKey.Length);
        int end = rest.IndexOf((byte)'"');
        if (end < 0) return false;
        var id = rest.Slice(0, end);
        if (id.IndexOf((byte)'\\') >= 0) return true; // escaped: let the full parse decide
        return _candidateHashes!.Contains(IdHash(id));
    }

    /// <summary>A 64-bit hash of a request id's UTF-8 bytes (FNV-1a, then splitmix64 to mix the low bits).</summary>
    public static ulong IdHash(ReadOnlySpan<byte> utf8)
    {
        unchecked
        {
            ulong h = 14695981039346656037UL;
            foreach (byte b in utf8) { h ^= b; h *= 1099511628211UL; }
            h ^= h >> 30; h *= 0xbf58476d1ce4e5b9UL; h ^= h >> 27; h *= 0x94d049bb133111ebUL; h ^= h >> 31;
            return h;
        }
    }

    public static ulong IdHash(string id) => IdHash(Encoding.UTF8.GetBytes(id));
}

/// <summary>Returns one string instance per distinct UTF-8 value (models, endpoints, tags repeat on every line).</summary>
internal sealed class Utf8Interner
{
    private readonly Dictionary<int, List<KeyValuePair<byte[], string>>> _map = new();
    private int _count;

    public string? Get(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.String) throw new FormatException("expected a string");
        if (r.ValueIsEscaped || r.HasValueSequence) return r.GetString();
        var bytes = r.ValueSpan;
        int hash = Hash(bytes);
        if (_map.TryGetValue(hash, out var bucket))
            foreach (var kv in bucket)
                if (bytes.SequenceEqual(kv.Key)) return kv.Value;
        var value = Wire.Utf8.Decode(bytes);
        if (_count < 100_000)
        {
            if (bucket is null) _map[hash] = bucket = new List<KeyValuePair<byte[], string>>(1);
            bucket.Add(new KeyValuePair<byte[], string>(bytes.ToArray(), value));
            _count++;
        }
        return value;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (var b in bytes) h = (h ^ b) * 16777619;
            return h;
        }
    }
}
