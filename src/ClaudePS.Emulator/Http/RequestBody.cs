using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>Reads a request body with the real API's size limit (413 request_too_large over it): the
/// Messages API's JSON bodies and the token endpoints' JSON and form bodies alike.</summary>
public static class RequestBody
{
    /// <summary>Bodies this far over the limit are not drained (the connection is dropped instead).</summary>
    private const long DrainCeiling = 512L * 1024 * 1024;

    public static async Task<JsonDocument> ReadJsonAsync(HttpContext context, long limitBytes)
    {
        var bytes = await ReadAsync(context, limitBytes).ConfigureAwait(false);
        if (bytes.Length == 0)
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "Request body is empty; send a JSON object.");
        return Parse(bytes);
    }

    /// <summary>The whole body (empty when there is none); 413 over <paramref name="limitBytes"/>.</summary>
    public static async Task<byte[]> ReadAsync(HttpContext context, long limitBytes)
    {
        var request = context.Request;
        bool tooLarge = request.ContentLength > limitBytes;
        // A pooled buffer a byte over the declared size (the read that finds the end needs no more), or
        // 16 KB doubling: a request costs the emulator no large fresh allocation.
        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent(request.ContentLength is > 0 and var declared && !tooLarge ? (int)declared + 1 : 16 * 1024);
        try
        {
            int used = 0;
            long total = 0;
            while (true)
            {
                if (!tooLarge && used == buffer.Length)
                {
                    var bigger = pool.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, bigger, 0, used);
                    pool.Return(buffer);
                    buffer = bigger;
                }
                // Over the limit the rest is read (and discarded) so the client can finish sending and see the 413.
                int read = await request.Body.ReadAsync(tooLarge ? buffer.AsMemory() : buffer.AsMemory(used), context.RequestAborted).ConfigureAwait(false);
                if (read == 0) break;
                total += read;
                if (total > limitBytes) tooLarge = true;
                if (!tooLarge) used += read;
                else if (total > DrainCeiling) break;
            }
            if (tooLarge)
            {
                throw new EmulatorApiException(413, ErrorTypes.RequestTooLarge,
                    $"Request exceeds the maximum allowed number of bytes ({limitBytes}). Send a smaller request.");
            }
            return buffer.AsSpan(0, used).ToArray();
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    /// <summary>The document keeps <paramref name="json"/>: it is a copy, not the pooled buffer.</summary>
    private static JsonDocument Parse(byte[] json)
    {
        try
        {
            var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
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
