using System;
using System.Collections.Concurrent;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// The secrets this process has been given (keys, tokens), so text that comes from elsewhere (a
/// gateway's error body that echoes the rejected key) can be cleaned before it reaches an error record.
/// Credential providers register every secret they hold; only its masked form ever leaves.
/// </summary>
public static class KnownSecrets
{
    /// <summary>Shorter values are not treated as secrets (too likely to match ordinary text).</summary>
    public const int MinimumLength = 8;
    public const string Mask = "***";
    private static readonly ConcurrentDictionary<string, byte> Secrets = new(StringComparer.Ordinal);

    public static void Register(string? secret)
    {
        if (secret is { Length: >= MinimumLength }) Secrets.TryAdd(secret, 0);
    }

    /// <summary><paramref name="text"/> with every registered secret replaced by <see cref="Mask"/>.</summary>
    public static string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text) || Secrets.IsEmpty) return text;
        foreach (var secret in Secrets.Keys)
            if (text.IndexOf(secret, StringComparison.Ordinal) >= 0) text = text.Replace(secret, Mask);
        return text;
    }
}
