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
    private readonly Dictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public PromptCache(EmulatorOptions options) => _options = options;

    /// <summary>Live entries (expired ones are not counted).</summary>
    public int Count
    {
        get
        {
            var now = _options.Clock.GetUtcNow();
            lock (_lock) return _expiries.Values.Count(e => e > now);
        }
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        lock (_lock) _expiries.Clear();
    }

    /// <summary>Works out the split; with <paramref name="commit"/> also writes/refreshes the entries.</summary>
    internal CacheOutcome Evaluate(string scope, string model, IReadOnlyList<PromptSegment> segments, bool commit)
    {
        int total = segments.Sum(s => s.Tokens);
        var breakpoints = new List<(string Key, int PrefixTokens, TimeSpan Ttl)>();
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(scope + "\n" + model + "\n"));
            int prefix = 0;
            foreach (var segment in segments)
            {
                hash.AppendData(Encoding.UTF8.GetBytes(segment.Key));
                hash.AppendData("\u001e"u8);
                prefix += segment.Tokens;
                if (segment.BreakpointTtl != null && prefix >= _options.CacheMinTokens)
                {
                    var ttl = segment.BreakpointTtl == "1h" ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(5);
                    breakpoints.Add((Convert.ToHexString(hash.GetCurrentHash()), prefix, ttl));
                }
            }
        }
        if (breakpoints.Count == 0) return new CacheOutcome(0, 0, 0, total);

        var now = _options.Clock.GetUtcNow();
        lock (_lock)
        {
            int hit = -1;
            for (int i = breakpoints.Count - 1; i >= 0; i--)
            {
                if (_expiries.TryGetValue(breakpoints[i].Key, out var expiry) && expiry > now)
                {
                    hit = i;
                    break;
                }
            }
            int read = hit >= 0 ? breakpoints[hit].PrefixTokens : 0;
            int covered = read, write5m = 0, write1h = 0;
            for (int i = hit + 1; i < breakpoints.Count; i++)
            {
                int tokens = breakpoints[i].PrefixTokens - covered;
                if (breakpoints[i].Ttl > TimeSpan.FromMinutes(5)) write1h += tokens; else write5m += tokens;
                covered = breakpoints[i].PrefixTokens;
            }
            if (commit)
            {
                if (hit >= 0) Refresh(breakpoints[hit].Key, now + breakpoints[hit].Ttl);
                for (int i = hit + 1; i < breakpoints.Count; i++) Refresh(breakpoints[i].Key, now + breakpoints[i].Ttl);
                if (_expiries.Count > 50_000) Purge(now);
            }
            return new CacheOutcome(read, write5m, write1h, total - covered);
        }
    }

    private void Refresh(string key, DateTimeOffset expiry)
    {
        // Never shorten an entry a 1h breakpoint wrote.
        if (!_expiries.TryGetValue(key, out var current) || current < expiry) _expiries[key] = expiry;
    }

    private void Purge(DateTimeOffset now)
    {
        foreach (var key in _expiries.Where(p => p.Value <= now).Select(p => p.Key).ToList()) _expiries.Remove(key);
    }
}
