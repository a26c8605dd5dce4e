using System.Threading.Tasks;

namespace ClaudePS.Emulator;

public static class Program
{
    /// <summary>dotnet run --project src/ClaudePS.Emulator -- --urls http://127.0.0.1:8787</summary>
    public static async Task Main(string[] args)
    {
        await using var server = await EmulatorServer.StartAsync(EmulatorOptions.FromArgs(args), args).ConfigureAwait(false);
        System.Console.WriteLine($"ClaudePS emulator listening on {server.BaseUri} (Ctrl+C to stop)");
        await server.WaitForShutdownAsync().ConfigureAwait(false);
    }
}
