using System.Management.Automation;
using ClaudePS.Engine.Prompting;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Starts a multi-turn chat: pass it to Invoke-ClaudePrompt -Conversation, which appends each turn.
/// Only creates an object in memory: nothing is sent and nothing is spent.</summary>
[Cmdlet(VerbsCommon.New, "ClaudeConversation")]
[OutputType(typeof(ClaudeConversation))]
public sealed class NewClaudeConversationCommand : PSCmdlet
{
    /// <summary>The system prompt every turn of this conversation is sent with.</summary>
    [Parameter(Position = 0)]
    public string? System { get; set; }

    /// <summary>The model for every turn (Invoke-ClaudePrompt -Model still overrides it per turn).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    /// <summary>The effort level for every turn (output_config.effort); Invoke-ClaudePrompt -Effort overrides it per turn.</summary>
    [Parameter]
    [ValidateSet("low", "medium", "high", "xhigh", "max")]
    public string? Effort { get; set; }

    protected override void EndProcessing() => WriteObject(Conversations.Create(System, Model, Effort));
}
