using System;
using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Sends a prompt to Claude and writes one ClaudeResponse per prompt. Prompts come from -Prompt, from
/// piped strings, or from piped objects with a Prompt (or Text) property: one request per object.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClaudePrompt")]
[OutputType(typeof(ClaudeResponse))]
public sealed class InvokeClaudePromptCommand : ClaudeAsyncCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Text")]
    public string? Prompt { get; set; }

    /// <summary>The piped object itself (a string or a CSV row), echoed on the response as Input.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? System { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 128000)]
    public int MaxTokens { get; set; } = 1024;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0.0, 1.0)]
    public double? Temperature { get; set; }

    [Parameter]
    public string[]? StopSequence { get; set; }

    /// <summary>Shows the reply live on the host as it arrives; the pipeline still gets one object.</summary>
    [Parameter]
    public SwitchParameter Stream { get; set; }

    /// <summary>Writes the API's JSON reply as an object instead of a ClaudeResponse.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>A connection name (Connect-Claude -Name); the default connection otherwise.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    protected override void ProcessRecord()
    {
        string? prompt = Prompt ?? (InputObject?.BaseObject as string);
        if (prompt is null)
        {
            WriteError(ErrorRecords.From(new ClaudeError("ClaudePS.NoPrompt", ClaudeErrorCategory.InvalidArgument,
                "prompt: no prompt was given. Pass -Prompt, pipe strings, or pipe objects with a Prompt or Text property.") { Target = InputObject }));
            return;
        }
        ClaudeConnection connection;
        try { connection = ConnectionStore.Resolve(Connection); }
        catch (ClaudeException ex) { ThrowTerminating(ex); return; }

        var options = new PromptOptions
        {
            Prompt = prompt,
            System = System,
            Model = Model ?? connection.Options.DefaultModel ?? ConnectionDefaults.Model,
            MaxTokens = MaxTokens,
            Temperature = Temperature,
            StopSequences = StopSequence ?? Array.Empty<string>(),
            Stream = Stream,
            Raw = Raw,
            Tags = Tag ?? Array.Empty<string>(),
            Input = InputObject?.BaseObject is string ? prompt : InputObject,
        };
        RunEngine(async (sink, ct) =>
        {
            try
            {
                var response = await new PromptRunner(connection).RunAsync(options, sink, ct).ConfigureAwait(false);
                sink.WriteObject(Raw && response.RawJson is { } json ? JsonToPSObject.Convert(json) ?? response : response);
            }
            catch (ClaudeException ex) when (ex.Error.ErrorId != "ClaudePS.Canceled" && !Engine.Usage.BudgetGuard.Stops(ex.Error))
            {
                sink.WriteError(ex.Error); // one failed prompt does not stop the rest of the pipeline
            }
        });
        // Prompt and the bound-by-name parameters are rebound per record; clear what a string input left.
        Prompt = null;
    }
}
