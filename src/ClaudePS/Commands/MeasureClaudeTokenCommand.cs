using System;
using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Counts the input tokens a prompt would cost (the API's count_tokens endpoint; counting is free), built
/// as Invoke-ClaudePrompt would build it: system prompt, attachments, conversation history. Prompts come
/// from -Prompt, piped strings, or piped rows with a Prompt (or Text) column: one count per row.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "ClaudeToken")]
[OutputType(typeof(ClaudeTokenCount))]
public sealed class MeasureClaudeTokenCommand : ClaudeAsyncCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Text")]
    public string? Prompt { get; set; }

    /// <summary>The piped object itself (a string or a CSV row), echoed on the count as Input.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? System { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Attachments")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Attachment { get; set; }

    /// <summary>Attachments by literal path: [ ] * ? in names are not wildcards.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralAttachment { get; set; }

    /// <summary>Counts the prompt as the next turn of this conversation (history included).</summary>
    [Parameter]
    [ValidateNotNull]
    public ClaudeConversation? Conversation { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    protected override void ProcessRecord()
    {
        string? prompt = Prompt ?? (InputObject?.BaseObject as string);
        if (prompt is null && Attachment is not { Length: > 0 } && LiteralAttachment is not { Length: > 0 })
        {
            WriteError(ErrorRecords.From(new ClaudeError("ClaudePS.NoPrompt", ClaudeErrorCategory.InvalidArgument,
                "prompt: no prompt was given. Pass -Prompt, pipe strings, or pipe objects with a Prompt or Text property.") { Target = InputObject }));
            return;
        }
        var connection = ResolveConnection(Connection);
        System.Collections.Generic.List<string> attachments;
        try { attachments = InvokeClaudePromptCommand.ResolveAttachments(this, Attachment, LiteralAttachment); }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error.WithTarget(InputObject)));
            return;
        }

        var options = new PromptOptions
        {
            Prompt = prompt ?? "",
            System = System,
            Model = Model,
            Attachments = attachments,
            Conversation = Conversation,
            AutoCacheBreakpoints = false,
            Input = InputObject?.BaseObject is string ? prompt : InputObject,
        };
        RunEngine(async (sink, ct) =>
        {
            try
            {
                sink.WriteObject(await new TokenCounter(connection).CountAsync(options, sink, ct).ConfigureAwait(false));
            }
            catch (ClaudeException ex) when (!ex.Error.IsCanceled)
            {
                sink.WriteError(ex.Error); // one failed row does not stop the rest
            }
        });
        Prompt = null;
    }
}
