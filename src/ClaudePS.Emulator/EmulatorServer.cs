using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClaudePS.Emulator;

/// <summary>
/// The emulator as a host: tests start it in-process on 127.0.0.1 with port 0 and read
/// <see cref="BaseUri"/>; a person runs it with --urls.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, EmulatorState state, Uri baseUri)
    {
        _app = app;
        State = state;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }
    /// <summary>The emulator's accounting and knobs, for tests to read and change while it runs.</summary>
    public EmulatorState State { get; }

    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, string[]? args = null)
    {
        options ??= new EmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(args ?? Array.Empty<string>());
        builder.Logging.ClearProviders();
        // Size limits are the API's (32 MB for messages), enforced per endpoint with a 413 body.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        if (!(args ?? Array.Empty<string>()).Any(a => a.StartsWith("--urls", StringComparison.Ordinal)))
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        var state = new EmulatorState(options);
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        EmulatorRoutes.Map(app, state);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorServer(app, state, new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1") + "/"));
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
