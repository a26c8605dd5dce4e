using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Emulator.Auth;

/// <summary>
/// Checks compact JWTs the way an identity provider does, with the BCL only (the emulator must not
/// share the client's JWT library, or a bug in it would pass its own test): signature for RS256,
/// PS256, ES256 and HS256; then the caller checks the claims.
/// </summary>
internal static class JwtVerifier
{
    public sealed record Parsed(string Algorithm, JsonElement Header, JsonElement Payload, byte[] SignedPart, byte[] Signature);

    public static Parsed? Parse(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonDocument.Parse(Decode(parts[0])).RootElement.Clone();
            var payload = JsonDocument.Parse(Decode(parts[1])).RootElement.Clone();
            if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object) return null;
            var alg = header.TryGetProperty("alg", out var a) ? a.GetString() ?? "" : "";
            return new Parsed(alg, header, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Decode(parts[2]));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Verifies the signature with <paramref name="key"/> (RSA, ECDsa, or the shared secret's bytes).</summary>
    public static bool Verify(Parsed jwt, object key) => (jwt.Algorithm, key) switch
    {
        ("RS256", RSA rsa) => rsa.VerifyData(jwt.SignedPart, jwt.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ("PS256", RSA rsa) => rsa.VerifyData(jwt.SignedPart, jwt.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        ("ES256", ECDsa ec) => ec.VerifyData(jwt.SignedPart, jwt.Signature, HashAlgorithmName.SHA256),
        ("HS256", byte[] secret) => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(secret, jwt.SignedPart), jwt.Signature),
        _ => false, // "none" and every algorithm/key mismatch
    };

    public static string? Str(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static DateTimeOffset? Time(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var s) ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    /// <summary>The audience claim contains <paramref name="expected"/> (aud may be a string or an array).</summary>
    public static bool HasAudience(JsonElement payload, string expected)
    {
        if (!payload.TryGetProperty("aud", out var aud)) return false;
        if (aud.ValueKind == JsonValueKind.String) return Same(aud.GetString(), expected);
        return aud.ValueKind == JsonValueKind.Array && aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && Same(a.GetString(), expected));
    }

    private static bool Same(string? a, string b) => string.Equals(a?.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static byte[] Decode(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
