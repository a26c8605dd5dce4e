using System.Collections.Generic;
using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Tools;
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
    public int MaxTokens { get; set; } = Engine.Wire.KnownModels.DefaultMaxTokens;

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
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Attachment { get; set; }

    /// <summary>Attachments by literal path: [ ] * ? in names are not wildcards.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralAttachment { get; set; }

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

    /// <summary>How much the model spends on the answer (output_config.effort): low, medium, high, xhigh or max.
    /// Checked against the model before sending.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("low", "medium", "high", "xhigh", "max")]
    public string? Effort { get; set; }

    /// <summary>anthropic-beta values for features behind a beta header, sent with this prompt after the connection's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Beta { get; set; }

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

    /// <summary>Commands Claude may call: Get-Command output, command names, script blocks or New-ClaudeTool
    /// output. They run here, in this session, after ShouldProcess and the -ToolConfirm policy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Tool { get; set; }

    /// <summary>How many rounds of tool calls run before the loop stops with ToolLoopStatus MaxToolTurnsReached.</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int MaxToolTurns { get; set; } = ToolLoopOptions.DefaultMaxToolTurns;

    /// <summary>Which tool calls ask first: StateChanging (default: verbs other than Get, Test, Measure...), Always, Never.</summary>
    [Parameter]
    public ClaudeToolConfirmPolicy ToolConfirm { get; set; } = ClaudeToolConfirmPolicy.StateChanging;

    /// <summary>Characters of one tool's output sent to the model; longer output is cut and the model is told.</summary>
    [Parameter]
    [ValidateRange(100, 1_000_000)]
    public int MaxToolOutputLength { get; set; } = ToolLoopOptions.DefaultMaxOutputChars;

    /// <summary>Sends tool output to the model without redacting it (by default it goes through -Redact's profile).</summary>
    [Parameter]
    public SwitchParameter NoToolOutputRedaction { get; set; }

    private RedactionOptions? _redaction;
    private ClaudeTool[]? _tools;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Built once per pipeline, so custom patterns compile once and the redactor cache hits.
        try
        {
            _redaction = RedactionOptions.FromParameters(Redact, RedactPattern, RedactAllow);
            // Read once per pipeline, on this thread: the commands' metadata and help come from this runspace.
            if (Tool is { Length: > 0 })
            {
                _tools = Tool.Select((t, i) => ToolMetadata.Read(this, t, index: i)).ToArray();
                ToolSession.CheckNames(_tools);
            }
        }
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
            Model = Model,
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
        // With tools the prompt is sent and -WhatIf/-Confirm apply to each tool call instead: a dry run in
        // which the model is told what would have run.
        if (!ApplyPromptFeatures(options) ||
            (_tools is null && !ShouldProcess(Describe(prompt, options), "Send prompt to " + connection.ModelFor(Model, Conversation))))
        {
            Prompt = null;
            return;
        }
        ClaudeResponse? typed = null;
        RunEngine(async (sink, ct) =>
        {
            if (_tools is not null)
                options.Tools = new ToolLoopOptions
                {
                    Tools = _tools, Host = new PipelineToolHost(this, sink), MaxToolTurns = MaxToolTurns, Confirm = ToolConfirm,
                    MaxOutputChars = MaxToolOutputLength, RedactOutput = !NoToolOutputRedaction,
                };
            try
            {
                var response = await new PromptRunner(connection).RunAsync(options, sink, ct).ConfigureAwait(false);
                if (OutputType is not null && !Raw) { typed = response; return; }
                if (options.JsonSchema is not null) response.Data = JsonToPSObject.FromTree(response.Data);
                sink.WriteObject(Raw && response.RawJson is { } json ? JsonToPSObject.Convert(json) ?? response : response);
            }
            catch (ClaudeException ex) when (!ex.Error.IsCanceled && !Engine.Usage.BudgetGuard.Stops(ex.Error))
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

    /// <summary>-Attachment patterns (each must match a file) then -LiteralAttachment paths; a prompt is
    /// never sent without an attachment the user named.</summary>
    internal static List<string> ResolveAttachments(PSCmdlet cmdlet, string[]? patterns, string[]? literal)
    {
        var files = patterns is { Length: > 0 }
            ? PSPaths.ResolveFiles(cmdlet, patterns, "-Attachment", "-LiteralAttachment", "ClaudePS.AttachmentNotFound", "Nothing was sent.")
            : new List<string>();
        if (literal is { Length: > 0 }) files.AddRange(PSPaths.ResolveLiteral(cmdlet, literal));
        return files;
    }

    /// <summary>Binds the prompt-feature parameters onto <paramref name="options"/>; false after writing a
    /// per-record error (a bad schema or attachment fails this prompt, not the pipeline).</summary>
    private bool ApplyPromptFeatures(PromptOptions options)
    {
        try
        {
            // With -OutputType the engine sends the type's schema and checks the reply is JSON; the object
            // itself is built on the pipeline thread (WriteTyped): a PowerShell class's constructor needs its runspace.
            options.JsonSchema = SchemaParameters.SchemaText(JsonSchema, OutputType);
            options.Attachments = ResolveAttachments(this, Attachment, LiteralAttachment);
        }
        catch (ClaudeException ex)
        {
            WriteError(ErrorRecords.From(ex.Error.WithTarget(options.Input ?? options.Prompt)));
            return false;
        }
        options.Conversation = Conversation;
        options.CacheSystemPrompt = CacheSystemPrompt;
        options.CacheTtl = CacheTtl;
        options.AutoCacheBreakpoints = !NoAutoCache;
        options.ThinkingBudget = ThinkingBudget;
        options.AdaptiveThinking = AdaptiveThinking;
        options.Effort = Effort;
        options.Betas = Beta ?? Array.Empty<string>();
        // Thinking counts against max_tokens: when -MaxTokens was left at its default, make room for the budget.
        if (ThinkingBudget is { } budget && !MyInvocation.BoundParameters.ContainsKey(nameof(MaxTokens)) && options.MaxTokens <= budget)
            options.MaxTokens = budget + 1024 <= 128000 ? budget + 1024 : 128000;
        return true;
    }
}
