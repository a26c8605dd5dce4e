using System.Collections;
using System.Collections.Concurrent;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Engine.Tests.Http;

/// <summary>Counts usage events.</summary>
public sealed class CountingRecorder : IUsageRecorder
{
    public ConcurrentQueue<UsageEvent> Events { get; } = new();
    public decimal? Record(UsageEvent usage) { Events.Enqueue(usage); return 0.01m; }
}

/// <summary>Builds connections over a <see cref="FakeApi"/> with a <see cref="TestClock"/>.</summary>
public static class TestConnections
{
    public const string Key = "sk-ant-test-SECRET-0123456789";

    public static ClaudeConnection Create(FakeApi api, TestClock clock, Action<ClaudeConnectionOptions>? configure = null,
        int endpoints = 1, IDictionary? environment = null, ICredentialProvider? credential = null)
    {
        var options = new ClaudeConnectionOptions
        {
            Credential = credential ?? new ApiKeyCredential(Key),
            DefaultModel = "claude-sonnet-4-5",
        };
        for (int i = 0; i < endpoints; i++) options.BaseUris.Add(new Uri($"http://127.0.0.1:{9001 + i}"));
        options.Resilience.Clock = clock;
        options.Resilience.Jitter = () => 1.0;
        configure?.Invoke(options);
        return ClaudeConnection.Create(options, environment ?? new Hashtable(), api);
    }
}
