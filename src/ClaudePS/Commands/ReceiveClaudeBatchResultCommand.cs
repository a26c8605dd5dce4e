using System;
using System.Collections.Generic;
using System.Management.Automation;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Reads the results of ended Message Batches. Pipe the same rows that were submitted (same order, same
/// -PromptTemplate / -Model options) to get them back joined: one row per input row, its columns kept.
/// Without rows, each result is written on its own with its custom id.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "ClaudeBatchResult")]
[OutputType("ClaudePS.ClaudeBatchResult#Row")]
[OutputType("ClaudePS.ClaudeBatchResult#TypedRow")]
public sealed class ReceiveClaudeBatchResultCommand : ClaudeAsyncCmdlet
{
    /// <summary>Batch ids (msgbatch_...). Not bound from piped rows, so a row's own Id column cannot be taken for one.</summary>
    [Parameter(Position = 0)]
    [Alias("BatchId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>The rows that were submitted, to join back to; or batch handles (Get-ClaudeBatch output).</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    public string? PromptTemplate { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string? Model { get; set; }

    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>The -JsonSchema the rows were submitted with: each reply becomes typed columns again.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? JsonSchema { get; set; }

    /// <summary>The -OutputType the rows were submitted with: each reply becomes typed columns of its properties.</summary>
    [Parameter]
    [ValidateNotNull]
    public Type? OutputType { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    private ClaudeConnection? _connection;
    private BatchResultJoiner? _joiner;
    private BatchRowAdapter.ResultSink? _out;
    private readonly List<string> _pipedIds = new();
    private bool _joined;

    protected override void BeginProcessing()
    {
        _connection = ResolveConnection(Connection);
        string? schema;
        TypedColumnLayout? typed;
        try
        {
            schema = SchemaParameters.SchemaText(JsonSchema, OutputType);
            typed = SchemaParameters.ColumnLayout(schema, OutputType);
        }
        catch (ClaudeException ex) { ThrowTerminating(ex); return; }
        _out = new BatchRowAdapter.ResultSink(Sink, typed);
        _joiner = new BatchResultJoiner(_connection, new BatchOptions
        {
            PromptTemplate = PromptTemplate,
            Model = Model,
            JsonSchema = schema,
            Tags = Tag ?? Array.Empty<string>(),
        });
        if (Id is { Length: > 0 } ids) Load(ids);
    }

    private void Load(IReadOnlyList<string> ids)
    {
        var joiner = _joiner!;
        RunEngine(async (sink, ct) =>
        {
            foreach (var id in ids) await joiner.LoadAsync(id, sink, emitUnjoined: false, ct).ConfigureAwait(false);
        });
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        if (InputObject.BaseObject is ClaudeBatchInfo info) { _pipedIds.Add(info.Id); return; }
        if (Id is not { Length: > 0 })
        {
            ThrowTerminating(new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument,
                "Give -Id with the batch id(s) to join the piped rows to.")));
            return;
        }
        _joined = true;
        _joiner!.Join(BatchRowAdapter.ToRow(InputObject), _out!);
    }

    protected override void EndProcessing()
    {
        if (_pipedIds.Count > 0) Load(_pipedIds);
        // Rows were joined: report what no row claimed. No rows: every result stands alone.
        _joiner!.Finish(_out!, emitUnclaimed: !_joined);
    }
}
