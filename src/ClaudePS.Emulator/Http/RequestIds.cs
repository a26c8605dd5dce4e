using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>Ids in the real API's style: req_…, msg_…, toolu_… (prefix + 24 base62 characters).</summary>
public static class RequestIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string ItemKey = "claudeps.request-id";

    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, 24);

    /// <summary>The request id the middleware assigned to this exchange.</summary>
    public static string? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var id) ? id as string : null;

    /// <summary>Gives every response a request-id header, errors and 404s included.</summary>
    internal static void UseRequestIds(this Microsoft.AspNetCore.Builder.WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            string id = New("req_");
            context.Items[ItemKey] = id;
            context.Response.Headers["request-id"] = id;
            await next(context).ConfigureAwait(false);
        });
    }
}
