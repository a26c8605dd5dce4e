using System;
using System.IO;
using System.Management.Automation;
using ClaudePS.Engine.Prompting;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>Saves a conversation to a JSON file (a versioned format that Import-ClaudeConversation reads).
/// The file holds the whole history, attachments included as base64.</summary>
[Cmdlet(VerbsData.Export, "ClaudeConversation", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportClaudeConversationCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ClaudeConversation? Conversation { get; set; }

    /// <summary>Do not overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Overwrite a read-only file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the file's FileInfo.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string target;
        try { target = PSPaths.ResolveOne(this, Path, "-Path"); }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error));
            return;
        }
        if (!ShouldProcess(target, $"Export conversation {Conversation!.Id} ({Conversation.Messages.Count} messages)")) return;
        try
        {
            var file = new FileInfo(target);
            if (file.Exists && NoClobber)
            {
                WriteError(ErrorRecords.From(new ClaudeError("ClaudePS.FileExists", ClaudeErrorCategory.ResourceExists,
                    $"The file '{target}' exists and -NoClobber was given. Choose another path or leave out -NoClobber.") { Target = target }));
                return;
            }
            if (file.Exists && Force && file.IsReadOnly) file.IsReadOnly = false;
            Conversations.Save(Conversation, target);
            if (PassThru) WriteObject(new FileInfo(target));
        }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The -NoClobber / -Force checks touch the file before the engine does.
            WriteError(ErrorRecords.From(new ClaudeError("ClaudePS.ExportFailed", ClaudeErrorCategory.WriteError,
                $"Cannot write the conversation to '{target}': {ex.Message} Choose a path in a folder you can write to.") { Target = target, Cause = ex }));
        }
    }
}
