namespace ClaudePS.Engine.Redaction;

/// <summary>
/// Credentials-only redaction for diagnostic text (verbose, debug, warning and error messages). Always
/// on, whatever redaction profile a command uses: a key must never reach a log.
/// </summary>
public static class SecretScrubber
{
    private static readonly Redactor Secrets = new(RedactionOptions.Secrets);

    /// <summary>The text with every credential replaced by a placeholder; null stays null.</summary>
    public static string? Scrub(string? text) => string.IsNullOrEmpty(text) ? text : Secrets.Redact(text).Text;

    /// <summary>The error with a scrubbed message (and partial text); the same instance when nothing changed.</summary>
    public static ClaudeError Scrub(ClaudeError error)
    {
        string message = Scrub(error.Message) ?? "";
        string? partial = Scrub(error.PartialText);
        if (ReferenceEquals(message, error.Message) && ReferenceEquals(partial, error.PartialText)) return error;
        return new ClaudeError(error.ErrorId, error.Category, message)
        {
            HttpStatus = error.HttpStatus,
            ErrorType = error.ErrorType,
            RequestId = error.RequestId,
            Target = error.Target,
            IsTransient = error.IsTransient,
            PartialText = partial,
            PartialUsage = error.PartialUsage,
        };
    }
}
