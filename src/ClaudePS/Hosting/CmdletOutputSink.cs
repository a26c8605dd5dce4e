using System.Management.Automation;
using ClaudePS.Engine.Redaction;

namespace ClaudePS.Hosting;

/// <summary>The engine's output sink over a cmdlet's Write* methods. Only ever called on the pipeline
/// thread (the pipeline pump guarantees it).</summary>
internal sealed class CmdletOutputSink : IClaudeOutputSink
{
    private readonly PSCmdlet _cmdlet;

    public CmdletOutputSink(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    public void WriteObject(object item) => _cmdlet.WriteObject(item);
    // Diagnostic text never shows a credential, whatever redaction profile the command uses.
    public void WriteError(ClaudeError error) => _cmdlet.WriteError(ErrorRecords.From(error));
    public void WriteWarning(string text) => _cmdlet.WriteWarning(SecretScrubber.Scrub(text));
    public void WriteVerbose(string text) => _cmdlet.WriteVerbose(SecretScrubber.Scrub(text));
    public void WriteDebug(string text) => _cmdlet.WriteDebug(SecretScrubber.Scrub(text));
    public void WriteProgress(ProgressInfo p) => _cmdlet.WriteProgress(ErrorRecords.ToProgressRecord(p));

    private static readonly string[] HostTags = { "PSHOST", LiveTextTag };
    private static readonly string[] StreamOnlyTags = { LiveTextTag };
    /// <summary>The tag of live reply text in the information stream (-InformationVariable, 6>&amp;1).</summary>
    public const string LiveTextTag = "ClaudePS.LiveText";
    private bool? _showsLiveText;

    public void WriteHostText(string text)
    {
        // Shown live like Write-Host where someone may be watching; elsewhere only kept in the information
        // stream, so a non-interactive host never mixes it into the standard output a reader parses.
        _showsLiveText ??= HostInteractivity.ShowsLiveText(_cmdlet.Host);
        if (_showsLiveText.Value)
            _cmdlet.WriteInformation(new HostInformationMessage { Message = text, NoNewLine = true }, HostTags);
        else
            _cmdlet.WriteInformation(text, StreamOnlyTags);
    }
}
