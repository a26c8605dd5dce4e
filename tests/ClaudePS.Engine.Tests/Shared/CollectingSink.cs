using System.Text;
using ClaudePS.Engine.Batching;

namespace ClaudePS.Engine.Tests.Shared;

/// <summary>The one output target for tests that check what a runner wrote: every stream kept apart,
/// safe to write from any thread. (Pipeline/CollectingSink is the one for tests of write order and threads.)</summary>
internal sealed class CollectingSink : IClaudeOutputSink
{
    public List<ClaudeBatchResult> Results { get; } = new();
    public List<object> Objects { get; } = new();
    public List<ClaudeError> Errors { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Verbose { get; } = new();
    public List<ProgressInfo> Progress { get; } = new();
    /// <summary>Host text as shown, and as the pieces it was written in.</summary>
    public StringBuilder Host { get; } = new();
    public List<string> HostPieces { get; } = new();
    public void WriteObject(object item) { lock (this) { Objects.Add(item); if (item is ClaudeBatchResult r) Results.Add(r); } }
    public void WriteError(ClaudeError error) { lock (this) Errors.Add(error); }
    public void WriteWarning(string text) { lock (this) Warnings.Add(text); }
    public void WriteVerbose(string text) { lock (this) Verbose.Add(text); }
    public void WriteDebug(string text) { }
    public void WriteProgress(ProgressInfo progress) { lock (this) Progress.Add(progress); }
    public void WriteHostText(string text) { lock (this) { Host.Append(text); HostPieces.Add(text); } }
}
