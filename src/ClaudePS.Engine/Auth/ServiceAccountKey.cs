using System;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json;

namespace ClaudePS.Engine.Auth;

/// <summary>A Google service-account key file (JSON: type, project_id, private_key_id, private_key, client_email, token_uri).</summary>
public sealed class ServiceAccountKey
{
    private readonly string _privateKeyPem;

    private ServiceAccountKey(string clientEmail, string privateKeyPem, string? privateKeyId, Uri tokenUri, string? projectId, string path)
    {
        ClientEmail = clientEmail;
        _privateKeyPem = privateKeyPem;
        PrivateKeyId = privateKeyId;
        TokenUri = tokenUri;
        ProjectId = projectId;
        Path = path;
    }

    public string ClientEmail { get; }
    public string? PrivateKeyId { get; }
    public Uri TokenUri { get; }
    public string? ProjectId { get; }
    public string Path { get; }
    public override string ToString() => $"service account {ClientEmail} ({Path})";

    public static ServiceAccountKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Unreadable(path, ex.Message);
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            string? type = Str(root, "type");
            if (type is not null && type != "service_account")
                throw Unreadable(path, $"its type is '{type}', not service_account (a user or external-account credential file is not a key file).");
            var email = Str(root, "client_email") ?? throw Unreadable(path, "it has no client_email.");
            var key = Str(root, "private_key") ?? throw Unreadable(path, "it has no private_key.");
            var tokenUri = Str(root, "token_uri") ?? "https://oauth2.googleapis.com/token";
            if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var uri)) throw Unreadable(path, "its token_uri is not a URI.");
            var parsed = new ServiceAccountKey(email, key, Str(root, "private_key_id"), uri, Str(root, "project_id"), path);
            using (PemKeys.ReadRsaPrivateKey(key, path)) { } // fail at Connect-Claude, not at the first request
            return parsed;
        }
        catch (JsonException)
        {
            throw Unreadable(path, "it is not JSON.");
        }
    }

    internal AssertionSigner CreateSigner() => AssertionSigner.FromRsaKey(PemKeys.ReadRsaPrivateKey(_privateKeyPem, Path), PrivateKeyId, ToString());

    private static string? Str(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ClaudeException Unreadable(string path, string why) =>
        new(new ClaudeError("ClaudePS.ServiceAccountKeyUnreadable", ClaudeErrorCategory.InvalidData,
            $"The service-account key file {path} cannot be used: {why} Download a JSON key for the service account (IAM > Service accounts > Keys) and pass its path with -ServiceAccountKeyPath."));
}

/// <summary>
/// Reads an RSA private key from PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY") with a small
/// DER reader, because the netstandard2.0 build (Windows PowerShell) has no PEM import; one code path
/// for both builds.
/// </summary>
internal static class PemKeys
{
    public static RSA ReadRsaPrivateKey(string pem, string where)
    {
        try
        {
            bool pkcs1 = pem.Contains("BEGIN RSA PRIVATE KEY");
            var der = Convert.FromBase64String(Body(pem));
            var reader = new Der(der);
            if (!pkcs1)
            {
                var info = reader.Sequence();
                info.Integer(); // version
                info.Sequence(); // algorithm (rsaEncryption)
                reader = new Der(info.OctetString());
            }
            var key = reader.Sequence();
            key.Integer(); // version
            var n = key.Integer();
            var e = key.Integer();
            var d = key.Integer();
            var p = key.Integer();
            var q = key.Integer();
            var dp = key.Integer();
            var dq = key.Integer();
            var qi = key.Integer();
            int half = (n.Length + 1) / 2;
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = n,
                Exponent = e,
                D = Pad(d, n.Length),
                P = Pad(p, half),
                Q = Pad(q, half),
                DP = Pad(dp, half),
                DQ = Pad(dq, half),
                InverseQ = Pad(qi, half),
            });
            return rsa;
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or InvalidDataException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ClaudeException(new ClaudeError("ClaudePS.PrivateKeyUnreadable", ClaudeErrorCategory.InvalidData,
                $"The private key in {where} is not an unencrypted RSA key in PEM form. Use the key file exactly as downloaded."));
        }
    }

    private static string Body(string pem)
    {
        var lines = pem.Replace("\\n", "\n").Split('\n');
        var body = new System.Text.StringBuilder();
        bool inside = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith("-----BEGIN", StringComparison.Ordinal)) { inside = true; continue; }
            if (line.StartsWith("-----END", StringComparison.Ordinal)) break;
            if (inside) body.Append(line);
        }
        if (!inside) throw new FormatException("no PEM block");
        return body.ToString();
    }

    private static byte[] Pad(byte[] value, int length)
    {
        if (value.Length >= length) return value;
        var padded = new byte[length];
        Buffer.BlockCopy(value, 0, padded, length - value.Length, value.Length);
        return padded;
    }

    /// <summary>Just enough DER: SEQUENCE, INTEGER, OCTET STRING, definite lengths.</summary>
    private sealed class Der
    {
        private readonly byte[] _data;
        private int _pos;
        private readonly int _end;

        public Der(byte[] data, int start = 0, int end = -1)
        {
            _data = data;
            _pos = start;
            _end = end < 0 ? data.Length : end;
        }

        public Der Sequence()
        {
            var (start, length) = Read(0x30);
            return new Der(_data, start, start + length);
        }

        public byte[] Integer()
        {
            var (start, length) = Read(0x02);
            while (length > 1 && _data[start] == 0) { start++; length--; } // unsigned big-endian
            var value = new byte[length];
            Buffer.BlockCopy(_data, start, value, 0, length);
            return value;
        }

        public byte[] OctetString()
        {
            var (start, length) = Read(0x04);
            var value = new byte[length];
            Buffer.BlockCopy(_data, start, value, 0, length);
            return value;
        }

        private (int Start, int Length) Read(byte tag)
        {
            if (_pos >= _end || _data[_pos] != tag) throw new InvalidDataException("unexpected DER tag");
            _pos++;
            int length = _data[_pos++];
            if ((length & 0x80) != 0)
            {
                int count = length & 0x7F;
                if (count is 0 or > 4) throw new InvalidDataException("unsupported DER length");
                length = 0;
                for (int i = 0; i < count; i++) length = (length << 8) | _data[_pos++];
            }
            if (length < 0 || _pos + length > _end) throw new InvalidDataException("DER length past the end");
            int start = _pos;
            _pos += length;
            return (start, length);
        }
    }
}
