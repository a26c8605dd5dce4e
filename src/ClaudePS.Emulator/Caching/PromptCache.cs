using System.Security.Cryptography;
using System.Text;

namespace ClaudePS.Emulator;

/// <summary>How a request's input tokens split between cache reads, cache writes and uncached input.</summary>
internal readonly record struct CacheOutcome(int ReadTokens, int Creation5mTokens, int Creation1hTokens, int UncachedTokens)
{
    public int CreationTokens => Creation5mTokens + Creation1hTokens;
}

/// <summary>
/// Prompt caching: each cache_control breakpoint names the prefix up to and including its block.
/// A later request (same API key, same model) whose prefix matches an entry within its TTL reads it;
/// otherwise the tokens up to the breakpoint are written (5m or 1h). A read refreshes the entry.
/// input_tokens is what follows the last breakpoint. Times come from the injectable clock.
/// </summary>
public sealed class PromptCache
{
    private readonly EmulatorOptions _options;
    private const int LookbackBlocks = 20;
    private readonly Dictionary<string, (DateTimeOffset Expiry, TimeSpan Ttl)> _entries = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public PromptCache(EmulatorOptions options) => _options = options;

    /// <summary>Live entries (expired ones are not counted).</summary>
    public int Count
    {
        get
        {
            var now = _options.Clock.GetUtcNow();
            lock (_lock) return _entries.Values.Count(e => e.Expiry > now);
        }
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        lock (_lock) _entries.Clear();
    }

    /// <summary>Works out the split; with <paramref name="commit"/> also writes/refreshes the entries.</summary>
    internal CacheOutcome Evaluate(string scope, string model, IReadOnlyList<PromptSegment> segments, bool commit)
    {
        int total = segments.Sum(s => s.Tokens);
        // Most requests mark no breakpoint: nothing to hash or look up.
        if (!segments.Any(s => s.BreakpointTtl != null)) return new CacheOutcome(0, 0, 0, total);
        // The prefix key and token count after every segment, and which segments are breakpoints.
        var keys = new string[segments.Count];
        var prefixTokens = new int[segments.Count];
        var breakpoints = new List<int>();
        // Like the API, a prefix shorter than the model's minimum is not cached (tests lower it with --cache-min-tokens).
        int minimum = _options.CacheMinTokens ?? ClaudePS.Engine.Wire.KnownModels.Find(model)?.MinCacheableTokens ?? 1024;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(scope + "\n" + model + "\n"));
            int prefix = 0;
            for (int i = 0; i < segments.Count; i++)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(segments[i].Key));
                hash.AppendData("\u001e"u8);
                prefix += segments[i].Tokens;
                keys[i] = Convert.ToHexString(hash.GetCurrentHash());
                prefixTokens[i] = prefix;
                if (segments[i].BreakpointTtl != null && prefix >= minimum) breakpoints.Add(i);
            }
        }
        if (breakpoints.Count == 0) return new CacheOutcome(0, 0, 0, total);

        var now = _options.Clock.GetUtcNow();
        lock (_lock)
        {
            // Like the real API, a breakpoint also finds entries at earlier block boundaries (up to
            // 20 blocks back), so a conversation that moves its breakpoint forward still reads.
            int hit = -1;
            for (int i = breakpoints[^1]; i >= 0 && hit < 0; i--)
            {
                bool inWindow = breakpoints.Any(b => b >= i && b - i <= LookbackBlocks);
                if (inWindow && _entries.TryGetValue(keys[i], out var entry) && entry.Expiry > now) hit = i;
            }
            int read = hit >= 0 ? prefixTokens[hit] : 0;
            int covered = read, write5m = 0, write1h = 0;
            foreach (int b in breakpoints.Where(b => b > hit))
            {
                int tokens = prefixTokens[b] - covered;
                if (segments[b].BreakpointTtl == "1h") write1h += tokens; else write5m += tokens;
                covered = prefixTokens[b];
            }
            if (commit)
            {
                if (hit >= 0) Store(keys[hit], _entries[keys[hit]].Ttl, now);
                foreach (int b in breakpoints.Where(b => b > hit))
                    Store(keys[b], segments[b].BreakpointTtl == "1h" ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(5), now);
                if (_entries.Count > 50_000) Purge(now);
            }
            return new CacheOutcome(read, write5m, write1h, total - covered);
        }
    }

    private void Store(string key, TimeSpan ttl, DateTimeOffset now)
    {
        // A read or rewrite refreshes the entry; never shorten one a 1h breakpoint wrote.
        if (_entries.TryGetValue(key, out var current) && current.Ttl > ttl) ttl = current.Ttl;
        _entries[key] = (now + ttl, ttl);
    }

    private void Purge(DateTimeOffset now)
    {
        foreach (var key in _entries.Where(p => p.Value.Expiry <= now).Select(p => p.Key).ToList()) _entries.Remove(key);
    }
}
