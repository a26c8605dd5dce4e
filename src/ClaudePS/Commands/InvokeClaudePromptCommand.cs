using System;
using System.Collections;
using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Sends a prompt to Claude and writes one ClaudeResponse per prompt. Prompts come from -Prompt, from
/// piped strings, or from piped objects with a Prompt (or Text) property: one request per object.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClaudePrompt", SupportsShouldProcess = true)]
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

    /// <summary>Structured output: a JSON schema as text or as a hashtable; the parsed reply lands on .Data.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? JsonSchema { get; set; }

    /// <summary>Structured output: a .NET type or PowerShell class; the reply is deserialised into it on .Data.</summary>
    [Parameter]
    [ValidateNotNull]
    public Type? OutputType { get; set; }

    /// <summary>Images (png, jpeg, gif, webp) and PDFs to send with the prompt.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Attachments")]
    [ValidateNotNullOrEmpty]
    public string[]? Attachment { get; set; }

    /// <summary>Continues this conversation (New-ClaudeConversation); the turn and reply are appended to it.</summary>
    [Parameter]
    [ValidateNotNull]
    public ClaudeConversation? Conversation { get; set; }

    /// <summary>Caches the system prompt (TTL 5m, or -CacheTtl 1h).</summary>
    [Parameter]
    public SwitchParameter CacheSystemPrompt { get; set; }

    [Parameter]
    [ValidateSet("5m", "1h")]
    public string? CacheTtl { get; set; }

    /// <summary>Turns off the automatic cache breakpoints on long prompts and conversations.</summary>
    [Parameter]
    public SwitchParameter NoAutoCache { get; set; }

    /// <summary>Extended thinking with this token budget (at least 1024); the thinking text is on .Thinking.</summary>
    [Parameter]
    [ValidateRange(1024, 127999)]
    public int? ThinkingBudget { get; set; }

    /// <summary>Adaptive thinking: the model decides how much to think.</summary>
    [Parameter]
    public SwitchParameter AdaptiveThinking { get; set; }

    /// <summary>A connection name (Connect-Claude -Name); the default connection otherwise.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    /// <summary>What to redact from the reply: None, Secrets, Standard (default) or Strict.</summary>
    [Parameter]
    [ValidateSet("None", "Secrets", "Standard", "International", "Strict", IgnoreCase = true)]
    public string Redact { get; set; } = "Standard";

    /// <summary>Extra patterns to redact: @{ Name = 'TicketId'; Pattern = 'TCK-[0-9]{6}' }.</summary>
    [Parameter]
    public Hashtable[]? RedactPattern { get; set; }

    /// <summary>Values never redacted (exact, or with * wildcards such as '*@contoso.com').</summary>
    [Parameter]
    public string[]? RedactAllow { get; set; }

    /// <summary>Also redact the prompt and system text before sending them.</summary>
    [Parameter]
    public SwitchParameter RedactInput { get; set; }

    private RedactionOptions? _redaction;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Built once per pipeline, so custom patterns compile once and the redactor cache hits.
        try { _redaction = RedactionOptions.FromParameters(Redact, RedactPattern, RedactAllow); }
        catch (ClaudeException ex) { ThrowTerminating(ex); }
    }

    protected override void ProcessRecord()
    {
        string? prompt = Prompt ?? (InputObject?.BaseObject as string);
        if (prompt is null)
        {
            WriteError(ErrorRecords.From(new ClaudeError("ClaudePS.NoPrompt", ClaudeErrorCategory.InvalidArgument,
                "prompt: no prompt was given. Pass -Prompt, pipe strings, or pipe objects with a Prompt or Text property.") { Target = InputObject }));
            return;
        }
        var connection = ResolveConnection(Connection);

        var options = new PromptOptions
        {
            Prompt = prompt,
            System = System,
            Model = Model ?? (Conversation?.Model is { Length: > 0 } ? null : connection.Options.DefaultModel ?? ConnectionDefaults.Model),
            MaxTokens = MaxTokens,
            Temperature = Temperature,
            StopSequences = StopSequence ?? Array.Empty<string>(),
            Stream = Stream,
            Raw = Raw,
            Tags = Tag ?? Array.Empty<string>(),
            Input = InputObject?.BaseObject is string ? prompt : InputObject,
            Redaction = _redaction ?? RedactionOptions.Standard,
            RedactInput = RedactInput,
        };
        // -WhatIf over a piped CSV shows each prompt that would be sent (and billed) without sending it.
        if (!ApplyPromptFeatures(options) ||
            !ShouldProcess(Describe(prompt, options), "Send prompt to " + (options.Model ?? Conversation?.Model ?? "the default model")))
        {
            Prompt = null;
            return;
        }
        ClaudeResponse? typed = null;
        RunEngine(async (sink, ct) =>
        {
            try
            {
                var response = await new PromptRunner(connection).RunAsync(options, sink, ct).ConfigureAwait(false);
                if (OutputType is not null && !Raw) { typed = response; return; }
                if (options.JsonSchema is not null) response.Data = JsonToPSObject.FromTree(response.Data);
                sink.WriteObject(Raw && response.RawJson is { } json ? JsonToPSObject.Convert(json) ?? response : response);
            }
            catch (ClaudeException ex) when (ex.Error.ErrorId != "ClaudePS.Canceled" && !Engine.Usage.BudgetGuard.Stops(ex.Error))
            {
                sink.WriteError(ex.Error); // one failed prompt does not stop the rest of the pipeline
            }
        });
        if (typed is not null) WriteTyped(typed, options);
        // Prompt and the bound-by-name parameters are rebound per record; clear what a string input left.
        Prompt = null;
    }

    private static string Describe(string prompt, PromptOptions options)
    {
        var oneLine = prompt.Replace('\r', ' ').Replace('\n', ' ');
        var shown = oneLine.Length > 60 ? oneLine.Substring(0, 57) + "..." : oneLine;
        return options.Attachments.Count == 0 ? $"'{shown}'" : $"'{shown}' with {options.Attachments.Count} attachment(s)";
    }

    private void WriteTyped(ClaudeResponse response, PromptOptions options)
    {
        try
        {
            response.Data = StructuredOutput.Parse(response, OutputType!);
            WriteObject(response);
        }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error.WithTarget(options.Input ?? options.Prompt)));
        }
    }

    /// <summary>Binds the prompt-feature parameters onto <paramref name="options"/>; false after writing a
    /// per-record error (a bad schema or attachment fails this prompt, not the pipeline).</summary>
    private bool ApplyPromptFeatures(PromptOptions options)
    {
        try
        {
            if (JsonSchema is not null && OutputType is not null)
                throw new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument,
                    "-OutputType and -JsonSchema both describe the reply's shape; give only one."));
            // With -OutputType the engine sends the type's schema and checks the reply is JSON; the object
            // itself is built on the pipeline thread (WriteTyped): a PowerShell class's constructor needs its runspace.
            options.JsonSchema = OutputType is not null ? JsonSchemaBuilder.FromType(OutputType) : JsonSchema switch
            {
                null => null,
                _ when PSValues.Unwrap(JsonSchema) is string text => text,
                _ when PSValues.Unwrap(JsonSchema) is System.Collections.IDictionary dict => JsonSchemaBuilder.FromDictionary(dict),
                _ => throw new ClaudeException(new ClaudeError("ClaudePS.InvalidSchema", ClaudeErrorCategory.InvalidArgument,
                    "-JsonSchema takes JSON text or a hashtable; it was a " + JsonSchema.GetType().Name + ".")),
            };
        }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error.WithTarget(options.Input ?? options.Prompt)));
            return false;
        }
        if (Attachment is { Length: > 0 }) options.Attachments = PSValues.ResolvePaths(this, Attachment);
        options.Conversation = Conversation;
        options.CacheSystemPrompt = CacheSystemPrompt;
        options.CacheTtl = CacheTtl;
        options.AutoCacheBreakpoints = !NoAutoCache;
        options.ThinkingBudget = ThinkingBudget;
        options.AdaptiveThinking = AdaptiveThinking;
        // Thinking counts against max_tokens: when -MaxTokens was left at its default, make room for the budget.
        if (ThinkingBudget is { } budget && !MyInvocation.BoundParameters.ContainsKey(nameof(MaxTokens)) && options.MaxTokens <= budget)
            options.MaxTokens = budget + 1024 <= 128000 ? budget + 1024 : 128000;
        return true;
    }
}
