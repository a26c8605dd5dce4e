using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Turns row ids into Message Batches custom ids (^[a-zA-Z0-9_-]{1,64}$, unique in the batch). The
/// mapping depends only on the sequence of row ids, so the same input given again (for example to
/// Receive-ClaudeBatchResult after a restart) yields the same custom ids and joins back.
/// </summary>
public sealed class CustomIdAllocator
{
    public const int MaxLength = 64;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>The custom id for the next row, whose id is <paramref name="rowId"/>.</summary>
    public string Next(string rowId)
    {
        string id = Sanitize(rowId);
        if (_used.Add(id)) return id;
        for (int n = 2; ; n++)
        {
            string suffix = "-" + n.ToString(CultureInfo.InvariantCulture);
            string candidate = (id.Length + suffix.Length > MaxLength ? id.Substring(0, MaxLength - suffix.Length) : id) + suffix;
            if (_used.Add(candidate)) return candidate;
        }
    }

    /// <summary>Allowed characters kept, others replaced by '_'; over-long ids shortened with a hash of
    /// the whole id so different long ids stay different.</summary>
    public static string Sanitize(string rowId)
    {
        if (string.IsNullOrEmpty(rowId)) return "row";
        var sb = new StringBuilder(Math.Min(rowId.Length, MaxLength + 1));
        foreach (char c in rowId)
            sb.Append(IsAllowed(c) ? c : '_');
        if (sb.Length <= MaxLength) return sb.ToString();
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(rowId));
        var tail = new StringBuilder(17).Append('-');
        for (int i = 0; i < 8; i++) tail.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString(0, MaxLength - tail.Length) + tail;
    }

    public static bool IsValid(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength) return false;
        foreach (char c in id) if (!IsAllowed(c)) return false;
        return true;
    }

    private static bool IsAllowed(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-';
}
