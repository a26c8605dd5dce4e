using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>Reads a JSON request body with the real API's size limit (413 request_too_large over it).</summary>
public static class RequestBody
{
    /// <summary>Bodies this far over the limit are not drained (the connection is dropped instead).</summary>
    private const long DrainCeiling = 512L * 1024 * 1024;

    public static async Task<JsonDocument> ReadJsonAsync(HttpContext context, long limitBytes)
    {
        var request = context.Request;
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        long total = 0;
        bool tooLarge = request.ContentLength > limitBytes;
        while (true)
        {
            int read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            if (read == 0) break;
            total += read;
            if (total > limitBytes) tooLarge = true;
            // Keep reading (and discarding) so the client can finish sending and see the 413.
            if (!tooLarge) buffer.Write(chunk, 0, read);
            else if (total > DrainCeiling) break;
        }
        if (tooLarge)
        {
            throw new EmulatorApiException(413, ErrorTypes.RequestTooLarge,
                $"Request exceeds the maximum allowed number of bytes ({limitBytes}). Send a smaller request.");
        }
        if (buffer.Length == 0)
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "Request body is empty; send a JSON object.");
        try
        {
            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 256 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "Request body must be a JSON object.");
            }
            return document;
        }
        catch (JsonException ex)
        {
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"Request body is not valid JSON: {ex.Message}");
        }
    }
}
