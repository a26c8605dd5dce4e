using System.Management.Automation;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Commands;

/// <summary>
/// Removes a connection (the default when no name is given) and releases its resources. When the default
/// is removed, the most recently connected of the others becomes the default (as Az contexts do).
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "Claude")]
[OutputType(typeof(void))]
public sealed class DisconnectClaudeCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (!ConnectionStore.Remove(Name, out var newDefault))
            WriteVerbose(Name is null ? "There was no default connection." : $"There was no connection named '{Name}'.");
        else if (newDefault is not null)
            WriteVerbose($"The default connection is now '{newDefault.Info.Name}'.");
    }
}
