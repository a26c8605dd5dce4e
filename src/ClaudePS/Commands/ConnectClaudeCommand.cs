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
        options.UsageRecorder = new Engine.Usage.LedgerUsageRecorder(NoLedger ? null : new Engine.Usage.UsageLedger(Engine.Usage.UsagePaths.Default));
        if (MaxCostUsd is { } limit) options.Budget = new Engine.Usage.BudgetGuard(limit, $"connection '{options.Name}'");
        if (BaseUri is not null)
            foreach (var uri in BaseUri) options.BaseUris.Add(ClaudeConnection.ParseBaseUri(uri));
        return options;
    }
}
