using System.Collections;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Bench;

/// <summary>ClaudePS connections to a bench emulator (loopback only), with the environment ignored.</summary>
internal static class BenchConnections
{
    public const string Key = "sk-ant-bench-0000000000000000";

    public static ClaudeConnection To(Uri emulator, Action<ClaudeConnectionOptions>? configure = null)
    {
        var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential(Key), DefaultModel = "claude-sonnet-4-5" };
        options.BaseUris.Add(emulator);
        configure?.Invoke(options);
        return ClaudeConnection.Create(options, new Hashtable());
    }

    /// <summary>Runs <paramref name="work"/> for items 0..count-1 with <paramref name="callers"/> at a time.</summary>
    public static async Task ForEachAsync(int count, int callers, Func<int, Task> work, CancellationToken ct)
    {
        int next = -1;
        var workers = Enumerable.Range(0, callers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                ct.ThrowIfCancellationRequested();
                await work(i).ConfigureAwait(false);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}
