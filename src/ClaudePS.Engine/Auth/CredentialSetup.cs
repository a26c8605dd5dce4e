using System;
using System.Collections;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;

namespace ClaudePS.Engine.Auth;

/// <summary>Where requests go: the Anthropic API, Google Vertex AI, or a gateway in front of either.</summary>
public enum ClaudeProvider
{
    Anthropic,
    Vertex,
    Gateway,
}

/// <summary>How a connection authenticates: the choice Connect-Claude's parameter set makes.</summary>
public enum CredentialKind
{
    /// <summary>Nothing given: ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, then the federation variables
    /// (GOOGLE_APPLICATION_CREDENTIALS for Vertex AI).</summary>
    Environment,
    /// <summary><see cref="CredentialOptions.ApiKey"/> (-ApiKey, -Credential, a vault secret).</summary>
    ApiKey,
    /// <summary><see cref="CredentialOptions.AccessToken"/>, a fixed bearer token.</summary>
    AccessToken,
    /// <summary>OAuth client credentials: -ClientId with a secret or a certificate.</summary>
    ClientCredentials,
    /// <summary>An Azure managed identity.</summary>
    ManagedIdentity,
    /// <summary>A Google service-account key file (Vertex AI).</summary>
    ServiceAccount,
    /// <summary>Workload identity federation: an identity token from a file or a variable.</summary>
    IdentityToken,
}

/// <summary>
/// The credential part of Connect-Claude in plain C#: <see cref="Kind"/> says how to authenticate (the
/// cmdlet's parameter set decides it) and the properties of that kind carry its values.
/// </summary>
public sealed class CredentialOptions
{
    public CredentialKind Kind { get; set; } = CredentialKind.Environment;
    public ClaudeProvider Provider { get; set; } = ClaudeProvider.Anthropic;

    // Static credentials.
    public string? ApiKey { get; set; }
    public string? AccessToken { get; set; }
    public string SourceName { get; set; } = "parameter";

    // OAuth client credentials.
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>RS256, PS256, ES256 for certificates; HS256 signs an assertion with -ClientSecret instead of sending it.</summary>
    public string? SigningAlgorithm { get; set; }
    public X509Certificate2? Certificate { get; set; }
    public string? CertificateThumbprint { get; set; }
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
    public Uri? TokenEndpoint { get; set; }
    /// <summary>The OAuth scope (client credentials, service account) or resource (managed identity).</summary>
    public string? TokenScope { get; set; }

    // Azure managed identity.
    public string? IdentityClientId { get; set; }
    /// <summary>The metadata endpoint; null means IDENTITY_ENDPOINT or the instance metadata service.</summary>
    public Uri? IdentityEndpoint { get; set; }

    // Google service account (Vertex AI).
    public string? ServiceAccountKeyPath { get; set; }
    public string? Region { get; set; }
    public string? ProjectId { get; set; }

    // Workload identity federation.
    public string? IdentityTokenPath { get; set; }
    public string? IdentityTokenVariable { get; set; }
    public string? FederationRuleId { get; set; }
    public string? OrganizationId { get; set; }
    public string? ServiceAccountId { get; set; }
    public string? WorkspaceId { get; set; }

    /// <summary>Keep tokens on disk for this user (Connect-Claude -Scope CurrentUser).</summary>
    public bool PersistTokens { get; set; }
    public TokenRefreshPolicy RefreshPolicy { get; set; } = TokenRefreshPolicy.Default;
    /// <summary>Replaced by tests (a fake clock, the emulator's handler).</summary>
    public Func<DateTimeOffset>? Clock { get; set; }
    public HttpMessageHandler? TokenHandler { get; set; }
}

/// <summary>Turns <see cref="CredentialOptions"/> into the connection's credential, dialect, endpoint and betas.</summary>
public static class CredentialSetup
{
    public const string VertexRegionVariable = "CLOUD_ML_REGION";
    public const string VertexProjectVariable = "ANTHROPIC_VERTEX_PROJECT_ID";
    public const string GoogleCredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";
    public const string FederationRuleVariable = "ANTHROPIC_FEDERATION_RULE_ID";
    public const string OrganizationVariable = "ANTHROPIC_ORGANIZATION_ID";
    public const string ServiceAccountVariable = "ANTHROPIC_SERVICE_ACCOUNT_ID";
    public const string WorkspaceVariable = "ANTHROPIC_WORKSPACE_ID";
    public const string IdentityTokenFileVariable = "ANTHROPIC_IDENTITY_TOKEN_FILE";
    public const string IdentityTokenVariable = "ANTHROPIC_IDENTITY_TOKEN";

