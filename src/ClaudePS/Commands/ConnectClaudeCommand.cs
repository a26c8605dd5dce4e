using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Connects to the Claude API and makes the connection the session's default.
/// Credential order: -ApiKey / -Credential / -AccessToken when given; otherwise ANTHROPIC_API_KEY,
/// then ANTHROPIC_AUTH_TOKEN (sent as Bearer).
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Claude", DefaultParameterSetName = EnvironmentSet)]
[OutputType(typeof(ClaudeConnectionInfo))]
public sealed class ConnectClaudeCommand : ClaudeAsyncCmdlet
{
    private const string EnvironmentSet = "Environment";
    private const string ApiKeySet = "ApiKey";
    private const string CredentialSet = "Credential";
    private const string AccessTokenSet = "AccessToken";

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

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? BaseUri { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DefaultModel { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

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

        if (Validate)
        {
            RunEngine(async (sink, ct) =>
            {
                sink.WriteVerbose($"Validating the credential against {connection.Info.Endpoints[0]}.");
                await connection.Client.CountTokensAsync(Engine.Wire.MessageRequest.ForPrompt("ping", connection.Options.DefaultModel ?? ConnectionDefaults.ValidationModel), ct).ConfigureAwait(false);
            });
        }

        ConnectionStore.Set(connection);
        WriteVerbose($"Connected '{connection.Info.Name}' to {string.Join(", ", connection.Info.Endpoints)} with {connection.Info.AuthKind} from {connection.Info.CredentialSource}.");
        if (PassThru)
        {
            connection.Info.IsDefault = true;
            WriteObject(connection.Info);
        }
    }

    private ClaudeConnectionOptions BuildOptions()
    {
        var options = new ClaudeConnectionOptions
        {
            Name = Name ?? "default",
            DefaultModel = DefaultModel,
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            Proxy = Proxy,
            ProxyCredential = ProxyCredential?.GetNetworkCredential(),
            ProxyUseDefaultCredentials = ProxyUseDefaultCredentials,
            AllowUnencryptedConnection = AllowUnencryptedConnection,
            Credential = ParameterSetName switch
            {
                ApiKeySet => new ApiKeyCredential(SecureStrings.ToPlain(ApiKey!), "-ApiKey"),
                CredentialSet => new ApiKeyCredential(SecureStrings.ToPlain(Credential!.Password), "-Credential"),
                AccessTokenSet => new BearerTokenCredential(SecureStrings.ToPlain(AccessToken!), "-AccessToken"),
                _ => null, // the engine reads the environment
            },
        };
        if (Tag is not null) options.Tags.AddRange(Tag);
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
        return options;
    }
}
