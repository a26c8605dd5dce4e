using System.Management.Automation;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Commands;

/// <summary>Removes a connection (the default when no name is given) and releases its resources.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Claude")]
[OutputType(typeof(void))]
public sealed class DisconnectClaudeCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (!ConnectionStore.Remove(Name))
            WriteVerbose(Name is null ? "There was no default connection." : $"There was no connection named '{Name}'.");
    }
}