    /// <summary>Fills <paramref name="connection"/>'s Credential, Dialect, BaseUris and Betas from <paramref name="options"/>.</summary>
    public static void Apply(CredentialOptions options, ClaudeConnectionOptions connection, IDictionary? environment = null)
    {
        environment ??= CredentialResolver.ProcessEnvironment();
        var notices = new AuthNotices();
        var clock = new ServerClock(options.Clock);
        TokenEndpointClient Http(bool direct = false) => new(CreateHttp(options, connection, environment, direct), clock, notices);
        TokenCredential Cached(ITokenSource source) => new(source, new TokenCredentialOptions
        {
            RefreshPolicy = options.RefreshPolicy,
            Cache = connection.Services.Tokens,
            Clock = options.Clock,
            PersistentStore = options.PersistTokens ? PersistentTokenStore.ForCurrentUser() : null,
            ServerClock = clock,
        }, notices);

        if (options.Provider == ClaudeProvider.Vertex)
        {
            var keyPath = options.Kind switch
            {
                CredentialKind.ServiceAccount => Given(options.ServiceAccountKeyPath, nameof(options.ServiceAccountKeyPath)),
                CredentialKind.Environment => CredentialResolver.Get(environment, GoogleCredentialsVariable)
                    ?? throw NoCredential("Vertex AI needs -ServiceAccountKeyPath, -AccessToken, or GOOGLE_APPLICATION_CREDENTIALS naming a service-account key file."),
                _ => null,
            };
            var key = keyPath is null ? null : ServiceAccountKey.Load(keyPath);
            var region = options.Region ?? CredentialResolver.Get(environment, VertexRegionVariable);
            var project = options.ProjectId ?? CredentialResolver.Get(environment, VertexProjectVariable) ?? key?.ProjectId;
            var dialect = new VertexDialect(region ?? "", project ?? "");
            connection.Dialect = dialect;
            if (connection.BaseUris.Count == 0) connection.BaseUris.Add(dialect.DefaultBaseUri);
            if (key is not null)
            {
                connection.Credential = Cached(new ServiceAccountSource(Http(), key, options.TokenEndpoint, options.TokenScope));
                return;
            }
        }
        if (options.Provider == ClaudeProvider.Gateway && connection.BaseUris.Count == 0 && CredentialResolver.Get(environment, CredentialResolver.BaseUrlVariable) is null)
            throw Invalid("ClaudePS.GatewayNeedsBaseUri", "-Provider Gateway needs -BaseUri (the gateway's address) or ANTHROPIC_BASE_URL.");

        switch (options.Kind)
        {
            case CredentialKind.ApiKey:
                connection.Credential = new ApiKeyCredential(Given(options.ApiKey, nameof(options.ApiKey)), options.SourceName);
                break;
            case CredentialKind.AccessToken:
                connection.Credential = new BearerTokenCredential(Given(options.AccessToken, nameof(options.AccessToken)), options.SourceName);
                break;
            case CredentialKind.ManagedIdentity:
                connection.Credential = Cached(ManagedIdentitySource.Create(Http(direct: true), options.TokenScope ?? "", options.IdentityClientId, options.IdentityEndpoint, environment));
                break;
            case CredentialKind.ClientCredentials:
                connection.Credential = Cached(ClientCredentials(options, Http()));
                break;
            case CredentialKind.IdentityToken:
                connection.Credential = Federated(options, connection, environment, Http(), Cached,
                    options.IdentityTokenPath is not null ? IdentityTokenReader.FromFile(options.IdentityTokenPath)
                    : IdentityTokenReader.FromVariable(Given(options.IdentityTokenVariable, nameof(options.IdentityTokenVariable)), environment));
                break;
            case CredentialKind.Environment when options.Provider == ClaudeProvider.Anthropic && connection.Credential is null
                 && CredentialResolver.Get(environment, CredentialResolver.ApiKeyVariable) is null
                 && CredentialResolver.Get(environment, CredentialResolver.AuthTokenVariable) is null
                 && CredentialResolver.Get(environment, FederationRuleVariable) is not null:
                // As the SDKs do: an API key in the environment wins; federation variables come next.
                var reader = CredentialResolver.Get(environment, IdentityTokenFileVariable) is { } file ? IdentityTokenReader.FromFile(file)
                    : CredentialResolver.Get(environment, IdentityTokenVariable) is not null ? IdentityTokenReader.FromVariable(IdentityTokenVariable, environment)
                    : throw NoCredential($"{FederationRuleVariable} is set, but neither {IdentityTokenFileVariable} nor {IdentityTokenVariable} says where the identity token is.");
                connection.Credential = Federated(options, connection, environment, Http(), Cached, reader);
                break;
        }
        // Environment otherwise: ClaudeConnection.Create reads ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN.
    }

    /// <summary>The value <see cref="CredentialOptions.Kind"/> needs; a host that chose a kind without it made a programming error.</summary>
    private static string Given(string? value, string property) =>
        value ?? throw Invalid("ClaudePS.CredentialIncomplete", $"The credential kind needs {property}, which is not set.");

