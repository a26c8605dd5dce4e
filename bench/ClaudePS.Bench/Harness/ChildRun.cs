using System.Diagnostics;
using System.Globalization;

namespace ClaudePS.Bench.Harness;

/// <summary>Runs this bench console again as a child process (a fresh heap, nothing else loaded) and reads
/// the JSON result the child prints on its last line.</summary>
internal static class ChildRun
{
    public static async Task<T> RunAsync<T>(string childCommand, int rows, Uri emulator, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(ChildRun).Assembly.Location, childCommand, rows.ToString(CultureInfo.InvariantCulture), emulator.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Could not start the {childCommand} child process.");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var last = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (process.ExitCode != 0 || last is null)
                throw new InvalidOperationException($"The {childCommand} child exited with {process.ExitCode}: {await stderr}");
            return System.Text.Json.JsonSerializer.Deserialize<T>(last) ?? throw new InvalidOperationException($"The {childCommand} child printed no result.");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
