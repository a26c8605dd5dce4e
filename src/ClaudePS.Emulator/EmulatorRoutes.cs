using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>Registers every endpoint group of the emulator.</summary>
internal static class EmulatorRoutes
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.UseRequestIds();
        app.MapGet("/", () => Results.Text("ClaudePS emulator"));
        MessagesEndpoints.Map(app, state);
        Auth.AuthRoutes.Map(app, state);
        ModelsEndpoints.Map(app, state);
        Admin.AdminReportRoutes.Map(app, state);
        Batches.BatchEndpoints.Map(app, state);
        // Unknown paths answer like the real API: a not_found_error body, with a request-id.
        app.MapFallback((HttpContext context) => ApiErrorResponses.WriteAsync(context,
            new EmulatorApiException(404, ErrorTypes.NotFound, $"Not found: {context.Request.Method} {context.Request.Path}")));
    }
}
