using System.Management.Automation;
using ClaudePS.Engine.Redaction;

namespace ClaudePS.Hosting;

/// <summary>ClaudeError to ErrorRecord and ProgressInfo to ProgressRecord: the only place they convert.</summary>
internal static class ErrorRecords
{
    /// <summary>The ErrorRecord of an engine error: its stable id and category, the failed input as
    /// TargetObject, and the underlying exception as Exception.InnerException; credentials scrubbed from all.</summary>
    public static ErrorRecord From(ClaudeError error)
    {
        error = SecretScrubber.Scrub(error);
        return new(new ClaudeException(error), error.ErrorId, (ErrorCategory)(int)error.Category, error.Target)
        {
            ErrorDetails = new ErrorDetails(error.ToString()),
        };
    }

    public static ProgressRecord ToProgressRecord(ProgressInfo p) => new(p.ActivityId, p.Activity, p.Status)
    {
        ParentActivityId = p.ParentActivityId,
        CurrentOperation = p.CurrentOperation,
        PercentComplete = p.PercentComplete,
        SecondsRemaining = p.SecondsRemaining,
        RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
    };
}
