using System;
using System.Threading.Tasks;

namespace ClaudePS.Emulator;

public static class Program
{
    /// <summary>dotnet run --project src/ClaudePS.Emulator -- --urls http://127.0.0.1:8787 [flags in README.md]</summary>
    public static async Task<int> Main(string[] args)
    {
        EmulatorOptions options;
        try
        {
            options = EmulatorOptions.FromArgs(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"{ex.Message} See src/ClaudePS.Emulator/README.md for the flags.");
            return 2;
        }
        await using var server = await EmulatorServer.StartAsync(options, args).ConfigureAwait(false);
        Console.WriteLine($"ClaudePS emulator listening on {server.BaseUri} (Ctrl+C to stop)");
        await server.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}
