using ClaudePS.Emulator;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Tests.Http;
using Xunit;

namespace ClaudePS.Engine.Tests.Shared;

/// <summary>A fresh <see cref="EmulatorSession"/> (emulator and connection) for each test.</summary>
public abstract class EmulatorConnectionTest : IAsyncLifetime
{
    private readonly string _apiKey;

    protected EmulatorConnectionTest(string apiKey = TestConnections.Key) => _apiKey = apiKey;

    protected EmulatorSession Session { get; private set; } = null!;
    protected EmulatorServer Server => Session.Server;
    protected ClaudeConnection Connection => Session.Connection;

    public async Task InitializeAsync() => Session = await EmulatorSession.StartAsync(apiKey: _apiKey);

    public virtual async Task DisposeAsync() => await Session.DisposeAsync();
}
