namespace ClaudePS;

/// <summary>A progress update, mapped by the cmdlet layer to a ProgressRecord.</summary>
public sealed class ProgressInfo
{
    public ProgressInfo(int activityId, string activity, string status)
    {
        ActivityId = activityId;
        Activity = activity;
        Status = status;
    }

    public int ActivityId { get; }
    public int ParentActivityId { get; init; } = -1;
    public string Activity { get; }
    public string Status { get; }
    public string? CurrentOperation { get; init; }
    /// <summary>0-100, or -1 when unknown.</summary>
    public int PercentComplete { get; init; } = -1;
    /// <summary>Seconds remaining, or -1 when unknown.</summary>
    public int SecondsRemaining { get; init; } = -1;
    /// <summary>True for the final update that removes the bar.</summary>
    public bool Completed { get; init; }
}
