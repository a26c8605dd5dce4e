using System.Collections.Concurrent;

namespace ClaudePS.Engine.Tests.Pipeline;

/// <summary>A target that records what it was given and on which thread; optionally fails on the n-th write.</summary>
internal sealed class RecordingSink : IClaudeOutputSink
{
    private readonly int _failAt;
    private int _count;

    public RecordingSink(int failAt = -1) => _failAt = failAt;

    public List<object> Items { get; } = new();
    public ConcurrentBag<int> Threads { get; } = new();
    public Action<object>? OnWrite { get; set; }

    private void Add(object item)
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        if (++_count == _failAt) throw new InvalidOperationException("downstream stopped");
        Items.Add(item);
        OnWrite?.Invoke(item);
    }

    public void WriteObject(object item) => Add(item);
    public void WriteError(ClaudeError error) => Add(error);
    public void WriteWarning(string text) => Add("warning:" + text);
    public void WriteVerbose(string text) => Add("verbose:" + text);
    public void WriteDebug(string text) => Add("debug:" + text);
    public void WriteProgress(ProgressInfo progress) => Add(progress);
    public void WriteHostText(string text) => Add("host:" + text);
}
