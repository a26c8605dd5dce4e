using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// Signs JWT assertions (client assertions, the JWT bearer grant) with a certificate's key (RS256,
/// PS256, ES256), a bare RSA key (Google service accounts) or a shared secret (HS256).
/// IdentityModel stays inside: callers see only BCL types.
/// </summary>
public sealed class AssertionSigner
{
    /// <summary>How far iat/nbf are set back, so a server whose clock is slightly behind still accepts them.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromSeconds(10);

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly Dictionary<string, object> _headers;

    private AssertionSigner(SigningCredentials credentials, Dictionary<string, object> headers, string algorithm, string description, string keyDigest)
    {
        KeyDigest = keyDigest;
        _credentials = credentials;
        _headers = headers;
        Algorithm = algorithm;
        Description = description;
    }

    public string Algorithm { get; }
    /// <summary>Identifies the key (thumbprint, key id or a digest of the secret) for cache keys.</summary>
    internal string KeyDigest { get; }
    /// <summary>What signs, for messages: "certificate CN=... (thumbprint ...)", never key material.</summary>
    public string Description { get; }

    /// <summary>Signs with the certificate's private key. <paramref name="algorithm"/> null picks RS256 for
    /// RSA keys and ES256 for P-256 keys. The header carries kid, x5t#S256 and (RSA) x5t: Entra ID looks the key up by x5t.</summary>
    public static AssertionSigner FromCertificate(X509Certificate2 certificate, string? algorithm = null)
    {
        if (certificate is null) throw new ArgumentNullException(nameof(certificate));
        string shown = $"certificate {certificate.Subject} (thumbprint {certificate.Thumbprint})";
        if (!certificate.HasPrivateKey)
            throw Invalid("ClaudePS.CertificateHasNoPrivateKey",
                $"The {shown} has no private key here, so it cannot sign. Import it with its private key (a .pfx), or give the thumbprint of one in Cert:\\CurrentUser\\My that has one.");
        if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            throw Invalid("ClaudePS.CertificateExpired", $"The {shown} expired on {certificate.NotAfter:u}. Use a current certificate.");
        SecurityKey key;
        string alg;
        try
        {
            if (certificate.GetRSAPrivateKey() is { } rsa)
            {
                alg = Normalise(algorithm) ?? SecurityAlgorithms.RsaSha256;
                if (alg != SecurityAlgorithms.RsaSha256 && alg != SecurityAlgorithms.RsaSsaPssSha256)
                    throw Invalid("ClaudePS.SigningAlgorithmMismatch", $"The {shown} has an RSA key: use -SigningAlgorithm RS256 or PS256, not {algorithm}.");
                key = new X509SecurityKey(certificate); // adds kid and x5t itself
            }
            else if (certificate.GetECDsaPrivateKey() is { } ec)
            {
                alg = Normalise(algorithm) ?? SecurityAlgorithms.EcdsaSha256;
                if (alg != SecurityAlgorithms.EcdsaSha256 || ec.KeySize != 256)
                    throw Invalid("ClaudePS.SigningAlgorithmMismatch", $"The {shown} has an EC key of {ec.KeySize} bits: ES256 needs a P-256 key.");
                // IdentityModel signs EC only with an ECDsaSecurityKey, which gets no x5t; kid and x5t#S256 name the certificate.
                key = new ECDsaSecurityKey(ec) { KeyId = certificate.Thumbprint };
            }
            else throw Invalid("ClaudePS.CertificateKeyUnsupported", $"The {shown} has neither an RSA nor an EC private key that this machine can use.");
        }
        catch (CryptographicException ex)
        {
            throw Invalid("ClaudePS.CertificateUnreadable", $"The private key of the {shown} cannot be used: {ex.Message} Check that this account may read the key.");
        }
        var headers = new Dictionary<string, object> { ["x5t#S256"] = Base64UrlEncoder.Encode(Sha256(certificate.RawData)) };
        return new AssertionSigner(new SigningCredentials(key, alg), headers, alg, shown, certificate.Thumbprint);
    }

    /// <summary>Signs with an RSA key (a Google service-account key), RS256, kid = <paramref name="keyId"/>.</summary>
    public static AssertionSigner FromRsaKey(RSA key, string? keyId, string description)
    {
        var headers = new Dictionary<string, object>();
        return new AssertionSigner(new SigningCredentials(new RsaSecurityKey(key) { KeyId = keyId }, SecurityAlgorithms.RsaSha256), headers, SecurityAlgorithms.RsaSha256, description, keyId ?? description);
    }

    /// <summary>HS256 with a shared secret (client_secret_jwt). The secret must have at least 256 bits.</summary>
    public static AssertionSigner FromSharedSecret(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret ?? "");
        if (bytes.Length < 32)
            throw Invalid("ClaudePS.SharedSecretTooShort",
                $"HS256 needs a shared secret of at least 32 bytes; this one has {bytes.Length}. Use the full client secret, or send it directly (omit -SigningAlgorithm HS256).");
        return new AssertionSigner(new SigningCredentials(new SymmetricSecurityKey(bytes), SecurityAlgorithms.HmacSha256), new Dictionary<string, object>(),
            SecurityAlgorithms.HmacSha256, "shared secret (HS256)", TokenEndpointClient.Digest("hs256", secret));
    }

    /// <summary>Signs <paramref name="claims"/> (numbers for times, strings otherwise) into a compact JWT.</summary>
    public string Sign(IDictionary<string, object> claims)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = _credentials,
            AdditionalHeaderClaims = _headers,
        };
        try
        {
            return Handler.CreateToken(descriptor);
        }
        catch (Exception ex) when (ex is CryptographicException or SecurityTokenException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw Invalid("ClaudePS.AssertionSigningFailed", $"Signing the assertion with the {Description} ({Algorithm}) failed: {ex.Message} Check that the key supports {Algorithm} on this system.");
        }
    }

    /// <summary>The standard claims of an assertion: backdated iat/nbf, exp after <paramref name="lifetime"/>,
    /// a fresh jti; times from the server-corrected clock.</summary>
    public static Dictionary<string, object> StandardClaims(ServerClock clock, string issuer, string? subject, string audience, TimeSpan lifetime)
    {
        var now = clock.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = (now - Backdate).ToUnixTimeSeconds(),
            ["nbf"] = (now - Backdate).ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        if (subject is not null) claims["sub"] = subject;
        return claims;
    }

    private static string? Normalise(string? algorithm) => algorithm?.Trim().ToUpperInvariant() switch
    {
        null or "" => null,
        "RS256" => SecurityAlgorithms.RsaSha256,
        "PS256" => SecurityAlgorithms.RsaSsaPssSha256,
        "ES256" => SecurityAlgorithms.EcdsaSha256,
        "HS256" => SecurityAlgorithms.HmacSha256,
        _ => throw Invalid("ClaudePS.SigningAlgorithmUnsupported", $"'{algorithm}' is not a supported signing algorithm. Use RS256, PS256, ES256 or HS256."),
    };

    private static byte[] Sha256(byte[] data)
    {
        using var sha = SHA256.Create();
        return sha.ComputeHash(data);
    }

    internal static ClaudeException Invalid(string id, string message) => new(new ClaudeError(id, ClaudeErrorCategory.InvalidArgument, message));
}
