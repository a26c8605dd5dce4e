using System;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Connects to the Claude API (or Vertex AI, or a gateway) and makes the connection the session's default.
/// One parameter set per way of authenticating, named as Connect-AzAccount / Connect-MgGraph name them:
/// -ApiKey / -Credential / -AccessToken; -ClientId with -ClientSecret, -CertificateThumbprint,
/// -Certificate or -CertificatePath (OAuth client credentials against -TokenEndpoint); -Identity (Azure
/// managed identity); -ServiceAccountKeyPath (Google service account, Vertex AI); -IdentityTokenPath /
/// -IdentityTokenVariable (workload identity federation); -SecretName (SecretManagement vault).
/// Without any: ANTHROPIC_API_KEY, then ANTHROPIC_AUTH_TOKEN, then the ANTHROPIC_FEDERATION_* variables.
/// Names: -Scope Process|CurrentUser is where tokens are cached (as Connect-AzAccount -Scope);
/// -TokenScope is the OAuth scope / resource the token is requested for. Token-based credentials are
/// proven at connect time by getting a token: a wrong secret is a terminating error here.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Claude", DefaultParameterSetName = EnvironmentSet)]
[OutputType(typeof(ClaudeConnectionInfo))]
public sealed class ConnectClaudeCommand : ClaudeAsyncCmdlet
{
    private const string EnvironmentSet = "Environment";
    private const string ApiKeySet = "ApiKey";
    private const string CredentialSet = "Credential";
    private const string AccessTokenSet = "AccessToken";
    private const string ClientSecretSet = "ClientSecret";
    private const string CertificateThumbprintSet = "CertificateThumbprint";
    private const string CertificateSet = "Certificate";
    private const string CertificateFileSet = "CertificateFile";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string ServiceAccountSet = "ServiceAccount";
    private const string IdentityTokenFileSet = "IdentityTokenFile";
    private const string IdentityTokenVariableSet = "IdentityTokenVariable";
    private const string VaultSet = "Vault";

    [Parameter(Mandatory = true, ParameterSetName = ApiKeySet)]
    [ValidateNotNull]
    public SecureString? ApiKey { get; set; }

    /// <summary>The password is the API key; the user name is ignored (handy with credential assets).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>A bearer token for a gateway (sent as Authorization: Bearer).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public SecureString? AccessToken { get; set; }

    /// <summary>The application (client) id at the identity provider.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    /// <summary>A certificate with private key in Cert:\CurrentUser\My or Cert:\LocalMachine\My.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [ValidateNotNull]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>A .pfx/.p12 file (PowerShell 7 also takes PEM with the key).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter(ParameterSetName = CertificateFileSet)]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>RS256 (default for RSA), PS256, ES256 (P-256 keys); HS256 with -ClientSecret signs an assertion instead of sending the secret.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = CertificateFileSet)]
    [ValidateSet("RS256", "PS256", "ES256", "HS256")]
    public string? SigningAlgorithm { get; set; }

