using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClaudePS.Emulator;
using ClaudePS.Engine.Auth;

namespace ClaudePS.Engine.Tests.Auth;

/// <summary>A clock tests move by hand.</summary>
public sealed class FakeClock(DateTimeOffset start)
{
    private long _ticks = start.UtcTicks;
    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    public Func<DateTimeOffset> Func => () => Now;
}

/// <summary>A token source tests control: counts requests, can hold them at a gate, can fail.</summary>
public sealed class ScriptedTokenSource(FakeClock clock, TimeSpan lifetime) : ITokenSource
{
    private int _requests;
    public TaskCompletionSource? Gate { get; set; }
    public Exception? FailWith { get; set; }
    public int Requests => Volatile.Read(ref _requests);
    public string AuthKind => "Test";
    public string Source => "scripted";
    public string CacheKey { get; } = Guid.NewGuid().ToString("N");

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _requests);
        if (Gate is { } gate) await gate.Task.ConfigureAwait(false);
        if (FailWith is { } ex) throw ex;
        return new AccessToken("token-" + n, clock.Now, clock.Now + lifetime);
    }
}

/// <summary>
/// What the transport does with a refreshable credential (the contract of ICredentialProvider): sets
/// the header per attempt and, after a 401, forces one refresh and retries once. Counts 401s it saw
/// and requests that still failed.
/// </summary>
public sealed class AuthRetryHandler(ICredentialProvider credential) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _unauthorized;
    public int Unauthorized => Volatile.Read(ref _unauthorized);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var response = await SendOnceAsync(request, body, force: false, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !credential.CanRefresh) return response;
        Interlocked.Increment(ref _unauthorized);
        response.Dispose();
        using var retry = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var h in request.Headers) if (h.Key != "Authorization") retry.Headers.TryAddWithoutValidation(h.Key, h.Value);
        var rejected = request.Headers.Authorization is { } a ? new AuthHeader("Authorization", a.ToString()) : (AuthHeader?)null;
        return await SendOnceAsync(retry, body, force: true, cancellationToken, rejected);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, byte[]? body, bool force, CancellationToken ct, AuthHeader? rejected = null)
    {
        // As the transport does: after a 401, refresh past the header that was rejected.
        var header = rejected is { } r ? await credential.RefreshAfterRejectionAsync(r, ct) : await credential.GetHeaderAsync(force, ct);
        request.Headers.Remove(header.Name);
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return await base.SendAsync(request, ct);
    }
}

internal static class AuthTestKit
{
    public const string Canary = "canary-9f3b7c1e-secret-d00d-4b1d-a11ce0ff1ce5";

    public static Uri TokenEndpoint(EmulatorServer server) => new(server.BaseUri, "oauth2/token");

    public static X509Certificate2 RsaCertificate(string subject = "CN=ClaudePS test client")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    public static X509Certificate2 EcCertificate(string subject = "CN=ClaudePS test client EC")
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, ec, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>A service-account key file in Google's format whose token_uri is the emulator.</summary>
    public static (string Path, RSA Key) ServiceAccountKeyFile(string directory, Uri tokenUri, string email = "runbook@claudeps-test.iam.gserviceaccount.com")
    {
        var rsa = RSA.Create(2048);
        var pem = new string(PemEncoding.Write("PRIVATE KEY", rsa.ExportPkcs8PrivateKey()));
        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "claudeps-test",
            ["private_key_id"] = "0123456789abcdef",
            ["private_key"] = pem + "\n",
            ["client_email"] = email,
            ["token_uri"] = tokenUri.ToString(),
        });
        var path = System.IO.Path.Combine(directory, "sa-key.json");
        File.WriteAllText(path, json, Encoding.UTF8);
        return (path, rsa);
    }

    public static string TempDirectory()
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "claudeps-auth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static byte[] MessageBody(string model = "claude-sonnet-4-5") =>
        Encoding.UTF8.GetBytes($"{{\"model\":\"{model}\",\"max_tokens\":16,\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}");

    public static HttpRequestMessage MessagesRequest(EmulatorServer server)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUri, "v1/messages")) { Content = new ByteArrayContent(MessageBody()) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        req.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        return req;
    }
}
