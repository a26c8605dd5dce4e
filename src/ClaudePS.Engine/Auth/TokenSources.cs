using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ClaudePS.Engine.Auth;

/// <summary>Rules every token source shares: where tokens may be sent, and the one retry after a clock-skew discovery.</summary>
internal static class TokenRequests
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>Secrets and assertions go over https only; plain http only to this machine (the emulator, a local proxy).</summary>
    public static Uri RequireSecure(Uri endpoint, string parameter)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != "https" && endpoint.Scheme != "http"))
            throw AssertionSigner.Invalid("ClaudePS.TokenEndpointInvalid", $"'{endpoint}' is not an http(s) URI. Give the issuer's token endpoint with {parameter}.");
        if (endpoint.Scheme == "http" && !endpoint.IsLoopback)
            throw AssertionSigner.Invalid("ClaudePS.TokenEndpointInsecure",
                $"The token endpoint {endpoint.GetLeftPart(UriPartial.Authority)} is plain http: the credential would cross the network unencrypted. Use its https address ({parameter}).");
        if (!string.IsNullOrEmpty(endpoint.UserInfo))
            throw AssertionSigner.Invalid("ClaudePS.TokenEndpointInvalid", $"The token endpoint must not carry a user name or password ({parameter}).");
        return endpoint;
    }

    /// <summary>Runs <paramref name="attempt"/>; when it failed and its reply revealed a new clock skew, a freshly
    /// built assertion (the attempt reads the corrected clock) is sent once more.</summary>
    public static async Task<AccessToken> RunAsync(TokenEndpointClient client, bool usesAssertion, Func<Task<TokenReply>> attempt)
    {
        var sentAt = client.Clock.LocalNow;
        var reply = await attempt().ConfigureAwait(false);
        if (reply.Error is not null && usesAssertion && reply.SkewChanged)
        {
            sentAt = client.Clock.LocalNow;
            reply = await attempt().ConfigureAwait(false);
        }
        if (reply.Error is { } error) throw new ClaudeException(error);
        return reply.ToToken(sentAt, client.Clock);
    }
}

/// <summary>
/// OAuth 2.0 client credentials grant (RFC 6749 §4.4): with a client secret in the body, or with a
/// signed client assertion (RFC 7523 §2.2, <c>private_key_jwt</c> / <c>client_secret_jwt</c>).
/// </summary>
public sealed class ClientCredentialsSource : ITokenSource
{
    /// <summary>Client assertions live briefly: they are single-use proofs.</summary>
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);

    private readonly TokenEndpointClient _client;
    private readonly Uri _endpoint;
    private readonly string _clientId;
    private readonly string? _scope;
    private readonly string? _secret;
    private readonly AssertionSigner? _signer;

    private ClientCredentialsSource(TokenEndpointClient client, Uri endpoint, string clientId, string? scope, string? secret, AssertionSigner? signer, string source, string keyPart)
    {
        _client = client;
        _endpoint = TokenRequests.RequireSecure(endpoint, "-TokenEndpoint");
        _clientId = string.IsNullOrWhiteSpace(clientId) ? throw AssertionSigner.Invalid("ClaudePS.ClientIdMissing", "The client id is empty. Pass -ClientId.") : clientId.Trim();
        _scope = string.IsNullOrWhiteSpace(scope) ? null : scope!.Trim();
        _secret = secret;
        _signer = signer;
        Source = source;
        CacheKey = $"{_endpoint}|{_clientId}|{_scope}|{keyPart}";
    }

    /// <summary>Sends the client secret itself (client_secret_post).</summary>
    public static ClientCredentialsSource WithSecret(TokenEndpointClient client, Uri endpoint, string clientId, string? scope, string clientSecret, string source = "-ClientSecret") =>
        new(client, endpoint, clientId, scope, ApiKeyCredential.RequireSecret(clientSecret, "client secret", "-ClientSecret"), null, source,
            "secret:" + TokenEndpointClient.Digest(clientSecret));

    /// <summary>Sends an assertion signed by <paramref name="signer"/> (certificate or shared secret).</summary>
    public static ClientCredentialsSource WithAssertion(TokenEndpointClient client, Uri endpoint, string clientId, string? scope, AssertionSigner signer, string source) =>
        new(client, endpoint, clientId, scope, null, signer, source, "assertion:" + TokenEndpointClient.Digest(signer.Description, signer.Algorithm, signer.KeyDigest));

    public string AuthKind => "OAuthClientCredentials";
    public string Source { get; }
    public string CacheKey { get; }

    public Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
        TokenRequests.RunAsync(_client, _signer is not null, () =>
        {
            var fields = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "client_credentials"),
                new("client_id", _clientId),
            };
            if (_scope is not null) fields.Add(new("scope", _scope));
            if (_signer is null) fields.Add(new("client_secret", _secret!));
            else
            {
                var claims = AssertionSigner.StandardClaims(_client.Clock, _clientId, _clientId, _endpoint.ToString(), AssertionLifetime);
                fields.Add(new("client_assertion_type", TokenRequests.ClientAssertionType));
                fields.Add(new("client_assertion", _signer.Sign(claims)));
            }
            return _client.PostFormAsync(_endpoint, fields, $"client credentials for {_clientId}", cancellationToken);
        });

    public override string ToString() => $"{AuthKind} ({Source})";
}

