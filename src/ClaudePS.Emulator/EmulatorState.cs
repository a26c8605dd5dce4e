namespace ClaudePS.Emulator;

/// <summary>Shared state of a running emulator: its options and its own accounting.</summary>
public sealed class EmulatorState
{
    public EmulatorState(EmulatorOptions options) => Options = options;
    public EmulatorOptions Options { get; }
}
