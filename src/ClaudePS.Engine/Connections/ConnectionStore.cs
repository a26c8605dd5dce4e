using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ClaudePS.Engine.Connections;

/// <summary>
/// The process-wide connections. The default is swapped atomically, so runspaces of
/// ForEach-Object -Parallel and thread jobs see the connection made in the parent session.
/// </summary>
public static class ConnectionStore
{
    private static ClaudeConnection? _default;
    private static readonly ConcurrentDictionary<string, ClaudeConnection> Named = new(StringComparer.OrdinalIgnoreCase);

    public static ClaudeConnection? Default => Volatile.Read(ref _default);

    /// <summary>Registers <paramref name="connection"/> under its name and makes it the default.</summary>
    public static void Set(ClaudeConnection connection, bool makeDefault = true)
    {
        Named.AddOrUpdate(connection.Options.Name, connection, (_, old) => { if (!ReferenceEquals(old, Default)) old.Dispose(); return connection; });
        if (makeDefault) Interlocked.Exchange(ref _default, connection);
    }

    /// <summary>The named connection, or the default; a terminating "not connected" error otherwise.</summary>
    public static ClaudeConnection Resolve(string? name = null)
    {
        if (name is not null)
            return Named.TryGetValue(name, out var named) ? named : throw NotConnected($"There is no connection named '{name}'. Get-ClaudeConnection lists them.");
        return Default ?? throw NotConnected("Not connected. Run Connect-Claude first (it reads ANTHROPIC_API_KEY when no key is given).");
    }

    public static IReadOnlyList<ClaudeConnection> All => Named.Values.OrderBy(c => c.Options.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Removes a connection (the default when no name is given). Returns whether one was removed.</summary>
    public static bool Remove(string? name = null)
    {
        var target = name is null ? Default : Named.TryGetValue(name, out var c) ? c : null;
        if (target is null) return false;
        Named.TryRemove(target.Options.Name, out _);
        Interlocked.CompareExchange(ref _default, null, target);
        // A disconnected identity's tokens should not outlive it (another connection of the same identity
        // simply requests a new one).
        if (target.Credential is Auth.TokenCredential tokens) tokens.Forget();
        return true;
    }

    private static ClaudeException NotConnected(string message) =>
        new(new ClaudeError("ClaudePS.NotConnected", ClaudeErrorCategory.ConnectionError, message));
}