/// <summary>
/// The JWT bearer grant (RFC 7523 §2.1) with a Google service-account key: the assertion names the
/// service account and the scope, and is signed with the key file's private key. Used for Vertex AI.
/// </summary>
public sealed class ServiceAccountSource : ITokenSource
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    private readonly TokenEndpointClient _client;
    private readonly ServiceAccountKey _key;
    private readonly Uri _endpoint;
    private readonly string _scope;
    private readonly AssertionSigner _signer;

    public ServiceAccountSource(TokenEndpointClient client, ServiceAccountKey key, Uri? tokenEndpoint = null, string? scope = null)
    {
        _client = client;
        _key = key;
        _endpoint = TokenRequests.RequireSecure(tokenEndpoint ?? key.TokenUri, "-TokenEndpoint (or token_uri in the key file)");
        _scope = string.IsNullOrWhiteSpace(scope) ? CloudPlatformScope : scope!.Trim();
        _signer = key.CreateSigner();
        CacheKey = $"{_endpoint}|{key.ClientEmail}|{_scope}|{key.PrivateKeyId}";
    }

    public string AuthKind => "ServiceAccount";
    public string Source => "service account " + _key.ClientEmail;
    public string CacheKey { get; }

    public Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
        TokenRequests.RunAsync(_client, true, () =>
        {
            var claims = AssertionSigner.StandardClaims(_client.Clock, _key.ClientEmail, null, _endpoint.ToString(), AssertionLifetime);
            claims["scope"] = _scope;
            return _client.PostFormAsync(_endpoint, new[]
            {
                new KeyValuePair<string, string>("grant_type", TokenRequests.JwtBearerGrant),
                new KeyValuePair<string, string>("assertion", _signer.Sign(claims)),
            }, $"JWT bearer grant for {_key.ClientEmail}", cancellationToken);
        });

    public override string ToString() => $"{AuthKind} ({Source})";
}

/// <summary>Where a workload's external identity token (an OIDC JWT from its platform) is read from: a
/// file, re-read on every exchange because platforms rotate it in place, or an environment variable.</summary>
public sealed class IdentityTokenReader
{
    private readonly Func<string?> _read;

    private IdentityTokenReader(Func<string?> read, string description)
    {
        _read = read;
        Description = description;
    }

    public string Description { get; }

    public static IdentityTokenReader FromFile(string path) => new(() =>
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.IdentityTokenUnreadable", ClaudeErrorCategory.ReadError,
                $"The identity token file {path} cannot be read: {ex.Message} Check -IdentityTokenPath and that the platform projects the token there."));
        }
    }, "file " + path);

    public static IdentityTokenReader FromVariable(string name, System.Collections.IDictionary? environment = null) =>
        new(() => environment is null ? Environment.GetEnvironmentVariable(name) : CredentialResolver.Get(environment, name), "environment variable " + name);

    public string Read()
    {
        var token = _read()?.Trim();
        if (string.IsNullOrEmpty(token))
            throw new ClaudeException(new ClaudeError("ClaudePS.IdentityTokenMissing", ClaudeErrorCategory.ObjectNotFound,
                $"The identity token ({Description}) is empty. Check that the workload's platform issues one there."));
        return token!;
    }
}

/// <summary>Settings of Anthropic's workload identity federation (the Claude Console's federation rule).</summary>
public sealed class AnthropicFederation
{
    public string FederationRuleId { get; init; } = "";
    public string OrganizationId { get; init; } = "";
    public string? ServiceAccountId { get; init; }
    public string? WorkspaceId { get; init; }
}

