using System;
using System.Collections;
using System.Collections.Generic;
using System.Net;

namespace ClaudePS.Engine.Http;

/// <summary>
/// HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl reads them. .NET Core honours these itself on some
/// platforms only and .NET Framework never does, so the module applies them the same way everywhere.
/// </summary>
public sealed class EnvironmentProxy : IWebProxy
{
    private readonly Uri? _httpsProxy;
    private readonly Uri? _httpProxy;
    private readonly string[] _noProxy;

    public EnvironmentProxy(Uri? httpsProxy, Uri? httpProxy, string? noProxy)
    {
        _httpsProxy = httpsProxy;
        _httpProxy = httpProxy;
        _noProxy = (noProxy ?? "").Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries);
    }

    public ICredentials? Credentials { get; set; }

    /// <summary>The proxy the environment asks for, or null when it names none.</summary>
    public static EnvironmentProxy? FromEnvironment(IDictionary environment)
    {
        Uri? https = ParseProxy(Auth.CredentialResolver.Get(environment, "HTTPS_PROXY"));
        Uri? http = ParseProxy(Auth.CredentialResolver.Get(environment, "HTTP_PROXY"));
        if (https is null && http is null) return null;
        return new EnvironmentProxy(https ?? http, http, Auth.CredentialResolver.Get(environment, "NO_PROXY"));
    }

    public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? null : destination.Scheme == "https" ? _httpsProxy : _httpProxy;

    public bool IsBypassed(Uri host)
    {
        if ((host.Scheme == "https" ? _httpsProxy : _httpProxy) is null) return true;
        string name = host.IdnHost.TrimEnd('.');
        foreach (var raw in _noProxy)
        {
            if (raw == "*") return true;
            string entry = raw;
            int colon = entry.LastIndexOf(':');
            if (colon > 0 && entry.IndexOf(']') < colon && int.TryParse(entry.Substring(colon + 1), out int port))
            {
                if (port != host.Port) continue;
                entry = entry.Substring(0, colon);
            }
            entry = entry.Trim('[', ']').TrimStart('*').TrimStart('.').TrimEnd('.');
            if (entry.Length == 0) continue;
            if (string.Equals(name, entry, StringComparison.OrdinalIgnoreCase)) return true;
            if (name.EndsWith("." + entry, StringComparison.OrdinalIgnoreCase)) return true;
            if (IPAddress.TryParse(name.Trim('[', ']'), out var ip) && IsInCidr(ip, entry)) return true;
        }
        return false;
    }

    private static bool IsInCidr(IPAddress ip, string entry)
    {
        int slash = entry.IndexOf('/');
        if (slash < 0) return IPAddress.TryParse(entry, out var single) && single.Equals(ip);
        if (!IPAddress.TryParse(entry.Substring(0, slash), out var network) || !int.TryParse(entry.Substring(slash + 1), out int bits)) return false;
        byte[] a = ip.GetAddressBytes(), b = network.GetAddressBytes();
        if (a.Length != b.Length || bits < 0 || bits > a.Length * 8) return false;
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }

    private static Uri? ParseProxy(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value!.Trim();
        if (!v.Contains("://")) v = "http://" + v;
        return Uri.TryCreate(v, UriKind.Absolute, out var uri) ? uri : null;
    }
}
