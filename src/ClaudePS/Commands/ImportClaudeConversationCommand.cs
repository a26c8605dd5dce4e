using System;
using System.IO;
using System.Management.Automation;
using ClaudePS.Engine.Prompting;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Reads conversations saved by Export-ClaudeConversation, ready to continue with
/// Invoke-ClaudePrompt -Conversation.</summary>
[Cmdlet(VerbsData.Import, "ClaudeConversation", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ClaudeConversation))]
public sealed class ImportClaudeConversationCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files by literal path: [ ] * ? in names are not wildcards (piped files bind here by FullName).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("FullName", "PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        System.Collections.Generic.List<string> files;
        try
        {
            files = ParameterSetName == LiteralPathSet
                ? PSPaths.ResolveLiteral(this, LiteralPath)
                : PSPaths.ResolveFiles(this, Path, "-Path", "-LiteralPath", "ClaudePS.ConversationNotFound");
        }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error));
            return;
        }
        foreach (var file in files)
        {
            try
            {
                WriteObject(Conversations.Load(file));
            }
            catch (ClaudeException ex)
            {
                WriteError(ErrorRecords.From(ex.Error));
            }
        }
    }
}
