using System.Management.Automation;
using System.Security;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Returns the access token a connection currently sends (from its cache, refreshed when due) as a
/// SecureString, like Get-AzAccessToken: for calling the same gateway from other tools.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClaudeAccessToken")]
[OutputType(typeof(ClaudeAccessToken))]
public sealed class GetClaudeAccessTokenCommand : ClaudeAsyncCmdlet
{
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Connection { get; set; }

    /// <summary>Gets a new token from the issuer even if the cached one is still good.</summary>
    [Parameter]
    public SwitchParameter ForceRefresh { get; set; }

    protected override void EndProcessing()
    {
        var connection = ResolveConnection(Connection);
        BearerToken? token = null;
        RunEngine(async (sink, ct) =>
        {
            token = await connection.Credential.GetBearerTokenAsync(ForceRefresh, ct).ConfigureAwait(false);
            foreach (var notice in connection.Credential.DrainNotices()) sink.WriteVerbose(notice);
        });
        if (token is not { } bearer)
        {
            ThrowTerminating(new ClaudeException(new ClaudeError("ClaudePS.NoAccessToken", ClaudeErrorCategory.InvalidOperation,
                $"This connection authenticates with {connection.Info.AuthKind}, which has no access token. Get-ClaudeAccessToken works with token-based connections (OAuth, managed identity, service account, workload identity, -AccessToken).")));
            return;
        }
        var secure = new SecureString();
        foreach (char c in bearer.Value) secure.AppendChar(c);
        secure.MakeReadOnly();
        WriteObject(new ClaudeAccessToken
        {
            Token = secure,
            ExpiresOn = bearer.ExpiresOn,
            AuthKind = connection.Info.AuthKind,
            CredentialSource = connection.Info.CredentialSource,
            ConnectionName = connection.Info.Name,
        });
    }
}
