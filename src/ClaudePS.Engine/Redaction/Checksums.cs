using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace ClaudePS.Engine.Redaction;

/// <summary>The check-digit and checksum algorithms the recognizers validate with.</summary>
internal static class Checksums
{
    /// <summary>Luhn (mod 10) over ASCII digits.</summary>
    public static bool Luhn(string digits)
    {
        int sum = 0;
        bool dbl = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if (d < 0 || d > 9) return false;
            if (dbl) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    private static readonly Dictionary<string, int> IbanLengths = BuildIbanLengths();

    private static Dictionary<string, int> BuildIbanLengths()
    {
        // Country code and total length, from the IBAN registry.
        const string table =
            "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 " +
            "EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 " +
            "JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 " +
            "NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 " +
            "TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30";
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in table.Split(' ')) map[entry.Substring(0, 2)] = int.Parse(entry.Substring(2), System.Globalization.CultureInfo.InvariantCulture);
        return map;
    }

    /// <summary>IBAN without spaces: known country, that country's length, mod 97 == 1.</summary>
    public static bool Iban(string iban)
    {
        if (iban.Length < 15 || iban.Length > 34) return false;
        if (!IbanLengths.TryGetValue(iban.Substring(0, 2), out int len) || len != iban.Length) return false;
        int rem = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char c = iban[(k + 4) % iban.Length];
            if (c >= '0' && c <= '9') rem = (rem * 10 + (c - '0')) % 97;
            else if (c >= 'A' && c <= 'Z') rem = (rem * 100 + (c - 'A' + 10)) % 97;
            else return false;
        }
        return rem == 1;
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    public static uint Crc32(string ascii, int start, int length)
    {
        uint c = 0xFFFFFFFFu;
        for (int i = start; i < start + length; i++) c = CrcTable[(c ^ ascii[i]) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string ToBase62(uint value, int width)
    {
        var chars = new char[width];
        for (int i = width - 1; i >= 0; i--) { chars[i] = Base62[(int)(value % 62)]; value /= 62; }
        return new string(chars);
    }

    /// <summary>GitHub's token format: prefix_, 30 random base62 characters, CRC32 of those as 6 base62 characters.</summary>
    public static bool GitHubToken(string token)
    {
        int us = token.IndexOf('_');
        if (us != 3 || token.Length != 40) return false;
        uint crc = Crc32(token, 4, 30);
        return string.CompareOrdinal(token, 34, ToBase62(crc, 6), 0, 6) == 0;
    }

    private const string Base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Base58Check: decodes, and the last 4 bytes equal the first 4 of SHA-256(SHA-256(payload)).</summary>
    public static bool Base58Check(string text, out byte version)
    {
        version = 0;
        var bytes = new List<byte>(32);
        foreach (char ch in text)
        {
            int carry = Base58.IndexOf(ch);
            if (carry < 0) return false;
            for (int i = 0; i < bytes.Count; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)(carry & 0xFF);
                carry >>= 8;
            }
            while (carry > 0) { bytes.Add((byte)(carry & 0xFF)); carry >>= 8; }
        }
        foreach (char ch in text) { if (ch == '1') bytes.Add(0); else break; }
        bytes.Reverse();
        if (bytes.Count != 25) return false;
        var data = bytes.ToArray();
        using var sha = SHA256.Create();
        byte[] h = sha.ComputeHash(sha.ComputeHash(data, 0, 21));
        for (int i = 0; i < 4; i++) if (h[i] != data[21 + i]) return false;
        version = data[0];
        return true;
    }

    private const string Bech32Chars = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>Bech32 (BIP-173) or Bech32m (BIP-350) checksum.</summary>
    public static bool Bech32(string text)
    {
        string s = text.ToLowerInvariant();
        int sep = s.LastIndexOf('1');
        if (sep < 1 || sep + 7 > s.Length || s.Length > 90) return false;
        uint chk = 1;
        foreach (char c in s.Substring(0, sep)) chk = Bech32Step(chk) ^ (uint)(c >> 5);
        chk = Bech32Step(chk);
        foreach (char c in s.Substring(0, sep)) chk = Bech32Step(chk) ^ (uint)(c & 31);
        for (int i = sep + 1; i < s.Length; i++)
        {
            int v = Bech32Chars.IndexOf(s[i]);
            if (v < 0) return false;
            chk = Bech32Step(chk) ^ (uint)v;
        }
        return chk == 1 || chk == 0x2bc830a3;
    }

    private static uint Bech32Step(uint pre)
    {
        uint b = pre >> 25;
        uint chk = (pre & 0x1ffffff) << 5;
        if ((b & 1) != 0) chk ^= 0x3b6a57b2;
        if ((b & 2) != 0) chk ^= 0x26508e6d;
        if ((b & 4) != 0) chk ^= 0x1ea119fa;
        if ((b & 8) != 0) chk ^= 0x3d4233dd;
        if ((b & 16) != 0) chk ^= 0x2a1462b3;
        return chk;
    }

    /// <summary>EIP-55 mixed-case checksum of a 0x-prefixed Ethereum address.</summary>
    public static bool Eip55(string address)
    {
        string hex = address.Substring(2);
        byte[] hash = Keccak256.Hash(Encoding.ASCII.GetBytes(hex.ToLowerInvariant()));
        for (int i = 0; i < 40; i++)
        {
            char c = hex[i];
            if (c >= '0' && c <= '9') continue;
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            bool upper = c >= 'A' && c <= 'F';
            if (upper != nibble >= 8) return false;
        }
        return true;
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(string s, int start, int length)
    {
        if (length <= 0) return 0;
        var counts = new Dictionary<char, int>();
        for (int i = start; i < start + length; i++) counts[s[i]] = counts.TryGetValue(s[i], out int c) ? c + 1 : 1;
        double e = 0;
        foreach (var kv in counts)
        {
            double p = (double)kv.Value / length;
            e -= p * Math.Log(p, 2);
        }
        return e;
    }

    /// <summary>Base64url (no padding needed) to bytes; null when the text is not base64url.</summary>
    public static byte[]? Base64Url(string s, int start, int length)
    {
        var sb = new StringBuilder(length + 3);
        for (int i = start; i < start + length; i++)
        {
            char c = s[i];
            sb.Append(c == '-' ? '+' : c == '_' ? '/' : c);
        }
        while (sb.Length % 4 != 0) sb.Append('=');
        try { return Convert.FromBase64String(sb.ToString()); }
        catch (FormatException) { return null; }
    }
}

/// <summary>Keccak-256 as Ethereum uses it (the original padding, not NIST SHA3-256's).</summary>
internal static class Keccak256
{
    private static readonly ulong[] RoundConstants =
    {
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
        0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
        0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    };

    private static readonly int[] Rotations = { 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44 };
    private static readonly int[] PiLanes = { 10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1 };

    public static byte[] Hash(byte[] input)
    {
        const int rate = 136;
        var state = new ulong[25];
        int padded = (input.Length / rate + 1) * rate;
        var msg = new byte[padded];
        Buffer.BlockCopy(input, 0, msg, 0, input.Length);
        msg[input.Length] ^= 0x01;
        msg[padded - 1] ^= 0x80;
        for (int off = 0; off < padded; off += rate)
        {
            for (int i = 0; i < rate / 8; i++) state[i] ^= BitConverter.ToUInt64(msg, off + i * 8);
            Permute(state);
        }
        var output = new byte[32];
        for (int i = 0; i < 4; i++) Buffer.BlockCopy(BitConverter.GetBytes(state[i]), 0, output, i * 8, 8);
        return output;
    }

    private static void Permute(ulong[] a)
    {
        var c = new ulong[5];
        for (int round = 0; round < 24; round++)
        {
            for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            for (int x = 0; x < 5; x++)
            {
                ulong d = c[(x + 4) % 5] ^ Rol(c[(x + 1) % 5], 1);
                for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
            }
            ulong t = a[1];
            for (int i = 0; i < 24; i++)
            {
                int j = PiLanes[i];
                ulong tmp = a[j];
                a[j] = Rol(t, Rotations[i]);
                t = tmp;
            }
            for (int y = 0; y < 25; y += 5)
            {
                ulong a0 = a[y], a1 = a[y + 1], a2 = a[y + 2], a3 = a[y + 3], a4 = a[y + 4];
                a[y] = a0 ^ (~a1 & a2);
                a[y + 1] = a1 ^ (~a2 & a3);
                a[y + 2] = a2 ^ (~a3 & a4);
                a[y + 3] = a3 ^ (~a4 & a0);
                a[y + 4] = a4 ^ (~a0 & a1);
            }
            a[0] ^= RoundConstants[round];
        }
    }

    private static ulong Rol(ulong v, int n) => (v << n) | (v >> (64 - n));
}
