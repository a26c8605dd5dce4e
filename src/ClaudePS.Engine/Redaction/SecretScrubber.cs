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

    /// <summary>The error with a scrubbed message, partial text and cause; the same instance when nothing changed.</summary>
    public static ClaudeError Scrub(ClaudeError error)
    {
        string message = Scrub(error.Message) ?? "";
        string? partial = Scrub(error.PartialText);
        var cause = Scrub(error.Cause);
        if (ReferenceEquals(message, error.Message) && ReferenceEquals(partial, error.PartialText) && ReferenceEquals(cause, error.Cause)) return error;
        return error.WithMessage(message).WithPartial(partial, error.PartialUsage).WithCause(cause);
    }

    /// <summary>
    /// The exception itself when no message in its chain holds a credential; otherwise a copy of the chain
    /// as plain exceptions whose messages are scrubbed and name the original types (an exception's message
    /// cannot be changed in place).
    /// </summary>
    public static System.Exception? Scrub(System.Exception? exception)
    {
        if (exception is null) return null;
        var inner = Scrub(exception.InnerException);
        string message = Scrub(exception.Message) ?? "";
        if (ReferenceEquals(message, exception.Message) && ReferenceEquals(inner, exception.InnerException)) return exception;
        return new System.Exception($"{exception.GetType().FullName}: {message}", inner);
    }
}
