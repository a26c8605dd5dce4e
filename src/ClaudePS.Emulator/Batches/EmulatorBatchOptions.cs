namespace ClaudePS.Emulator.Batches;

/// <summary>How the emulator's Message Batches behave: processing speed and lifetime.</summary>
public sealed class EmulatorBatchOptions
{
    /// <summary>Time to process one request of a batch (the batch's speed). Zero processes at once.</summary>
    public TimeSpan PerRequestDelay { get; set; } = TimeSpan.FromMilliseconds(5);
    /// <summary>How long after creation a batch expires (the API's 24 hours); unprocessed requests then come back expired.</summary>
    public TimeSpan ExpiresAfter { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Most requests in one batch (the API's limit).</summary>
    public int MaxRequests { get; set; } = 100_000;
    /// <summary>Largest create body in bytes (the API's 256 MB).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;
}
