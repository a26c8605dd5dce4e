using System;
using System.Collections;
using System.Collections.Generic;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// The credential order when Connect-Claude gets no credential parameter: ANTHROPIC_API_KEY
/// (x-api-key), then ANTHROPIC_AUTH_TOKEN (Bearer). An explicit parameter always wins over both.
/// </summary>
public static class CredentialResolver
{
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";
    public const string AuthTokenVariable = "ANTHROPIC_AUTH_TOKEN";
    public const string BaseUrlVariable = "ANTHROPIC_BASE_URL";

    public static ICredentialProvider FromEnvironment(IDictionary environment)
    {
        if (Get(environment, ApiKeyVariable) is { } key) return new ApiKeyCredential(key, "env:" + ApiKeyVariable);
        if (Get(environment, AuthTokenVariable) is { } token) return new BearerTokenCredential(token, "env:" + AuthTokenVariable);
        throw new ClaudeException(new ClaudeError("ClaudePS.NoCredential", ClaudeErrorCategory.AuthenticationError,
            $"No credential was given and neither {ApiKeyVariable} nor {AuthTokenVariable} is set. " +
            "Pass -ApiKey (a SecureString), -Credential, or set one of those environment variables."));
    }

    /// <summary>The process environment as a dictionary (the engine reads it only through this seam).</summary>
    public static IDictionary ProcessEnvironment() => Environment.GetEnvironmentVariables();

    internal static string? Get(IDictionary environment, string name)
    {
        // Environment variable names are case-insensitive on Windows only; look up exact first, then any case.
        if (environment[name] is string exact && exact.Trim().Length > 0) return exact;
        foreach (DictionaryEntry e in environment)
            if (e.Key is string k && string.Equals(k, name, StringComparison.OrdinalIgnoreCase) && e.Value is string v && v.Trim().Length > 0)
                return v;
        return null;
    }
}
