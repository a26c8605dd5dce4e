using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Resilience;

/// <summary>
/// The opt-in response cache of one connection: replies keyed by a hash of the canonical request
/// (JSON with sorted property names, plus the target path), kept for a TTL, bounded by entry count and
/// approximate bytes, least recently used evicted first. A hit is a copy marked FromCache and is never billed.
/// </summary>
internal sealed class ResponseCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _ttl;
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private long _bytes;

    public ResponseCache(TimeSpan ttl, int maxEntries, long maxBytes, TimeProvider clock)
    {
        _ttl = ttl;
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _clock = clock;
    }

    public int Count { get { lock (_gate) return _map.Count; } }
    public long Bytes { get { lock (_gate) return _bytes; } }

    /// <summary>Whether a request may use the cache: never streams; temperature 0 unless forced.</summary>
    public static bool Eligible(MessageRequest request, bool stream, CacheMode mode) =>
        !stream && mode != CacheMode.Bypass && (mode == CacheMode.Force || request.Temperature == 0);

    /// <summary>The cache key: SHA-256 of the target path and the body with its properties sorted, so
    /// two requests that differ only in property order share an entry.</summary>
    public static string Key(string path, byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            WriteCanonical(doc.RootElement, writer);
        using var sha = SHA256.Create();
        var prefix = Encoding.UTF8.GetBytes(path + "\n");
        sha.TransformBlock(prefix, 0, prefix.Length, null, 0);
        var canonical = buffer.ToArray();
        sha.TransformFinalBlock(canonical, 0, canonical.Length);
        return BitConverter.ToString(sha.Hash!).Replace("-", "");
    }

    public bool TryGet(string key, out ClaudeResponse response)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                if (_clock.GetUtcNow() < node.Value.Expires)
                {
                    _lru.Remove(node);
                    _lru.AddFirst(node);
                    response = node.Value.Response;
                    return true;
                }
                Remove(node);
            }
        }
        response = null!;
        return false;
    }

    public void Put(string key, ClaudeResponse response)
    {
        if (_ttl <= TimeSpan.Zero) return;
        long size = SizeOf(response);
        if (size > _maxBytes) return;
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var old)) Remove(old);
            var node = _lru.AddFirst(new Entry(key, response, _clock.GetUtcNow() + _ttl, size));
            _map[key] = node;
            _bytes += size;
            while (_map.Count > _maxEntries || _bytes > _maxBytes) Remove(_lru.Last!);
        }
    }

    /// <summary>The copy a hit returns: everything a fresh reply carries (text, thinking, tool calls, content
    /// blocks, redaction counts, raw JSON), marked FromCache, no cost, no attempts. Lists, blocks and counts
    /// are copied, so nothing a caller does to a hit (or to the reply that was stored) reaches the entry or
    /// another hit. Data and Input are left out: they belong to the call (set after the client returns).</summary>
    public static ClaudeResponse AsHit(ClaudeResponse r, TimeSpan lookup) => new()
    {
        Text = r.Text,
        Model = r.Model,
        StopReason = r.StopReason,
        StopSequence = r.StopSequence,
        Usage = r.Usage,
        MessageId = r.MessageId,
        RequestId = r.RequestId,
        Endpoint = r.Endpoint,
        Duration = lookup,
        TimeToFirstToken = lookup,
        Attempts = 0,
        FromCache = true,
        Thinking = r.Thinking,
        ToolUses = r.ToolUses.Select(t => new ClaudeToolUse { Id = t.Id, Name = t.Name, InputJson = t.InputJson }).ToList(),
        Redactions = r.Redactions.Count == 0 ? r.Redactions : r.Redactions.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase),
        Content = r.Content.Select(CopyBlock).ToList(),
        RawJson = r.RawJson,
    };

    private static ClaudeContentBlock CopyBlock(ClaudeContentBlock b) => new()
    {
        Type = b.Type, Text = b.Text, MediaType = b.MediaType, Data = b.Data, ToolUseId = b.ToolUseId,
        ToolName = b.ToolName, InputJson = b.InputJson, Signature = b.Signature, CacheTtl = b.CacheTtl, IsError = b.IsError,
    };

    private void Remove(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _map.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }

    private static long SizeOf(ClaudeResponse r) =>
        256 + 2L * (r.Text.Length + (r.Thinking?.Length ?? 0) + (r.RawJson?.Length ?? 0) + r.ToolUses.Sum(t => t.InputJson.Length + t.Name.Length + t.Id.Length)
            + r.Content.Sum(b => 32 + (b.Text?.Length ?? 0) + (b.Data?.Length ?? 0) + (b.InputJson?.Length ?? 0) + (b.Signature?.Length ?? 0)));

    private static void WriteCanonical(JsonElement e, Utf8JsonWriter w)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    w.WritePropertyName(p.Name);
                    WriteCanonical(p.Value, w);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteCanonical(item, w);
                w.WriteEndArray();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }

    private sealed class Entry
    {
        public Entry(string key, ClaudeResponse response, DateTimeOffset expires, long size)
        {
            Key = key;
            Response = response;
            Expires = expires;
            Size = size;
        }

        public string Key { get; }
        public ClaudeResponse Response { get; }
        public DateTimeOffset Expires { get; }
        public long Size { get; }
    }
}
