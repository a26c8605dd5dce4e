namespace ClaudePS.Commands;

/// <summary>Defaults the cmdlets share.</summary>
internal static class ConnectionDefaults
{
    /// <summary>The model used when neither -Model nor Connect-Claude -DefaultModel names one.</summary>
    public const string Model = "claude-sonnet-4-5";
    /// <summary>A small, cheap model for -Validate.</summary>
    public const string ValidationModel = "claude-haiku-4-5";
}
