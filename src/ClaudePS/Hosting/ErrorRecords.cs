using System.Management.Automation;

namespace ClaudePS.Hosting;

/// <summary>ClaudeError to ErrorRecord and ProgressInfo to ProgressRecord: the only place they convert.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(ClaudeError error) =>
        new(new ClaudeException(error), error.ErrorId, (ErrorCategory)(int)error.Category, error.Target)
        {
            ErrorDetails = new ErrorDetails(error.ToString()),
        };

    public static ProgressRecord ToProgressRecord(ProgressInfo p) => new(p.ActivityId, p.Activity, p.Status)
    {
        ParentActivityId = p.ParentActivityId,
        CurrentOperation = p.CurrentOperation,
        PercentComplete = p.PercentComplete,
        SecondsRemaining = p.SecondsRemaining,
        RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
    };
}
