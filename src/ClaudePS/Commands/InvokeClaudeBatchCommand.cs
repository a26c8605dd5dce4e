using System;
using System.Management.Automation;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Sends one prompt per input row and writes one result per row (the row's columns plus Text, Status,
/// Error, tokens, cost). Rows stream through: memory follows -ThrottleLimit, not the row count. With
/// -UseBatchApi the rows go through the Message Batches API at half price.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClaudeBatch", SupportsShouldProcess = true, DefaultParameterSetName = "Rows")]
[OutputType("ClaudePS.ClaudeBatchResult#Row")]
[OutputType("ClaudePS.ClaudeBatchResult#TypedRow")]
[OutputType(typeof(ClaudeBatchInfo))]
public sealed class InvokeClaudeBatchCommand : ClaudeAsyncCmdlet, IDisposable
{
    /// <summary>A row (Import-Csv output, a hashtable, any object) or a prompt string.</summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = "Rows")]
    public PSObject? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Prompt")]
    [ValidateNotNullOrEmpty]
    public string[]? Prompt { get; set; }

    /// <summary>A prompt with {{Column}} placeholders filled from each row.</summary>
    [Parameter]
    public string? PromptTemplate { get; set; }

    [Parameter]
    public string? System { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    [Parameter]
    [ValidateRange(1, 128000)]
    public int MaxTokens { get; set; } = Engine.Wire.KnownModels.DefaultMaxTokens;

    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? Temperature { get; set; }

    /// <summary>How much the model spends on each answer (output_config.effort); a row's Effort column overrides it.</summary>
    [Parameter]
    [ValidateSet("low", "medium", "high", "xhigh", "max")]
    public string? Effort { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Write rows as they finish instead of in input order.</summary>
    [Parameter]
    public SwitchParameter AsCompleted { get; set; }

    /// <summary>How many rows may wait for an earlier, slower row (default 16 x ThrottleLimit). When full, input pauses.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int ReorderBufferSize { get; set; }

    /// <summary>A JSON-lines file of finished rows: a rerun with the same file sends only the rest.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CheckpointPath { get; set; }

    [Parameter]
    public SwitchParameter UseBatchApi { get; set; }

    /// <summary>With -UseBatchApi: return the batch handles at once; collect later with Receive-ClaudeBatchResult.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 3600)]
    public int PollIntervalSec { get; set; } = 5;

    /// <summary>Stop sending before the spent plus reserved cost would exceed this many US dollars.</summary>
    [Parameter]
    [ValidateRange(0.0, 1_000_000.0)]
    public decimal? MaxCostUsd { get; set; }

    /// <summary>The number of rows, when known, for a progress percentage and ETA.</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long? TotalCount { get; set; }

    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>Structured output: a JSON schema (text or hashtable); its top-level properties become typed columns of every row.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? JsonSchema { get; set; }

    /// <summary>Structured output: a .NET type or PowerShell class; its properties become typed columns of every row.</summary>
    [Parameter]
    [ValidateNotNull]
    public Type? OutputType { get; set; }

    /// <summary>The column naming each row's files (images, PDFs; several separated by ';'). Default: Attachment, when the rows have it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AttachmentColumn { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    /// <summary>What to redact from each reply before it is written or checkpointed: None, Secrets, Standard (default) or Strict.</summary>
    [Parameter]
    [ValidateSet("None", "Secrets", "Standard", "International", "Strict", IgnoreCase = true)]
    public string Redact { get; set; } = "Standard";

    /// <summary>Extra patterns to redact: @{ Name = 'TicketId'; Pattern = 'TCK-[0-9]{6}' }.</summary>
    [Parameter]
    public System.Collections.Hashtable[]? RedactPattern { get; set; }

    /// <summary>Values never redacted (exact, or with * wildcards).</summary>
    [Parameter]
    public string[]? RedactAllow { get; set; }

    private BatchRunner? _runner;
    private BatchEstimator? _estimator;
    private BatchRowAdapter.ResultSink? _out;
    private bool _declined;

    protected override void BeginProcessing()
    {
        var connection = ResolveConnection(Connection);
        Engine.Redaction.RedactionOptions redaction;
        try { redaction = Engine.Redaction.RedactionOptions.FromParameters(Redact, RedactPattern, RedactAllow); }
        catch (ClaudeException ex) { ThrowTerminating(ex); return; }
        string? checkpoint, schema;
        try
        {
            checkpoint = CheckpointPath is null ? null : PSPaths.ResolveOne(this, CheckpointPath, "-CheckpointPath");
            schema = SchemaParameters.SchemaText(JsonSchema, OutputType);
        }
        catch (ClaudeException ex) { ThrowTerminating(ex); return; }
        var options = new BatchOptions
        {
            JsonSchema = schema,
            AttachmentColumn = AttachmentColumn,
            Redaction = redaction,
            System = System,
            Model = Model,
            MaxTokens = MaxTokens,
            Temperature = Temperature,
            Effort = Effort,
            PromptTemplate = PromptTemplate,
            ThrottleLimit = ThrottleLimit,
            AsCompleted = AsCompleted,
            ReorderBufferSize = ReorderBufferSize,
            CheckpointPath = checkpoint,
            UseBatchApi = UseBatchApi,
            NoWait = NoWait,
            PollInterval = TimeSpan.FromSeconds(PollIntervalSec),
            MaxPollInterval = TimeSpan.FromSeconds(Math.Max(60, PollIntervalSec)),
            MaxCostUsd = MaxCostUsd,
            ExpectedRows = TotalCount ?? Prompt?.LongLength,
            Tags = Tag ?? Array.Empty<string>(),
        };
        if (NoWait && !UseBatchApi)
            ThrowTerminating(new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument, "-NoWait works only with -UseBatchApi.")));
        TypedColumnLayout? typed = null;
        try { typed = SchemaParameters.ColumnLayout(schema, OutputType); }
        catch (ClaudeException ex) { ThrowTerminating(ex); return; }
        _out = new BatchRowAdapter.ResultSink(Sink, typed);
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true })
        {
            _estimator = new BatchEstimator(options, connection.DefaultModel, connection.Services.Prices);
            return;
        }
        if (!ShouldProcess(UseBatchApi ? "Message Batches API" : "Messages API", "Send each input row to Claude"))
        {
            _declined = true;
            return;
        }
        try { _runner = new BatchRunner(connection, options, StopToken); }
        catch (ClaudeException ex) { ThrowTerminating(ex); }
    }

    protected override void ProcessRecord()
    {
        if (_declined) return;
        if (Prompt is not null)
        {
            foreach (var p in Prompt) Take(BatchRow.FromPrompt(p));
        }
        else if (InputObject is not null) Take(BatchRowAdapter.ToRow(InputObject));
    }

    private void Take(BatchRow row)
    {
        // Attachment paths resolve against the current PowerShell location, as -Attachment does on Invoke-ClaudePrompt.
        if (BatchRequestFeatures.AttachmentPathsOf(row, AttachmentColumn, out _) is { Count: > 0 } files)
            row.AttachmentPaths = PSPaths.ResolveDataPaths(this, files, AttachmentColumn ?? "Attachment");
        if (_estimator is not null) { _estimator.Add(row); return; }
        try { _runner!.Add(row, _out!); }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested) { }
        catch (ClaudeException ex) { ThrowTerminating(ex); }
    }

    protected override void EndProcessing()
    {
        if (_estimator is not null)
        {
            // Under -WhatIf this prints "What if: ..." with the estimate and sends nothing.
            ShouldProcess(_estimator.Result().ToString(), "Invoke-ClaudeBatch");
            return;
        }
        if (_runner is null) return;
        try { _runner.Complete(_out!); }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested) { }
        catch (ClaudeException ex) { ThrowTerminating(ex); }
    }

    public new void Dispose()
    {
        _runner?.Dispose();
        _runner = null;
        base.Dispose();
    }
}
