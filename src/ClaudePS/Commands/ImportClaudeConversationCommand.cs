using System;
using System.IO;
using System.Management.Automation;
using ClaudePS.Engine.Prompting;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Reads conversations saved by Export-ClaudeConversation, ready to continue with
/// Invoke-ClaudePrompt -Conversation.</summary>
[Cmdlet(VerbsData.Import, "ClaudeConversation")]
[OutputType(typeof(ClaudeConversation))]
public sealed class ImportClaudeConversationCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var file in PSValues.ResolvePaths(this, Path))
        {
            try
            {
                WriteObject(Conversations.Load(file));
            }
            catch (ClaudeException ex)
            {
                WriteError(ErrorRecords.From(ex.Error));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.From(new ClaudeError("ClaudePS.ImportFailed", ClaudeErrorCategory.ReadError,
                    $"Cannot read the conversation file '{file}': {ex.Message}") { Target = file, Cause = ex }));
            }
        }
    }
}
