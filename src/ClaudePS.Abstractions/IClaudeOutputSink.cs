namespace ClaudePS;

/// <summary>
/// Where engine work sends what a cmdlet would write. The engine never touches PowerShell: the cmdlet
/// layer implements this over Write*, and the pipeline pump marshals every call onto the cmdlet's thread.
/// </summary>
public interface IClaudeOutputSink
{
    void WriteObject(object item);
    void WriteError(ClaudeError error);
    void WriteWarning(string text);
    void WriteVerbose(string text);
    void WriteDebug(string text);
    void WriteProgress(ProgressInfo progress);
    /// <summary>Text shown live on the host without a newline (streamed reply text); not pipeline output.</summary>
    void WriteHostText(string text);
}

/// <summary>A sink that drops everything; for engine callers that want only return values.</summary>
public sealed class NullOutputSink : IClaudeOutputSink
{
    public static NullOutputSink Instance { get; } = new();
    public void WriteObject(object item) { }
    public void WriteError(ClaudeError error) { }
    public void WriteWarning(string text) { }
    public void WriteVerbose(string text) { }
    public void WriteDebug(string text) { }
    public void WriteProgress(ProgressInfo progress) { }
    public void WriteHostText(string text) { }
}
