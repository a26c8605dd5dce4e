using System.Collections;
using System.Management.Automation;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Makes a PowerShell command (or a script block) into a tool Claude may call with Invoke-ClaudePrompt
/// -Tool, with control over its name, description, parameter set and pinned arguments. Only builds an
/// object: nothing is sent and nothing runs.
/// </summary>
[Cmdlet(VerbsCommon.New, "ClaudeTool", DefaultParameterSetName = "Command")]
[OutputType(typeof(ClaudeTool))]
public sealed class NewClaudeToolCommand : PSCmdlet
{
    /// <summary>The command: Get-Command output or a command name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Command")]
    [ValidateNotNull]
    public object? Command { get; set; }

    /// <summary>A script block with a param() block; it runs in the scope it was written in.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "ScriptBlock")]
    [ValidateNotNull]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <summary>The name the model sees (default: the command's name).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>What the tool does, for the model (default: the command's help synopsis).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Description { get; set; }

    /// <summary>Which of the command's parameter sets the model uses (default: the command's default set).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParameterSet { get; set; }

    /// <summary>Arguments fixed for every call and hidden from the model: @{ ComputerName = 'srv01' }.
    /// The way to give a credential or other secret a command needs.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? ToolParameter { get; set; }

    /// <summary>Declares that the tool only reads, so the default -ToolConfirm policy does not ask before it
    /// runs (commands with a read-only verb such as Get or Test are read-only already).</summary>
    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(ToolMetadata.Read(this, (object?)ScriptBlock ?? Command!, Name, Description, ParameterSet, ToolParameter,
                ReadOnly.IsPresent ? true : null));
        }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error.Target is null ? ex.Error.WithTarget(Command ?? ScriptBlock) : ex.Error));
        }
    }
}
