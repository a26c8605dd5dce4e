using System.Management.Automation;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Commands;

/// <summary>Shows the connections of this session: endpoint, auth kind, model. Never the secret.</summary>
[Cmdlet(VerbsCommon.Get, "ClaudeConnection")]
[OutputType(typeof(ClaudeConnectionInfo))]
public sealed class GetClaudeConnectionCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        var pattern = new WildcardPattern(Name ?? "*", WildcardOptions.IgnoreCase);
        var current = ConnectionStore.Default;
        foreach (var connection in ConnectionStore.All)
        {
            if (!pattern.IsMatch(connection.Info.Name)) continue;
            WriteObject(connection.Info.WithIsDefault(ReferenceEquals(connection, current)));
        }
    }
}