/// <summary>
/// Workload identity federation: exchanges an external identity token for an access token with the
/// JWT bearer grant (RFC 7523). Against Anthropic's <c>/v1/oauth/token</c> the body is JSON with the
/// federation rule, organisation and service account, and the exchange carries
/// <c>anthropic-beta: oidc-federation-2026-04-01</c> (as Anthropic's WIF reference specifies);
/// against any other token endpoint it is the standard form-encoded grant.
/// </summary>
public sealed class FederatedTokenSource : ITokenSource
{
    public const string FederationBeta = "oidc-federation-2026-04-01";
    /// <summary>The anthropic-beta value API requests carry with a federated token.</summary>
    public const string OAuthApiBeta = "oauth-2025-04-20";

    private readonly TokenEndpointClient _client;
    private readonly Uri _endpoint;
    private readonly IdentityTokenReader _identity;
    private readonly AnthropicFederation? _anthropic;
    private readonly string? _clientId;
    private readonly string? _scope;

    private FederatedTokenSource(TokenEndpointClient client, Uri endpoint, IdentityTokenReader identity, AnthropicFederation? anthropic, string? clientId, string? scope)
    {
        _client = client;
        _endpoint = TokenRequests.RequireSecure(endpoint, "-TokenEndpoint");
        _identity = identity;
        _anthropic = anthropic;
        _clientId = clientId;
        _scope = scope;
        CacheKey = anthropic is null
            ? $"{_endpoint}|{clientId}|{scope}|{identity.Description}"
            : $"{_endpoint}|{anthropic.OrganizationId}|{anthropic.FederationRuleId}|{anthropic.ServiceAccountId}|{anthropic.WorkspaceId}|{identity.Description}";
    }

    /// <summary>Anthropic's token endpoint: <paramref name="apiBase"/>/v1/oauth/token.</summary>
    public static FederatedTokenSource ForAnthropic(TokenEndpointClient client, Uri apiBase, IdentityTokenReader identity, AnthropicFederation federation)
    {
        if (string.IsNullOrWhiteSpace(federation.FederationRuleId) || string.IsNullOrWhiteSpace(federation.OrganizationId))
            throw AssertionSigner.Invalid("ClaudePS.FederationIncomplete",
                "Workload identity federation with Anthropic needs -FederationRuleId (fdrl_...) and -OrganizationId (or ANTHROPIC_FEDERATION_RULE_ID and ANTHROPIC_ORGANIZATION_ID).");
        return new(client, new Uri(new Uri(apiBase.ToString().TrimEnd('/') + "/"), "v1/oauth/token"), identity, federation, null, null);
    }

    /// <summary>Any OAuth token endpoint that accepts the JWT bearer grant (a gateway's issuer).</summary>
    public static FederatedTokenSource ForTokenEndpoint(TokenEndpointClient client, Uri tokenEndpoint, IdentityTokenReader identity, string? clientId, string? scope) =>
        new(client, tokenEndpoint, identity, null, string.IsNullOrWhiteSpace(clientId) ? null : clientId, string.IsNullOrWhiteSpace(scope) ? null : scope);

    public string AuthKind => "WorkloadIdentity";
    public string Source => "identity token from " + _identity.Description;
    public string CacheKey { get; }
    public Uri TokenEndpoint => _endpoint;

    public Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
        TokenRequests.RunAsync(_client, false, () =>
        {
            var assertion = _identity.Read(); // re-read: platforms rotate projected tokens in place
            if (_anthropic is null)
            {
                var fields = new List<KeyValuePair<string, string>> { new("grant_type", TokenRequests.JwtBearerGrant), new("assertion", assertion) };
                if (_clientId is not null) fields.Add(new("client_id", _clientId));
                if (_scope is not null) fields.Add(new("scope", _scope));
                return _client.PostFormAsync(_endpoint, fields, "identity token exchange", cancellationToken);
            }
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("grant_type", TokenRequests.JwtBearerGrant);
                w.WriteString("assertion", assertion);
                w.WriteString("federation_rule_id", _anthropic.FederationRuleId);
                w.WriteString("organization_id", _anthropic.OrganizationId);
                if (!string.IsNullOrWhiteSpace(_anthropic.ServiceAccountId)) w.WriteString("service_account_id", _anthropic.ServiceAccountId);
                if (!string.IsNullOrWhiteSpace(_anthropic.WorkspaceId)) w.WriteString("workspace_id", _anthropic.WorkspaceId);
                w.WriteEndObject();
            }
            return _client.PostJsonAsync(_endpoint, buffer.ToArray(), "workload identity federation", cancellationToken, new[]
            {
                new KeyValuePair<string, string>("anthropic-beta", FederationBeta),
                new KeyValuePair<string, string>("anthropic-version", Connections.ClaudeConnectionOptions.DefaultAnthropicVersion),
            });
        });

    public override string ToString() => $"{AuthKind} ({Source})";
}

