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

    private static readonly byte[,] VerhoeffD =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 }, { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
        { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 }, { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
        { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 }, { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
        { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
    };

    private static readonly byte[,] VerhoeffP =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 }, { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
        { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 }, { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
        { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
    };

    /// <summary>Verhoeff (dihedral group D5) over ASCII digits, check digit last: Aadhaar uses it.</summary>
    public static bool Verhoeff(string digits)
    {
        int c = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            int d = digits[digits.Length - 1 - i] - '0';
            if (d < 0 || d > 9) return false;
            c = VerhoeffD[c, VerhoeffP[i % 8, d]];
        }
        return c == 0;
    }

    /// <summary>Sum of digit times weight over the first weights.Length digits.</summary>
    public static int WeightedSum(string digits, int[] weights)
    {
        int sum = 0;
        for (int i = 0; i < weights.Length; i++) sum += (digits[i] - '0') * weights[i];
        return sum;
    }

    private static readonly int[] NhsWeights = { 10, 9, 8, 7, 6, 5, 4, 3, 2 };

    /// <summary>NHS number (10 digits): 11 minus the weighted sum mod 11 is the last digit (11 reads 0, 10 is never issued).</summary>
    public static bool NhsNumber(string d)
    {
        if (d.Length != 10) return false;
        int check = 11 - WeightedSum(d, NhsWeights) % 11;
        if (check == 11) check = 0;
        return check != 10 && check == d[9] - '0';
    }

    private static readonly int[] Tfn9 = { 1, 4, 3, 7, 5, 8, 6, 9, 10 };
    private static readonly int[] Tfn8 = { 10, 7, 8, 4, 6, 3, 5, 1 };

    /// <summary>Australian tax file number (8 or 9 digits): the weighted sum is a multiple of 11.</summary>
    public static bool AustralianTfn(string d) =>
        (d.Length == 9 && WeightedSum(d, Tfn9) % 11 == 0) || (d.Length == 8 && WeightedSum(d, Tfn8) % 11 == 0);

    private static readonly int[] MedicareWeights = { 1, 3, 7, 9, 1, 3, 7, 9 };

    /// <summary>Australian Medicare card number (10 digits, or 11 with the individual reference): first digit 2-6, ninth is the check digit.</summary>
    public static bool AustralianMedicare(string d) =>
        (d.Length == 10 || d.Length == 11) && d[0] >= '2' && d[0] <= '6' && WeightedSum(d, MedicareWeights) % 10 == d[8] - '0' && d[9] != '0';

    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    /// <summary>Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is the number mod 23.</summary>
    public static bool SpanishDni(string compact)
    {
        if (compact.Length != 9) return false;
        char first = compact[0];
        string digits = first == 'X' ? "0" + compact.Substring(1, 7) : first == 'Y' ? "1" + compact.Substring(1, 7) : first == 'Z' ? "2" + compact.Substring(1, 7) : compact.Substring(0, 8);
        int rem = 0;
        foreach (char c in digits)
        {
            if (c < '0' || c > '9') return false;
            rem = (rem * 10 + (c - '0')) % 23;
        }
        return DniLetters[rem] == compact[8];
    }

    // Values of the characters in odd (1st, 3rd, ...) positions of a codice fiscale, for 0-9 and A-Z.
    private static readonly int[] CfOdd = { 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23 };

    /// <summary>Italian codice fiscale (16 characters): the last letter is the position-weighted sum mod 26.</summary>
    public static bool ItalianFiscalCode(string cf)
    {
        if (cf.Length != 16) return false;
        int sum = 0;
        for (int i = 0; i < 15; i++)
        {
            char c = cf[i];
            int digit = c >= '0' && c <= '9' ? c - '0' : -1;
            int letter = c >= 'A' && c <= 'Z' ? c - 'A' : -1;
            if (digit < 0 && letter < 0) return false;
            if (i % 2 == 0) sum += CfOdd[digit >= 0 ? digit : letter];
            else sum += digit >= 0 ? digit : letter;
        }
        return cf[15] == (char)('A' + sum % 26);
    }

    private static readonly int[] NricWeights = { 2, 7, 6, 5, 4, 3, 2 };

    /// <summary>Singapore NRIC/FIN: prefix S/T/F/G/M, 7 digits, a check letter from the weighted sum.</summary>
    public static bool SingaporeNric(string id)
    {
        if (id.Length != 9) return false;
        int sum = WeightedSum(id.Substring(1, 7), NricWeights);
        char p = id[0];
        char expected = p switch
        {
            'S' => "JZIHGFEDCBA"[sum % 11],
            'T' => "JZIHGFEDCBA"[(sum + 4) % 11],
            'F' => "XWUTRQPNMLK"[sum % 11],
            'G' => "XWUTRQPNMLK"[(sum + 4) % 11],
            'M' => "KLJNPQRTUWX"[10 - (sum + 3) % 11],
            _ => '\0',
        };
        return expected == id[8];
    }

    /// <summary>French NIR (15 characters, Corsica as 2A/2B): the key is 97 minus the first 13 mod 97.</summary>
    public static bool FrenchNir(string nir)
    {
        if (nir.Length != 15) return false;
        string body = nir.Substring(0, 13);
        // Corsica: department 2A counts as 19, 2B as 18.
        if (body[6] == 'A' || body[6] == 'B') body = body.Substring(0, 5) + (body[6] == 'A' ? "19" : "18") + body.Substring(7);
        if (!long.TryParse(body, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)) return false;
        if (!int.TryParse(nir.Substring(13), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int key)) return false;
        return key == 97 - (int)(n % 97);
    }

    /// <summary>Brazilian CPF (11 digits): two mod-11 check digits; all-same-digit numbers are invalid.</summary>
    public static bool BrazilCpf(string d)
    {
        if (d.Length != 11) return false;
        bool same = true;
        for (int i = 1; i < 11; i++) if (d[i] != d[0]) same = false;
        if (same) return false;
        for (int k = 9; k <= 10; k++)
        {
            int sum = 0;
            for (int i = 0; i < k; i++) sum += (d[i] - '0') * (k + 1 - i);
            int check = sum * 10 % 11 % 10;
            if (check != d[k] - '0') return false;
        }
        return true;
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
