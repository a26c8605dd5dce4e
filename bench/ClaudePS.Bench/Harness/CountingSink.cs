namespace ClaudePS.Bench.Harness;

/// <summary>A batch sink that keeps nothing, only counts the objects that <c>counts</c> accepts (all by default),
/// so a bench measures the batch and not a growing list of results.</summary>
internal sealed class CountingSink : IClaudeOutputSink
{
    private readonly Func<object, bool> _counts;
    public long Count;

    public CountingSink(Func<object, bool>? counts = null) => _counts = counts ?? (_ => true);

    public void WriteObject(object item) { if (_counts(item)) Count++; }
    public void WriteError(ClaudeError error) { }
    public void WriteWarning(string text) { }
    public void WriteVerbose(string text) { }
    public void WriteDebug(string text) { }
    public void WriteProgress(ProgressInfo progress) { }
    public void WriteHostText(string text) { }
}