/// <summary>
/// Azure managed identity: the token comes from the instance metadata service (VMs, AKS, Arc:
/// <c>Metadata: true</c>, api-version 2018-02-01) or, where IDENTITY_ENDPOINT and IDENTITY_HEADER are set
/// (App Service, Functions, Azure Automation), from that endpoint with <c>X-IDENTITY-HEADER</c>.
/// The endpoint is configurable; it is plain http by design (it never leaves the host).
/// </summary>
public sealed class ManagedIdentitySource : ITokenSource
{
    public static readonly Uri ImdsEndpoint = new("http://169.254.169.254/metadata/identity/oauth2/token");
    public const string EndpointVariable = "IDENTITY_ENDPOINT";
    public const string HeaderVariable = "IDENTITY_HEADER";

    private readonly TokenEndpointClient _client;
    private readonly Uri _endpoint;
    private readonly string _resource;
    private readonly string? _clientId;
    private readonly string? _identityHeader;

    /// <param name="resource">The gateway's application ID URI; a trailing /.default (scope form) is removed.</param>
    /// <param name="identityHeader">The App Service secret (IDENTITY_HEADER); null for the instance metadata service.</param>
    public ManagedIdentitySource(TokenEndpointClient client, Uri endpoint, string resource, string? clientId = null, string? identityHeader = null)
    {
        if (string.IsNullOrWhiteSpace(resource))
            throw AssertionSigner.Invalid("ClaudePS.TokenScopeRequired",
                "A managed identity token is issued for a resource: pass -TokenScope with the gateway's application ID URI (e.g. api://my-gateway).");
        _client = client;
        _endpoint = endpoint;
        _resource = resource.Trim();
        if (_resource.EndsWith("/.default", StringComparison.OrdinalIgnoreCase)) _resource = _resource.Substring(0, _resource.Length - "/.default".Length);
        _clientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId!.Trim();
        _identityHeader = identityHeader;
        CacheKey = $"{_endpoint}|{_resource}|{_clientId}";
    }

    /// <summary>Picks the endpoint: <paramref name="endpoint"/> when given, else IDENTITY_ENDPOINT (+ IDENTITY_HEADER), else the metadata service.</summary>
    public static ManagedIdentitySource Create(TokenEndpointClient client, string resource, string? clientId, Uri? endpoint, System.Collections.IDictionary environment)
    {
        var header = CredentialResolver.Get(environment, HeaderVariable);
        if (endpoint is null && CredentialResolver.Get(environment, EndpointVariable) is { } fromEnv && header is not null
            && Uri.TryCreate(fromEnv, UriKind.Absolute, out var envUri))
            return new ManagedIdentitySource(client, envUri, resource, clientId, header);
        return new ManagedIdentitySource(client, endpoint ?? ImdsEndpoint, resource, clientId, endpoint is null ? null : header);
    }

    public string AuthKind => "ManagedIdentity";
    public string Source => _clientId is null ? "system-assigned managed identity" : "user-assigned managed identity " + _clientId;
    public string CacheKey { get; }

    public Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
        TokenRequests.RunAsync(_client, false, () =>
        {
            var query = $"api-version={(_identityHeader is null ? "2018-02-01" : "2019-08-01")}&resource={Uri.EscapeDataString(_resource)}";
            if (_clientId is not null) query += "&client_id=" + Uri.EscapeDataString(_clientId);
            var uri = new UriBuilder(_endpoint) { Query = query }.Uri;
            var header = _identityHeader is null
                ? new KeyValuePair<string, string>("Metadata", "true")
                : new KeyValuePair<string, string>("X-IDENTITY-HEADER", _identityHeader);
            return _client.GetAsync(uri, _endpoint, "managed identity", cancellationToken, new[] { header });
        });

    public override string ToString() => $"{AuthKind} ({Source})";
}
