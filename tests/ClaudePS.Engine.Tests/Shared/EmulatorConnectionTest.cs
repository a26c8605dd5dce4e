using System.Collections;
using System.Threading.Tasks;
using ClaudePS.Emulator;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using Xunit;

namespace ClaudePS.Engine.Tests.Shared;

/// <summary>A fresh emulator on 127.0.0.1 (port 0) and a connection to it for each test.</summary>
public abstract class EmulatorConnectionTest : IAsyncLifetime
{
    private readonly string _apiKey;

    protected EmulatorConnectionTest(string apiKey) => _apiKey = apiKey;

    protected EmulatorServer Server { get; private set; } = null!;
    protected ClaudeConnection Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EmulatorServer.StartAsync(new EmulatorOptions());
        Connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { Server.BaseUri },
            Credential = new ApiKeyCredential(_apiKey),
            DefaultModel = "claude-sonnet-4-5",
        }, new Hashtable());
    }

    public async Task DisposeAsync()
    {
        Connection.Dispose();
        await Server.DisposeAsync();
    }
}
