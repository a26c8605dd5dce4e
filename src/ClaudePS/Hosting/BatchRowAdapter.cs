using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using ClaudePS.Engine.Batching;

namespace ClaudePS.Hosting;

/// <summary>
/// PSObject rows to engine rows and engine results back to objects. The output object carries the
/// row's own properties first, then the outcome, so Export-Csv writes one line per input line; an
/// outcome name that a row already uses gets a "Claude" prefix instead of overwriting the row's value.
/// </summary>
internal static class BatchRowAdapter
{
    public const string ResultTypeName = "ClaudePS.ClaudeBatchResult#Row";
    /// <summary>Also carried by rows with typed columns (-JsonSchema, -OutputType): their view shows the answer's fields.</summary>
    public const string TypedResultTypeName = "ClaudePS.ClaudeBatchResult#TypedRow";

    public static BatchRow ToRow(PSObject input)
    {
        if (input.BaseObject is string s) return BatchRow.FromPrompt(s);
        var columns = new List<KeyValuePair<string, object?>>();
        if (input.BaseObject is IDictionary dict)
        {
            foreach (DictionaryEntry e in dict) columns.Add(new KeyValuePair<string, object?>(e.Key?.ToString() ?? "", Unwrap(e.Value)));
        }
        else
        {
            foreach (var p in input.Properties)
            {
                if ((p.MemberType & PSMemberTypes.Properties) == 0 || !p.IsGettable) continue;
                object? value;
                try { value = p.Value; }
                catch (GetValueException) { continue; }
                columns.Add(new KeyValuePair<string, object?>(p.Name, Unwrap(value)));
            }
        }
        return new BatchRow(columns, input);
    }

    private static object? Unwrap(object? value) => value is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : value;

    public static PSObject ToObject(ClaudeBatchResult r, TypedColumnLayout? typed = null)
    {
        var o = new PSObject();
        o.TypeNames.Insert(0, ResultTypeName);
        if (typed is not null) o.TypeNames.Insert(0, TypedResultTypeName);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in r.Columns)
            if (names.Add(c.Key)) o.Properties.Add(new PSNoteProperty(c.Key, c.Value));
        typed?.AddColumns(o, r, names);
        void Add(string name, object? value) => o.Properties.Add(new PSNoteProperty(names.Add(name) ? name : "Claude" + name, value));
        Add("Text", r.Text);
        Add("Status", r.Status.ToString());
        Add("Error", r.ErrorMessage);
        Add("InputTokens", r.Usage.InputTokens);
        Add("OutputTokens", r.Usage.OutputTokens);
        Add("CacheReadTokens", r.Usage.CacheReadTokens);
        Add("CacheWriteTokens", r.Usage.CacheWriteTokens);
        Add("CostUsd", r.CostUsd);
        Add("Model", r.Model);
        Add("RowId", r.RowId);
        Add("RequestId", r.RequestId);
        if (r.BatchId is not null) Add("BatchId", r.BatchId);
        if (r.CustomId is not null) Add("CustomId", r.CustomId);
        return o;
    }

    /// <summary>Turns ClaudeBatchResult output into row objects on its way to the cmdlet.</summary>
    public sealed class ResultSink : IClaudeOutputSink
    {
        private readonly IClaudeOutputSink _inner;
        private readonly TypedColumnLayout? _typed;
        public ResultSink(IClaudeOutputSink inner, TypedColumnLayout? typed = null) { _inner = inner; _typed = typed; }
        public void WriteObject(object item) => _inner.WriteObject(item is ClaudeBatchResult r ? ToObject(r, _typed) : item);
        public void WriteError(ClaudeError error) => _inner.WriteError(error);
        public void WriteWarning(string text) => _inner.WriteWarning(text);
        public void WriteVerbose(string text) => _inner.WriteVerbose(text);
        public void WriteDebug(string text) => _inner.WriteDebug(text);
        public void WriteProgress(ProgressInfo progress) => _inner.WriteProgress(progress);
        public void WriteHostText(string text) => _inner.WriteHostText(text);
    }
}
