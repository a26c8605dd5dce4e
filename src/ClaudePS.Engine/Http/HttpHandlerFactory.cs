using System;
using System.Net;
using System.Net.Http;

namespace ClaudePS.Engine.Http;

/// <summary>Builds the one handler a connection uses: pooled connections, decompression, the proxy.</summary>
internal static class HttpHandlerFactory
{
    public static HttpMessageHandler Create(IWebProxy? proxy, int maxConnectionsPerServer)
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
        if (proxy is not null)
        {
            handler.Proxy = proxy;
            handler.UseProxy = true;
        }
        return handler;
    }
}
