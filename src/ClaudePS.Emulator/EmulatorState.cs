namespace ClaudePS.Emulator;

/// <summary>Shared state of a running emulator: its options and its own accounting.</summary>
public sealed class EmulatorState
{
    public EmulatorState(EmulatorOptions options) => Options = options;
    public EmulatorOptions Options { get; }
    /// <summary>The identity provider side: token endpoints, issued tokens, revocation, clock offset.</summary>
    public Auth.AuthEmulatorState Auth { get; } = new();
}
