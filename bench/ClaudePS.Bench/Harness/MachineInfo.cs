using System.Runtime.InteropServices;

namespace ClaudePS.Bench.Harness;

/// <summary>The machine a run happened on, as written into the results file. The load average (Linux)
/// says how much other work shared the cores, which is most of the noise in a figure.</summary>
public sealed record MachineInfo(string Os, int Cores, long MemoryBytes, string Dotnet, string? LoadAverage)
{
    public static MachineInfo Current() => new(
        RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture,
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        RuntimeInformation.FrameworkDescription,
        ReadLoadAverage());

    public static string? ReadLoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? string.Join(" ", parts[0], parts[1], parts[2]) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
