using System.Collections;
using ClaudePS.Emulator;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Tests.Http;

namespace ClaudePS.Engine.Tests.Shared;

/// <summary>
/// The one way the engine tests get an emulator: an in-process emulator on 127.0.0.1 (port 0) and a
/// connection to it. The connection reads an empty environment, so no ANTHROPIC_* variable of the machine
/// leaks in; it has the emulator as its only base URI, a test API key and Sonnet 4.5 as its default
/// model, then whatever the test's <c>configure</c> sets. Disposing ends the connection, then the emulator.
/// </summary>
public sealed class EmulatorSession : IAsyncDisposable
{
    public const string Model = "claude-sonnet-4-5";

    private readonly string _apiKey;

    private EmulatorSession(EmulatorServer server, string apiKey, ClaudeConnection connection)
    {
        Server = server;
        _apiKey = apiKey;
        Connection = connection;
    }

    public EmulatorServer Server { get; }
    public ClaudeConnection Connection { get; }
    public Uri BaseUri => Server.BaseUri;
    public EmulatorState State => Server.State;

    /// <param name="emulator">The emulator's options (default: its defaults).</param>
    /// <param name="configure">Runs on the connection's options after the defaults are set.</param>
    /// <param name="apiKey">The connection's key; also the key of further connections from <see cref="Connect"/>.</param>
    /// <param name="clock">The connection's resilience clock (waits, backoff, rate limiting); the system's when null.</param>
    /// <param name="handler">The connection's HTTP handler (it must reach the emulator itself); the engine's own when null.</param>
    public static async Task<EmulatorSession> StartAsync(EmulatorOptions? emulator = null, Action<ClaudeConnectionOptions>? configure = null,
        string apiKey = TestConnections.Key, TimeProvider? clock = null, HttpMessageHandler? handler = null)
    {
        var server = await EmulatorServer.StartAsync(emulator ?? new EmulatorOptions());
        try
        {
            return new EmulatorSession(server, apiKey, Connect(server.BaseUri, apiKey, configure, clock, handler));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A further connection to this emulator, set up as the session's own; the caller disposes it.</summary>
    public ClaudeConnection Connect(Action<ClaudeConnectionOptions>? configure = null, TimeProvider? clock = null, HttpMessageHandler? handler = null) =>
        Connect(BaseUri, _apiKey, configure, clock, handler);

    private static ClaudeConnection Connect(Uri baseUri, string apiKey, Action<ClaudeConnectionOptions>? configure, TimeProvider? clock, HttpMessageHandler? handler)
    {
        var options = new ClaudeConnectionOptions
        {
            BaseUris = { baseUri },
            Credential = new ApiKeyCredential(apiKey),
            DefaultModel = Model,
        };
        if (clock is not null) options.Resilience.Clock = clock;
        configure?.Invoke(options);
        return ClaudeConnection.Create(options, new Hashtable(), handler);
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        await Server.DisposeAsync();
    }
}