    /// <summary>The OAuth 2.0 token endpoint (https).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateThumbprintSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [Parameter(ParameterSetName = ServiceAccountSet)]
    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNull]
    public Uri? TokenEndpoint { get; set; }

    /// <summary>The OAuth scope (e.g. api://my-gateway/.default) or, for -Identity, the resource.</summary>
    [Parameter(ParameterSetName = ClientSecretSet)]
    [Parameter(ParameterSetName = CertificateThumbprintSet)]
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = CertificateFileSet)]
    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = ServiceAccountSet)]
    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? TokenScope { get; set; }

    /// <summary>Azure managed identity (system-assigned, or -IdentityClientId for a user-assigned one).</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    public SwitchParameter Identity { get; set; }

    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [ValidateNotNullOrEmpty]
    public string? IdentityClientId { get; set; }

    /// <summary>The managed identity endpoint; default IDENTITY_ENDPOINT, else the instance metadata service.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [ValidateNotNull]
    public Uri? IdentityEndpoint { get; set; }

    /// <summary>A Google service-account key file (JSON), for -Provider Vertex.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ServiceAccountSet)]
    [ValidateNotNullOrEmpty]
    public string? ServiceAccountKeyPath { get; set; }

    /// <summary>A file holding the workload's identity token (JWT), re-read at every exchange.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdentityTokenFileSet)]
    [ValidateNotNullOrEmpty]
    public string? IdentityTokenPath { get; set; }

    /// <summary>The name of an environment variable holding the workload's identity token.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? IdentityTokenVariable { get; set; }

    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? FederationRuleId { get; set; }

    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? OrganizationId { get; set; }

    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? ServiceAccountId { get; set; }

    [Parameter(ParameterSetName = IdentityTokenFileSet)]
    [Parameter(ParameterSetName = IdentityTokenVariableSet)]
    [ValidateNotNullOrEmpty]
    public string? WorkspaceId { get; set; }

    /// <summary>A secret in a SecretManagement vault (Microsoft.PowerShell.SecretManagement): the API key, or the bearer token for -Provider Gateway.</summary>
    [Parameter(Mandatory = true, ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public string? SecretName { get; set; }

    [Parameter(ParameterSetName = VaultSet)]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    /// <summary>Anthropic (default), Vertex (Google Vertex AI), or Gateway (an API gateway taking bearer tokens).</summary>
    [Parameter]
    [ValidateSet("Anthropic", "Vertex", "Gateway")]
    public string Provider { get; set; } = "Anthropic";

    /// <summary>Vertex AI region (us-east5, europe-west1, global); default CLOUD_ML_REGION.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    /// <summary>Vertex AI project; default ANTHROPIC_VERTEX_PROJECT_ID, then the key file's project_id.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProjectId { get; set; }

    /// <summary>Where tokens are cached: Process (memory, default) or CurrentUser (also on disk, DPAPI / mode 0600).</summary>
    [Parameter]
    [ValidateSet("Process", "CurrentUser")]
    public string Scope { get; set; } = "Process";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? BaseUri { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DefaultModel { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The anthropic-version header to send (2026-10-21 by default); 2023-06-01 keeps sampling parameters.</summary>
    [Parameter]
    [ValidatePattern(@"^\d{4}-\d{2}-\d{2}$")]
    public string? AnthropicVersion { get; set; }

    /// <summary>anthropic-beta values sent on every call of this connection.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Beta { get; set; }

    /// <summary>The effort level (output_config.effort) for every prompt that names none; models that take no effort are sent none.</summary>
    [Parameter]
    [ValidateSet("low", "medium", "high", "xhigh", "max")]
    public string? Effort { get; set; }

    [Parameter]
    public Uri? Proxy { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    [Parameter]
    public SwitchParameter ProxyUseDefaultCredentials { get; set; }

    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 600;

    [Parameter]
    public SwitchParameter AllowUnencryptedConnection { get; set; }

    /// <summary>Labels written to the usage ledger for every call of this connection.</summary>
    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>The most this connection may spend, in USD; a request that could pass it is not sent (terminating error).</summary>
    [Parameter]
    [ValidateRange(0.000001, 1000000000.0)]
    public decimal? MaxCostUsd { get; set; }

    /// <summary>Keeps no usage ledger on disk for this connection (costs are still priced and counted in the metrics).</summary>
    [Parameter]
    public SwitchParameter NoLedger { get; set; }

    /// <summary>Makes one cheap call (count_tokens) to prove the credential works.</summary>
    [Parameter]
    public SwitchParameter Validate { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Retries after the first attempt (default 8; env CLAUDEPS_MAX_RETRIES).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int? MaxRetries { get; set; }

    /// <summary>No retry starts after this many seconds of a call (default 180; env CLAUDEPS_RETRY_BUDGET_SEC).</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int? RetryBudgetSec { get; set; }

    /// <summary>This session's share of the org's requests per minute (env CLAUDEPS_MAX_RPM).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxRequestsPerMinute { get; set; }

    /// <summary>This session's share of the org's input tokens per minute (env CLAUDEPS_MAX_INPUT_TPM).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? MaxInputTokensPerMinute { get; set; }

    /// <summary>This session's share of the org's output tokens per minute (env CLAUDEPS_MAX_OUTPUT_TPM).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? MaxOutputTokensPerMinute { get; set; }

    /// <summary>Requests in flight at once on this connection (default 32; env CLAUDEPS_MAX_CONCURRENCY).</summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int? MaxConcurrency { get; set; }

    /// <summary>Keep temperature-0 replies this many seconds and answer repeats from memory, unbilled (default off; env CLAUDEPS_CACHE_TTL_SEC).</summary>
    [Parameter]
    [ValidateRange(0, 604800)]
    public int? CacheTtlSec { get; set; }

    protected override void EndProcessing()
    {
        ClaudeConnection connection;
        try
        {
            connection = ClaudeConnection.Create(BuildOptions());
        }
        catch (ClaudeException ex)
        {
            ThrowTerminating(ex);
            return;
        }

        // Token-based credentials get their first token now: a wrong secret or an unreadable key fails here.
        bool proven = false;
        try
        {
            RunEngine(async (sink, ct) =>
            {
                await connection.Credential.ValidateAsync(ct).ConfigureAwait(false);
                foreach (var notice in connection.Credential.DrainNotices()) sink.WriteVerbose(notice);
            });
            proven = true;
        }
        finally
        {
            if (!proven) connection.Dispose();
        }

        if (Validate)
        {
            RunEngine(async (sink, ct) =>
            {
                sink.WriteVerbose($"Validating the credential against {connection.Info.Endpoints[0]}.");
                await connection.CheckEndpointAsync(ct).ConfigureAwait(false);
            });
        }

        ConnectionStore.Set(connection);
        WriteVerbose($"Connected '{connection.Info.Name}' to {string.Join(", ", connection.Info.Endpoints)} with {connection.Info.AuthKind} from {connection.Info.CredentialSource}.");
        if (PassThru) WriteObject(connection.Info.WithIsDefault(true));
    }

    private ClaudeConnectionOptions BuildOptions()
    {
        var options = new ClaudeConnectionOptions
        {
            Name = Name ?? "default",
            DefaultModel = DefaultModel,
            DefaultEffort = Effort,
            AnthropicVersion = AnthropicVersion ?? ClaudeConnectionOptions.DefaultAnthropicVersion,
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            Proxy = Proxy,
            ProxyCredential = ProxyCredential?.GetNetworkCredential(),
            ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
            AllowUnencryptedConnection = AllowUnencryptedConnection,
        };
        if (Tag is not null) options.Tags.AddRange(Tag);
        if (Beta is not null) options.Betas.AddRange(Beta.SelectMany(b => b.Split(',')).Select(b => b.Trim()).Where(b => b.Length > 0));
        options.Recording = NoLedger ? UsageRecording.Priced : UsageRecording.Ledger;
        options.MaxCostUsd = MaxCostUsd;
        var resilience = options.Resilience;
        resilience.MaxRetries = MaxRetries;
        resilience.RetryBudget = RetryBudgetSec is { } budget ? TimeSpan.FromSeconds(budget) : null;
        resilience.MaxRequestsPerMinute = MaxRequestsPerMinute;
        resilience.MaxInputTokensPerMinute = MaxInputTokensPerMinute;
        resilience.MaxOutputTokensPerMinute = MaxOutputTokensPerMinute;
        resilience.MaxConcurrency = MaxConcurrency;
        resilience.CacheTtl = CacheTtlSec is { } ttl ? TimeSpan.FromSeconds(ttl) : null;
        if (BaseUri is not null)
            foreach (var uri in BaseUri) options.BaseUris.Add(ClaudeConnection.ParseBaseUri(uri));
        CredentialSetup.Apply(BuildCredentialOptions(), options);
        return options;
    }

    /// <summary>The credential parameters in plain C#: the parameter set is the credential kind.</summary>
    private CredentialOptions BuildCredentialOptions()
    {
        var provider = (ClaudeProvider)Enum.Parse(typeof(ClaudeProvider), Provider, ignoreCase: true);
        var o = new CredentialOptions
        {
            Provider = provider,
            Region = Region,
            ProjectId = ProjectId,
            PersistTokens = string.Equals(Scope, "CurrentUser", StringComparison.OrdinalIgnoreCase),
            TokenEndpoint = TokenEndpoint,
            TokenScope = TokenScope,
            SigningAlgorithm = SigningAlgorithm,
        };
        switch (ParameterSetName)
        {
            case ApiKeySet: o.Kind = CredentialKind.ApiKey; o.ApiKey = SecureStrings.ToPlain(ApiKey!); o.SourceName = "-ApiKey"; break;
            case CredentialSet: o.Kind = CredentialKind.ApiKey; o.ApiKey = SecureStrings.ToPlain(Credential!.Password); o.SourceName = "-Credential"; break;
            case AccessTokenSet: o.Kind = CredentialKind.AccessToken; o.AccessToken = SecureStrings.ToPlain(AccessToken!); o.SourceName = "-AccessToken"; break;
            case ClientSecretSet: o.Kind = CredentialKind.ClientCredentials; o.ClientId = ClientId; o.ClientSecret = SecureStrings.ToPlain(ClientSecret!); break;
            case CertificateThumbprintSet: o.Kind = CredentialKind.ClientCredentials; o.ClientId = ClientId; o.CertificateThumbprint = CertificateThumbprint; break;
            case CertificateSet: o.Kind = CredentialKind.ClientCredentials; o.ClientId = ClientId; o.Certificate = Certificate; break;
            case CertificateFileSet:
                o.Kind = CredentialKind.ClientCredentials;
                o.ClientId = ClientId;
                o.CertificatePath = PSPaths.ResolveOne(this, CertificatePath!, "-CertificatePath");
                o.CertificatePassword = CertificatePassword is null ? null : SecureStrings.ToPlain(CertificatePassword);
                break;
            case ManagedIdentitySet when !Identity.IsPresent:
                throw new ClaudeException(new ClaudeError("ClaudePS.AmbiguousCredential", ClaudeErrorCategory.InvalidArgument,
                    "-TokenScope alone does not say how to authenticate. Add -Identity for a managed identity, or -ClientId with a secret or certificate."));
            case ManagedIdentitySet: o.Kind = CredentialKind.ManagedIdentity; o.IdentityClientId = IdentityClientId; o.IdentityEndpoint = IdentityEndpoint; break;
            case ServiceAccountSet: o.Kind = CredentialKind.ServiceAccount; o.ServiceAccountKeyPath = PSPaths.ResolveOne(this, ServiceAccountKeyPath!, "-ServiceAccountKeyPath"); break;
            case IdentityTokenFileSet:
            case IdentityTokenVariableSet:
                o.Kind = CredentialKind.IdentityToken;
                o.ClientId = ClientId;
                o.IdentityTokenPath = IdentityTokenPath is null ? null : PSPaths.ResolveOne(this, IdentityTokenPath, "-IdentityTokenPath");
                o.IdentityTokenVariable = IdentityTokenVariable;
                o.FederationRuleId = FederationRuleId;
                o.OrganizationId = OrganizationId;
                o.ServiceAccountId = ServiceAccountId;
                o.WorkspaceId = WorkspaceId;
                break;
            case VaultSet:
                var secret = ReadVaultSecret();
                if (provider == ClaudeProvider.Anthropic) (o.Kind, o.ApiKey) = (CredentialKind.ApiKey, secret);
                else (o.Kind, o.AccessToken) = (CredentialKind.AccessToken, secret);
                o.SourceName = Vault is null ? $"vault secret '{SecretName}'" : $"vault '{Vault}' secret '{SecretName}'";
                break;
        }
        return o;
    }

    /// <summary>Get-Secret from Microsoft.PowerShell.SecretManagement; a clear error when the module is absent.</summary>
    private string ReadVaultSecret()
    {
        if (InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function) is null)
            throw new ClaudeException(CredentialSetup.SecretManagementMissing());
        System.Collections.ObjectModel.Collection<PSObject> results;
        try
        {
            results = InvokeCommand.InvokeScript(
                "param($name, $vault) if ($vault) { Get-Secret -Name $name -Vault $vault -ErrorAction Stop } else { Get-Secret -Name $name -ErrorAction Stop }",
                false, PipelineResultTypes.None, null, SecretName, Vault);
        }
        catch (RuntimeException ex)
        {
            throw new ClaudeException(CredentialSetup.VaultSecretUnavailable(SecretName!, Vault, ex.Message));
        }
        return results.Select(r => r?.BaseObject).FirstOrDefault() switch
        {
            SecureString secure => SecureStrings.ToPlain(secure),
            string plain => plain,
            PSCredential credential => SecureStrings.ToPlain(credential.Password),
            _ => throw new ClaudeException(CredentialSetup.VaultSecretUnavailable(SecretName!, Vault, "it is not a string, SecureString or PSCredential")),
        };
    }

}
