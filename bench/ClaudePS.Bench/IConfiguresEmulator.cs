using ClaudePS.Emulator;

namespace ClaudePS.Bench;

/// <summary>Optional for a scenario: the emulator options it wants at start (rate limits, reply length,
/// faults). Scenarios without it get a default emulator and may still change
/// <c>context.Emulator.State.Options</c> while it runs.</summary>
public interface IConfiguresEmulator
{
    EmulatorOptions CreateEmulatorOptions(bool quick);
}
