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
    public void WriteError(ClaudeError error) => _cmdlet.WriteError(ErrorRecords.From(SecretScrubber.Scrub(error)));
    public void WriteWarning(string text) => _cmdlet.WriteWarning(SecretScrubber.Scrub(text));
    public void WriteVerbose(string text) => _cmdlet.WriteVerbose(SecretScrubber.Scrub(text));
    public void WriteDebug(string text) => _cmdlet.WriteDebug(SecretScrubber.Scrub(text));
    public void WriteProgress(ProgressInfo p) => _cmdlet.WriteProgress(ErrorRecords.ToProgressRecord(p));

    public void WriteHostText(string text) =>
        // Write-Host's own mechanism: shown by interactive hosts, kept in the information stream by
        // runbook hosts (which show no host output), and never mixed into pipeline output.
        _cmdlet.WriteInformation(new HostInformationMessage { Message = text, NoNewLine = true }, new[] { "PSHOST" });
}
