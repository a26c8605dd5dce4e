using System.Collections;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Auth;

/// <summary>Every provider against the emulator's identity endpoints on 127.0.0.1.</summary>
public sealed class EmulatorAuthTests : EmulatorConnectionTest
{
    private readonly string _dir = AuthTestKit.TempDirectory();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A connection to the emulator whose only credential is the one <paramref name="credential"/> sets up.</summary>
    private ClaudeConnection Connect(CredentialOptions credential)
    {
        return Session.Connect(o =>
        {
            o.Credential = null; // not the session's API key
            o.Services = new ClaudeServices(PriceTable.Shipped);
            CredentialSetup.Apply(credential, o, new Hashtable());
        });
    }

    private async Task<ClaudeResponse> PromptAsync(ClaudeConnection connection, bool stream = false) => stream
        ? await connection.Client.StreamMessageAsync(MessageRequest.ForPrompt("hello", "claude-sonnet-4-5"), null)
        : await connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("hello", "claude-sonnet-4-5"));

    [Fact]
    public async Task Client_secret_gets_a_token_that_the_API_accepts()
    {
        Server.State.Auth.RegisterClientSecret("app-1", AuthTestKit.Canary);
        using var connection = Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "app-1", ClientSecret = AuthTestKit.Canary, TokenEndpoint = AuthTestKit.TokenEndpoint(Server), TokenScope = "api://gw/.default" });
        await connection.Credential.ValidateAsync(default);
        Assert.Equal("OAuthClientCredentials", connection.Info.AuthKind);
        var response = await PromptAsync(connection);
        Assert.False(string.IsNullOrEmpty(response.Text));
        Assert.Equal(1, Server.State.Auth.IssuedTokens);
    }

    [Fact]
    public async Task A_wrong_secret_is_a_clear_error_at_connect_and_never_shows_the_secret()
    {
        Server.State.Auth.RegisterClientSecret("app-2", "the-right-secret-0123456789");
        using var connection = Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "app-2", ClientSecret = AuthTestKit.Canary, TokenEndpoint = AuthTestKit.TokenEndpoint(Server) });
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => connection.Credential.ValidateAsync(default).AsTask());
        Assert.Equal("ClaudePS.TokenRequestRejected", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.AuthenticationError, ex.Error.Category);
        Assert.Contains("invalid_client", ex.Message);
        Assert.Contains("-ClientId", ex.Message);
        foreach (var text in new[] { ex.ToString(), ex.Error.ToString(), connection.ToString(), connection.Credential.ToString()!, connection.Info.CredentialSource,
                     string.Join("\n", connection.Credential.DrainNotices()) })
            Assert.DoesNotContain(AuthTestKit.Canary, text);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    public async Task Certificate_client_assertions_are_accepted(string algorithm)
    {
        using var certificate = algorithm == "ES256" ? AuthTestKit.EcCertificate() : AuthTestKit.RsaCertificate();
        Server.State.Auth.RegisterClientKey("cert-app-" + algorithm, algorithm == "ES256" ? (AsymmetricAlgorithm)certificate.GetECDsaPublicKey()! : certificate.GetRSAPublicKey()!);
        using var connection = Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "cert-app-" + algorithm, Certificate = certificate, SigningAlgorithm = algorithm, TokenEndpoint = AuthTestKit.TokenEndpoint(Server) });
        await connection.Credential.ValidateAsync(default);
        Assert.NotNull(await PromptAsync(connection));
    }

    [Fact]
    public async Task A_certificate_loaded_from_a_pfx_file_signs_and_a_wrong_password_is_a_clear_error()
    {
        using var certificate = AuthTestKit.RsaCertificate();
        var path = Path.Combine(_dir, "client.pfx");
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));
        Server.State.Auth.RegisterClientKey("pfx-app", certificate.GetRSAPublicKey()!);
        using (var connection = Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "pfx-app", CertificatePath = path, CertificatePassword = "pfx-password", TokenEndpoint = AuthTestKit.TokenEndpoint(Server) }))
            await connection.Credential.ValidateAsync(default);

        var wrong = Assert.Throws<ClaudeException>(() => Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "pfx-app", CertificatePath = path, CertificatePassword = AuthTestKit.Canary, TokenEndpoint = AuthTestKit.TokenEndpoint(Server) }));
        Assert.Equal("ClaudePS.CertificateUnreadable", wrong.Error.ErrorId);
        Assert.DoesNotContain(AuthTestKit.Canary, wrong.ToString());

        File.WriteAllText(Path.Combine(_dir, "garbage.pfx"), "not a certificate");
        var garbage = Assert.Throws<ClaudeException>(() => Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "pfx-app", CertificatePath = Path.Combine(_dir, "garbage.pfx"), TokenEndpoint = AuthTestKit.TokenEndpoint(Server) }));
        Assert.Equal("ClaudePS.CertificateUnreadable", garbage.Error.ErrorId);
        var missing = Assert.Throws<ClaudeException>(() => Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "pfx-app", CertificatePath = Path.Combine(_dir, "absent.pfx"), TokenEndpoint = AuthTestKit.TokenEndpoint(Server) }));
        Assert.Equal("ClaudePS.CertificateUnreadable", missing.Error.ErrorId);
    }

    [Fact]
    public async Task A_certificate_without_its_private_key_is_refused_at_connect()
    {
        using var full = AuthTestKit.RsaCertificate();
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(full.RawData);
        var ex = Assert.Throws<ClaudeException>(() => Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "x", Certificate = publicOnly, TokenEndpoint = AuthTestKit.TokenEndpoint(Server) }));
        Assert.Equal("ClaudePS.CertificateHasNoPrivateKey", ex.Error.ErrorId);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_HS256_assertion_signed_with_the_shared_secret_is_accepted_and_the_secret_is_not_sent()
    {
        var secret = AuthTestKit.Canary + "-long-enough";
        Server.State.Auth.RegisterClientSecret("hs-app", secret);
        using var connection = Connect(new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = "hs-app", ClientSecret = secret, SigningAlgorithm = "HS256", TokenEndpoint = AuthTestKit.TokenEndpoint(Server) });
        await connection.Credential.ValidateAsync(default);
        Assert.Equal(1, Server.State.Auth.IssuedTokens);
    }

    [Fact]
    public async Task A_client_clock_five_minutes_off_still_gets_tokens_and_the_skew_is_reported_once()
    {
        foreach (var offset in new[] { TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(-5) })
        {
            using var certificate = AuthTestKit.RsaCertificate();
            var clientId = "skewed-" + offset.TotalMinutes;
            Server.State.Auth.RegisterClientKey(clientId, certificate.GetRSAPublicKey()!);
            var options = new CredentialOptions { Kind = CredentialKind.ClientCredentials, ClientId = clientId, Certificate = certificate, TokenEndpoint = AuthTestKit.TokenEndpoint(Server), Clock = () => DateTimeOffset.UtcNow + offset };
            using var connection = Connect(options);
            await connection.Credential.ValidateAsync(default);
            Assert.InRange(connection.ServerClock.Skew.TotalMinutes, -offset.TotalMinutes - 0.5, -offset.TotalMinutes + 0.5);
            var notices = connection.Credential.DrainNotices();
            Assert.Single(notices, n => n.Contains("clock", StringComparison.OrdinalIgnoreCase));
            await ((TokenCredential)connection.Credential).GetTokenAsync(forceRefresh: true, default); // corrected: no second rejection
            Assert.Empty(connection.Credential.DrainNotices());
            Assert.NotNull(await PromptAsync(connection));
        }
    }

    [Fact]
    public async Task Vertex_with_a_service_account_key_file_uses_rawPredict_and_streamRawPredict()
    {
        var (path, key) = AuthTestKit.ServiceAccountKeyFile(_dir, AuthTestKit.TokenEndpoint(Server));
        Server.State.Auth.RegisterServiceAccount("runbook@claudeps-test.iam.gserviceaccount.com", key);
        using var connection = Connect(new CredentialOptions { Kind = CredentialKind.ServiceAccount, Provider = ClaudeProvider.Vertex, ServiceAccountKeyPath = path, Region = "us-east5" });
        Assert.IsType<VertexDialect>(connection.Options.Dialect);
        Assert.Equal("ServiceAccount", connection.Info.AuthKind);
        var plain = await PromptAsync(connection);
        var streamed = await PromptAsync(connection, stream: true);
        Assert.Equal(plain.Text, streamed.Text);
        Assert.Equal(1, Server.State.Auth.IssuedTokens);
    }

    [Fact]
    public async Task Vertex_requests_have_the_model_in_the_url_and_vertex_version_in_the_body()
    {
        var dialect = new VertexDialect("europe-west1", "my-project");
        var uri = dialect.MessagesUri(new Uri("https://europe-west1-aiplatform.googleapis.com/"), "claude-sonnet-4-5@20250929", stream: true);
        Assert.Equal("https://europe-west1-aiplatform.googleapis.com/v1/projects/my-project/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict", uri.ToString());
        var body = Encoding.UTF8.GetString(dialect.MessagesBody(MessageRequest.ForPrompt("hi", "claude-sonnet-4-5"), stream: false));
        Assert.Contains("\"anthropic_version\":\"vertex-2023-10-16\"", body);
        Assert.DoesNotContain("\"model\"", body);
        Assert.Equal(new Uri("https://aiplatform.googleapis.com/"), new VertexDialect("global", "p").DefaultBaseUri);
        Assert.Throws<ClaudeException>(() => new VertexDialect("", "p"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Workload_identity_federation_exchanges_a_token_read_from_a_file_at_Anthropics_token_endpoint()
    {
        using var issuerKey = RSA.Create(2048);
        Server.State.Auth.RegisterFederation("fdrl_test", "00000000-0000-0000-0000-00000000000a", "https://issuer.example.test", issuerKey);
        var tokenFile = Path.Combine(_dir, "identity-token");
        File.WriteAllText(tokenFile, IdentityToken(issuerKey, "https://issuer.example.test"));
        using var connection = Connect(new CredentialOptions
        {
            Kind = CredentialKind.IdentityToken, IdentityTokenPath = tokenFile, FederationRuleId = "fdrl_test", OrganizationId = "00000000-0000-0000-0000-00000000000a", ServiceAccountId = "svac_test",
        });
        Assert.Contains(FederatedTokenSource.OAuthApiBeta, connection.Options.Betas);
        Assert.Equal("WorkloadIdentity", connection.Info.AuthKind);
        Assert.NotNull(await PromptAsync(connection));

        File.WriteAllText(tokenFile, IdentityToken(issuerKey, "https://someone-else.example.test")); // re-read on every exchange
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => ((TokenCredential)connection.Credential).GetTokenAsync(true, default).AsTask());
        Assert.Equal("ClaudePS.TokenRequestRejected", ex.Error.ErrorId);
    }

    [Fact]
    public async Task Managed_identity_reads_the_configurable_metadata_endpoint()
    {
        Server.State.Auth.ManagedIdentityClientIds["11111111-2222-3333-4444-555555555555"] = 0;
        using var connection = Connect(new CredentialOptions
        {
            Kind = CredentialKind.ManagedIdentity, Provider = ClaudeProvider.Gateway, TokenScope = "api://claude-gateway/.default",
            IdentityEndpoint = new Uri(Server.BaseUri, "metadata/identity/oauth2/token"), IdentityClientId = "11111111-2222-3333-4444-555555555555",
        });
        var (value, expiresOn) = await connection.Credential.GetBearerTokenAsync(false, default) is { } t ? (t.Value, t.ExpiresOn) : default;
        Assert.StartsWith("emu-at-", value);
        Assert.NotNull(expiresOn);
        Assert.Equal("ManagedIdentity", connection.Info.AuthKind);
        Assert.NotNull(await PromptAsync(connection));
    }

    [Fact]
    public async Task Sixty_four_callers_over_more_than_three_token_lifetimes_never_fail_for_auth()
    {
        const int lifetimeSeconds = 100, stepSeconds = 20, steps = 18, callers = 64; // 340 s of token time: 3.4 lifetimes
        var auth = Server.State.Auth;
        auth.TokenLifetimeSeconds = lifetimeSeconds;
        auth.RegisterClientSecret("load-app", "load-secret-0123456789");
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        var credential = Connect(new CredentialOptions
        {
            Kind = CredentialKind.ClientCredentials, ClientId = "load-app", ClientSecret = "load-secret-0123456789", TokenEndpoint = AuthTestKit.TokenEndpoint(Server), Clock = clock.Func,
        }).Credential;
        using var retry = new AuthRetryHandler(credential);
        using var http = new HttpClient(retry);
        int failed = 0, revokedAtStep = 9;
        for (int step = 0; step < steps; step++)
        {
            if (step == revokedAtStep) auth.Revoke(auth.LatestValidToken()!); // mid-run revocation
            var statuses = await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
            {
                using var res = await http.SendAsync(AuthTestKit.MessagesRequest(Server));
                return res.StatusCode;
            }));
            failed += statuses.Count(s => s != HttpStatusCode.OK);
            // Move both clocks: the client's cache and the emulator's expiry.
            clock.Advance(TimeSpan.FromSeconds(stepSeconds));
            auth.ClockOffset += TimeSpan.FromSeconds(stepSeconds);
            // Let a background refresh started in this step finish before the clock moves on, so a slow
            // machine cannot turn one refresh into two.
            var tokens = (TokenCredential)credential;
            await TokenCacheTests.WaitUntil(() => Task.FromResult(auth.IssuedTokens), issued => issued >= tokens.TokenRequests);
        }
        Assert.Equal(0, failed);
        Assert.True(retry.Unauthorized > 0, "the revoked token should have met 401s");
        // One token at a time, each renewed at 80 % of its 100 s: obtained at 0, 80 and 160 s, at 180 s
        // after the revocation, then at 260 and 340 s. A duplicate refresh or a second one for the
        // revocation would make it seven.
        Assert.Equal(6, auth.IssuedTokens);
    }

    private static string IdentityToken(RSA key, string issuer)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = B64(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"));
        var payload = B64(Encoding.UTF8.GetBytes($"{{\"iss\":\"{issuer}\",\"sub\":\"repo:claudeps/ci\",\"aud\":\"https://api.anthropic.com\",\"iat\":{now},\"exp\":{now + 600}}}"));
        var signature = B64(key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return header + "." + payload + "." + signature;
    }
}