    private static ClientCredentialsSource ClientCredentials(CredentialOptions o, TokenEndpointClient http)
    {
        var endpoint = o.TokenEndpoint ?? throw Invalid("ClaudePS.TokenEndpointMissing", "Client credentials need -TokenEndpoint (the identity provider's OAuth 2.0 token endpoint).");
        X509Certificate2? certificate = o.Certificate
            ?? (o.CertificateThumbprint is not null ? CertificateLoader.FromThumbprint(o.CertificateThumbprint)
            : o.CertificatePath is not null ? CertificateLoader.FromFile(o.CertificatePath, o.CertificatePassword) : null);
        if (certificate is not null)
            return ClientCredentialsSource.WithAssertion(http, endpoint, o.ClientId!, o.TokenScope, AssertionSigner.FromCertificate(certificate, o.SigningAlgorithm),
                $"-ClientId {o.ClientId} with certificate {certificate.Thumbprint}");
        if (o.ClientSecret is null) throw Invalid("ClaudePS.ClientSecretMissing", "-ClientId needs -ClientSecret, a certificate (-CertificateThumbprint, -Certificate, -CertificatePath), or -IdentityTokenPath.");
        if (string.Equals(o.SigningAlgorithm, "HS256", StringComparison.OrdinalIgnoreCase))
            return ClientCredentialsSource.WithAssertion(http, endpoint, o.ClientId!, o.TokenScope, AssertionSigner.FromSharedSecret(o.ClientSecret), $"-ClientId {o.ClientId} with a client secret (HS256 assertion)");
        if (o.SigningAlgorithm is not null)
            throw Invalid("ClaudePS.SigningAlgorithmMismatch", $"-SigningAlgorithm {o.SigningAlgorithm} needs a certificate; with -ClientSecret only HS256 applies.");
        return ClientCredentialsSource.WithSecret(http, endpoint, o.ClientId!, o.TokenScope, o.ClientSecret, $"-ClientId {o.ClientId} with a client secret");
    }

    private static ICredentialProvider Federated(CredentialOptions o, ClaudeConnectionOptions connection, IDictionary environment, TokenEndpointClient http,
        Func<ITokenSource, TokenCredential> cached, IdentityTokenReader reader)
    {
        if (o.Provider == ClaudeProvider.Anthropic && o.TokenEndpoint is null)
        {
            var apiBase = connection.BaseUris.Count > 0 ? connection.BaseUris[0]
                : ClaudeConnection.ParseBaseUri(CredentialResolver.Get(environment, CredentialResolver.BaseUrlVariable) ?? ClaudeConnectionOptions.DefaultBaseUri);
            var federation = new AnthropicFederation
            {
                FederationRuleId = o.FederationRuleId ?? CredentialResolver.Get(environment, FederationRuleVariable) ?? "",
                OrganizationId = o.OrganizationId ?? CredentialResolver.Get(environment, OrganizationVariable) ?? "",
                ServiceAccountId = o.ServiceAccountId ?? CredentialResolver.Get(environment, ServiceAccountVariable),
                WorkspaceId = o.WorkspaceId ?? CredentialResolver.Get(environment, WorkspaceVariable),
            };
            // Anthropic's OAuth tokens need this beta on every API request.
            if (!connection.Betas.Contains(FederatedTokenSource.OAuthApiBeta)) connection.Betas.Add(FederatedTokenSource.OAuthApiBeta);
            return cached(FederatedTokenSource.ForAnthropic(http, apiBase, reader, federation));
        }
        var endpoint = o.TokenEndpoint ?? throw Invalid("ClaudePS.TokenEndpointMissing", "Exchanging an identity token with a gateway's issuer needs -TokenEndpoint.");
        return cached(FederatedTokenSource.ForTokenEndpoint(http, endpoint, reader, o.ClientId, o.TokenScope));
    }

    /// <param name="direct">No proxy: the managed identity endpoint is on this host or link-local.</param>
    private static HttpClient CreateHttp(CredentialOptions options, ClaudeConnectionOptions connection, IDictionary environment, bool direct) =>
        options.TokenHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false) { Timeout = TokenEndpointClient.Timeout }
            : HttpHandlerFactory.CreateClient(HttpHandlerFactory.ProxyFor(connection, environment), 16, TokenEndpointClient.Timeout, direct);

    /// <summary>-SecretName without the SecretManagement module.</summary>
    public static ClaudeError SecretManagementMissing() =>
        new("ClaudePS.SecretManagementMissing", ClaudeErrorCategory.ObjectNotFound,
            "-SecretName reads the key through Get-Secret, but the Microsoft.PowerShell.SecretManagement module is not available. " +
            "Install it (Install-PSResource Microsoft.PowerShell.SecretManagement, plus a vault extension such as Microsoft.PowerShell.SecretStore) and register a vault.");

    /// <summary>Get-Secret failed or returned something that is not a secret string.</summary>
    public static ClaudeError VaultSecretUnavailable(string name, string? vault, string why) =>
        new("ClaudePS.VaultSecretUnavailable", ClaudeErrorCategory.ReadError,
            $"The secret '{name}'{(vault is null ? "" : $" in vault '{vault}'")} could not be used: {why}. Check the name with Get-SecretInfo, and unlock the vault (Unlock-SecretStore) in unattended sessions.");

    private static ClaudeException Invalid(string id, string message) => AssertionSigner.Invalid(id, message);

    private static ClaudeException NoCredential(string message) =>
        new(new ClaudeError("ClaudePS.NoCredential", ClaudeErrorCategory.AuthenticationError, message));
}
