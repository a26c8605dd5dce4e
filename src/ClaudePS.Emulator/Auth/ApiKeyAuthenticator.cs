using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>The verdict of a bearer-token check: accepted as some principal, or rejected with a message.</summary>
public readonly record struct BearerCheck(bool Accepted, string? PrincipalId, string? Message)
{
    /// <summary>Accepted; <paramref name="principalId"/> is what accounting and rate limits key on (never the token).</summary>
    public static BearerCheck Accept(string principalId) => new(true, principalId, null);

    /// <summary>Rejected with 401 authentication_error and this message (e.g. "OAuth token has expired").</summary>
    public static BearerCheck Reject(string message) => new(false, null, message);
}

/// <summary>Who sent a request: the id accounting uses (apikey_… derived from a hash, never the secret).</summary>
public readonly record struct CallerIdentity(string KeyId, bool ViaBearer);

/// <summary>
/// x-api-key or Authorization: Bearer. Keys are checked against <see cref="EmulatorOptions.ApiKeys"/>
/// (or the sk-ant- prefix when the list is empty); bearer tokens go through
/// <see cref="EmulatorState.BearerValidator"/> when one is plugged in, otherwise the same key rule.
/// </summary>
public static class ApiKeyAuthenticator
{
    /// <summary>The stable, non-secret id for a key: apikey_ + 16 hex of its SHA-256.</summary>
    public static string KeyIdFor(string key) =>
        "apikey_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];

    public static bool IsAcceptedKey(EmulatorOptions options, string key)
    {
        lock (options.ApiKeys)
        {
            return options.ApiKeys.Count == 0
                ? key.StartsWith("sk-ant-", StringComparison.Ordinal) && key.Length > "sk-ant-".Length
                : options.ApiKeys.Contains(key, StringComparer.Ordinal);
        }
    }

    /// <summary>The caller, or throws 401 authentication_error.</summary>
    public static CallerIdentity Authenticate(HttpContext context, EmulatorState state)
    {
        string? key = context.Request.Headers["x-api-key"].FirstOrDefault();
        if (!string.IsNullOrEmpty(key))
        {
            if (!IsAcceptedKey(state.Options, key))
                throw new EmulatorApiException(401, ErrorTypes.Authentication, "invalid x-api-key");
            return new CallerIdentity(KeyIdFor(key), false);
        }
        string? authorization = context.Request.Headers.Authorization.FirstOrDefault();
        if (!string.IsNullOrEmpty(authorization))
        {
            const string scheme = "Bearer ";
            if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == scheme.Length)
                throw new EmulatorApiException(401, ErrorTypes.Authentication, "Authorization header must be 'Bearer <token>'.");
            string token = authorization[scheme.Length..].Trim();
            var validator = state.BearerValidator;
            if (validator != null)
            {
                var check = validator(token);
                if (!check.Accepted || string.IsNullOrEmpty(check.PrincipalId))
                    throw new EmulatorApiException(401, ErrorTypes.Authentication, check.Message ?? "Invalid bearer token.");
                return new CallerIdentity(check.PrincipalId, true);
            }
            if (!IsAcceptedKey(state.Options, token))
                throw new EmulatorApiException(401, ErrorTypes.Authentication, "Invalid bearer token.");
            return new CallerIdentity(KeyIdFor(token), true);
        }
        throw new EmulatorApiException(401, ErrorTypes.Authentication, "x-api-key header is required");
    }
}
