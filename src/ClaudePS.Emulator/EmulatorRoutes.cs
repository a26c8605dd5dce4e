using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>Registers every endpoint group of the emulator.</summary>
internal static class EmulatorRoutes
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapGet("/", () => Results.Text("ClaudePS emulator"));
        Batches.BatchEndpoints.Map(app, state);
    }
}
