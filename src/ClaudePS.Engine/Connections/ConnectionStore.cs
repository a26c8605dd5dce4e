using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ClaudePS.Engine.Connections;

/// <summary>
/// The process-wide connections. The default is swapped atomically, so runspaces of
/// ForEach-Object -Parallel and thread jobs see the connection made in the parent session.
/// Semantics follow Az contexts: connecting makes the new connection the default; removing the default
/// hands the default to the most recently connected of the others, so a session that still holds a
/// working connection is never told that it is not connected.
/// </summary>
public static class ConnectionStore
{
    private static ClaudeConnection? _default;
    // Name -> connection, in the order they were connected (the newest last). Writers take the lock;
    // readers of the default never do.
    private static readonly List<ClaudeConnection> Connections = new();

    public static ClaudeConnection? Default => Volatile.Read(ref _default);

    /// <summary>Registers <paramref name="connection"/> under its name and makes it the default.</summary>
    public static void Set(ClaudeConnection connection)
    {
        lock (Connections)
        {
            var index = IndexOf(connection.Options.Name);
            if (index >= 0)
            {
                var old = Connections[index];
                Connections.RemoveAt(index);
                // A replaced connection that is still the default may have calls in flight: it is left to them.
                if (!ReferenceEquals(old, Default)) old.Dispose();
            }
            Connections.Add(connection);
            Interlocked.Exchange(ref _default, connection);
        }
    }

    /// <summary>The named connection, or the default; a terminating "not connected" error otherwise.</summary>
    public static ClaudeConnection Resolve(string? name = null)
    {
        if (name is not null)
            return Find(name) ?? throw NotConnected($"There is no connection named '{name}'. Get-ClaudeConnection lists them.");
        return Default ?? throw NotConnected("Not connected. Run Connect-Claude first (it reads ANTHROPIC_API_KEY when no key is given).");
    }

    public static IReadOnlyList<ClaudeConnection> All
    {
        get { lock (Connections) return Connections.OrderBy(c => c.Options.Name, StringComparer.OrdinalIgnoreCase).ToArray(); }
    }

    /// <summary>Removes a connection (the default when no name is given). Returns whether one was removed.</summary>
    public static bool Remove(string? name = null) => Remove(name, out _);

    /// <inheritdoc cref="Remove(string?)"/>
    /// <param name="newDefault">The connection that became the default because the removed one was the default.</param>
    public static bool Remove(string? name, out ClaudeConnection? newDefault)
    {
        newDefault = null;
        ClaudeConnection target;
        lock (Connections)
        {
            var index = name is null ? (Default is { } d ? Connections.IndexOf(d) : -1) : IndexOf(name);
            if (index < 0) return false;
            target = Connections[index];
            Connections.RemoveAt(index);
            if (ReferenceEquals(Default, target))
            {
                newDefault = Connections.Count > 0 ? Connections[Connections.Count - 1] : null;
                Interlocked.Exchange(ref _default, newDefault);
            }
        }
        // A disconnected identity's tokens should not outlive it (another connection of the same identity
        // simply requests a new one).
        target.Credential.Forget();
        return true;
    }

    private static ClaudeConnection? Find(string name)
    {
        lock (Connections)
        {
            var index = IndexOf(name);
            return index >= 0 ? Connections[index] : null;
        }
    }

    private static int IndexOf(string name) =>
        Connections.FindIndex(c => string.Equals(c.Options.Name, name, StringComparison.OrdinalIgnoreCase));

    private static ClaudeException NotConnected(string message) =>
        new(new ClaudeError("ClaudePS.NotConnected", ClaudeErrorCategory.ConnectionError, message));
}
