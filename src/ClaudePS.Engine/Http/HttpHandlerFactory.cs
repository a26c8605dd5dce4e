using System;
using System.Collections;
using System.Net;
using System.Net.Http;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Engine.Http;

/// <summary>
/// The one place HTTP handlers and proxies are set up: the connection's own client, token endpoints and
/// the Admin API all go through the same proxy decision, so -Proxy means the same thing everywhere.
/// </summary>
internal static class HttpHandlerFactory
{
    /// <summary>-Proxy (with its credentials) first, else HTTPS_PROXY/HTTP_PROXY/NO_PROXY, else none.</summary>
    public static IWebProxy? ProxyFor(ClaudeConnectionOptions options, IDictionary environment) =>
        options.Proxy is not null
            ? new WebProxy(options.Proxy) { Credentials = options.ProxyUseDefaultCredentials ? CredentialCache.DefaultCredentials : options.ProxyCredential }
            : EnvironmentProxy.FromEnvironment(environment);

    /// <summary>How Get-ClaudeConnection shows the proxy: its address without credentials, or where it came from.</summary>
    public static string? Shown(IWebProxy? proxy) => proxy switch
    {
        null => null,
        EnvironmentProxy => "environment (HTTPS_PROXY/NO_PROXY)",
        WebProxy { Address: { } address } => address.Scheme + "://" + address.Authority, // Authority leaves user info out
        _ => "custom",
    };

    /// <summary>A client for side calls (token endpoints, Admin API reports).</summary>
    /// <param name="direct">No proxy at all, not even the platform's: for endpoints on this host or link-local.</param>
    public static HttpClient CreateClient(IWebProxy? proxy, int maxConnectionsPerServer, TimeSpan timeout, bool direct = false) =>
        new(Create(direct ? null : proxy, maxConnectionsPerServer, direct), disposeHandler: true) { Timeout = timeout };

    public static HttpMessageHandler Create(IWebProxy? proxy, int maxConnectionsPerServer, bool direct = false)
    {
#if NET8_0_OR_GREATER
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), // picks up DNS changes behind long runbooks
            MaxConnectionsPerServer = maxConnectionsPerServer,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            EnableMultipleHttp2Connections = true,
        };
#else
        var handler = new HttpClientHandler
        {
            MaxConnectionsPerServer = maxConnectionsPerServer,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
#endif
        if (direct)
            handler.UseProxy = false;
        else if (proxy is not null)
        {
            handler.Proxy = proxy;
            handler.UseProxy = true;
        }
        return handler;
    }
}
