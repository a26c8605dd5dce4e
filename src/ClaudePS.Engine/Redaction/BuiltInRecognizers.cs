using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using R = ClaudePS.Engine.Redaction.RedactionRegexes;

namespace ClaudePS.Engine.Redaction;

/// <summary>The built-in recognizers and their validation rules.</summary>
internal static partial class BuiltInRecognizers
{
    public static IReadOnlyList<Recognizer> All { get; } = Build();

    private const RedactionProfile Sec = RedactionProfile.Secrets;
    private const RedactionProfile Std = RedactionProfile.Standard;
    private const RedactionProfile Intl = RedactionProfile.International;
    private const RedactionProfile Str = RedactionProfile.Strict;

    private static List<Recognizer> Build()
    {
        var all = Core();
        all.AddRange(NationalIds());
        return all;
    }

    private static List<Recognizer> Core() => new()
    {
        new("PrivateKey", Sec, 100, () => R.PemBlock, PrivateKeyBlock, Candidates.Literals(false, "-----BEGIN "), 300) { SettledByEndGroup = true },
        new("PrivateKey", Sec, 100, () => R.Base64Pem, Base64Pem, Candidates.Literals(false, "LS0tLS1CRUdJTi"), 300),
        new("PrivateKey", Sec, 100, () => R.PuttyBlock, PrivateKeyBlock, Candidates.Literals(false, "PuTTY-User-Key-File-"), 300),
        new("AnthropicApiKey", Sec, 95, () => R.Anthropic, Anthropic, Candidates.Literals(false, "sk-ant-"), 2),
        new("SplitKey", Sec, 96, () => R.SplitKey, SplitKey, Candidates.JoinedLiterals(160), 48),
        new("OpenAIKey", Sec, 90, () => R.OpenAI, c => Token(c, "OpenAIKey", 90, 3), Candidates.Literals(false, "sk-"), 2),
        new("AwsAccessKeyId", Sec, 90, () => R.AwsKeyId, AwsKeyId, Candidates.Literals(false, "AKIA", "ASIA", "ABIA", "ACCA"), 2),
        new("AwsBedrockApiKey", Sec, 90, () => R.AwsBedrock, AwsBedrock, Candidates.Literals(false, "ABSK", "bedrock-api-key-"), 2),
        new("AwsSessionToken", Sec, 90, () => R.AwsSessionToken, c => Token(c, "AwsSessionToken", 90, 12), Candidates.Literals(false, "FwoGZXIvYXdz", "IQoJb3JpZ2luX2Vj"), 2),
        new("AzureClientSecret", Sec, 85, () => R.AzureClientSecret, AzureClientSecret, Candidates.Offset("Q~", 4), 2),
        new("GitHubToken", Sec, 90, () => R.GitHub, GitHub, Candidates.Literals(false, "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), 2),
        new("GitLabToken", Sec, 90, () => R.GitLab, c => Token(c, "GitLabToken", 90, 5), Candidates.Literals(false, "gl", "GR1348941"), 2),
        new("SlackToken", Sec, 90, () => R.Slack, c => Token(c, "SlackToken", 90, 5), Candidates.Literals(false, "xox", "xapp-", "https://hooks.slack.com/"), 2),
        new("StripeKey", Sec, 90, () => R.Stripe, c => Token(c, "StripeKey", 90, 8), Candidates.Literals(false, "sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"), 2),
        new("GoogleApiKey", Sec, 90, () => R.Google, c => Token(c, "GoogleApiKey", 90, 4), Candidates.Literals(false, "AIza", "GOCSPX-", "ya29."), 2),
        new("JWT", Sec, 85, () => R.Jwt, Jwt, Candidates.Literals(false, "eyJ"), 3),
        new("AwsSecretKey", Sec, 80, () => R.AwsSecret, c => KeyedValue(c, "AwsSecretKey", 80, 3.5), Candidates.Literals(true, "aws", "secret"), 2),
        new("AzureKey", Sec, 80, () => R.AzureKey, c => KeyedValue(c, "AzureKey", 80, 3.5), Candidates.KeywordsBeforeSeparator(48, "_-. ?&;", "sharedaccesskey", "primarykey", "secondarykey", "azure_storage_", "account", "storage", "?sig", "&sig", ";sig"), 2),
        new("UrlCredential", Sec, 75, () => R.UrlCredential, UrlCredential, Candidates.RunBefore("://", Candidates.IsSchemeChar, 22), 2),
        new("Secret", Sec, 72, () => R.CommandCredential, CommandCredential, Candidates.Offset("-u", 0, 1), 2),
        new("AuthorizationHeader", Sec, 70, () => R.AuthorizationHeader, AuthorizationHeader, Candidates.KeywordsBeforeSeparator(48, "_-", "authorization", "proxy-authorization", "x-api-key", "api-key", "x-auth-token", "x-goog-api-key", "ocp-apim-subscription-key", "private-token"), 2),
        new("Secret", Sec, 60, () => R.GenericSecret, GenericSecret, Candidates.KeywordsBeforeSeparator(96, "_-.", "pass", "pwd", "secret", "client", "api", "access", "auth", "refresh", "token", "private", "credential"), 2),
        new("CreditCard", Std, 50, () => R.Card, Card, Candidates.DigitRuns(0, (t, d, e) => e - d >= 12 || (e - d == 4 && Candidates.DigitsAhead(t, d, 32, " -") >= 12)), 32),
        new("IBAN", Std, 50, () => R.Iban, Iban, Candidates.DigitRuns(2, (t, d, e) => d >= 2 && e - d >= 2 && Candidates.IsLetter(t[d - 1]) && Candidates.IsLetter(t[d - 2])), 8),
        new("SSN", Std, 48, () => R.Ssn, Ssn, Candidates.DigitGroups(3, " -.", 9), 4),
        new("CryptoWallet", Str, 40, () => R.Base58Wallet, Base58Wallet, Candidates.LongWords("13LM", 26), 2),
        new("CryptoWallet", Str, 40, () => R.Bech32Wallet, Bech32Wallet, Candidates.Literals(true, "bc1", "tb1", "ltc1"), 2),
        new("CryptoWallet", Str, 40, () => R.EthWallet, EthWallet, Candidates.Literals(false, "0x"), 2),
        new("Email", Str, 30, () => R.Email, Email, Candidates.RunBefore("@", Candidates.IsEmailLocal, 64), 4),
        new("IPAddress", Str, 25, () => R.IPv4, IPv4, Candidates.DigitRuns(0, (t, d, e) => e - d <= 3 && e + 1 < t.Length && t[e] == '.'), 4),
        new("IPAddress", Str, 25, () => R.IPv6, IPv6, Candidates.RunBefore(":", Candidates.IsHexOrColon, 40), 8),
        new("Phone", Str, 20, () => R.Phone, Phone, Candidates.DigitRuns(1, (t, d, e) => e - d >= 7 || Candidates.DigitsAhead(t, d, 24, " -.()") >= 7), 12),
    };

    // ---------- shared value rules ----------

    private static readonly HashSet<string> Stopwords = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "pass", "secret", "secrets", "token", "tokens", "none", "null", "nil", "undefined", "true", "false",
        "required", "optional", "string", "str", "int", "integer", "bool", "boolean", "number", "object", "empty", "env", "value",
        "test", "testing", "default", "hidden", "masked", "unknown", "n/a", "tbd", "todo", "encrypted", "secure", "expired",
        "invalid", "missing", "valid", "provided", "generated", "rotated", "revoked", "stored", "hashed", "unchanged", "omitted",
        "disabled", "enabled", "mypassword", "yourpassword", "letmein", "sensitive", "confidential", "redacted", "unset", "blank",
    };

    /// <summary>Template, masked, example and variable-reference values: not secrets.</summary>
    internal static bool IsPlaceholderValue(string v)
    {
        if (v.Length == 0) return true;
        char f = v[0];
        if (f == '<' || f == '$' || f == '%' || f == '{' || f == '[' || f == '(' || f == '*' || f == '@') return true;
        string lower = v.ToLowerInvariant();
        if (Stopwords.Contains(lower)) return true;
        string[] marks = { "${", "{{", "***", "xxxx", "...", "\u2026", "redacted", "placeholder", "changeme", "change_me", "change-me",
            "example", "dummy", "sample", "<", ">", "your_", "your-", "yourapi", "fake", "notreal", "not_real", "replace" };
        foreach (var m in marks) if (lower.IndexOf(m, StringComparison.Ordinal) >= 0) return true;
        if (lower.StartsWith("your", StringComparison.Ordinal) || lower.StartsWith("my_", StringComparison.Ordinal) ||
            lower.StartsWith("insert", StringComparison.Ordinal) || lower.StartsWith("enter", StringComparison.Ordinal)) return true;
        if (lower.EndsWith("here", StringComparison.Ordinal)) return true;
        bool same = true;
        foreach (char c in v) if (c != f) { same = false; break; }
        return same;
    }

    /// <summary>Random-looking enough to be a key: not a placeholder, not a run, enough distinct characters.</summary>
    internal static bool LooksRandom(string s, int start, int length, double minEntropy = 3.0)
    {
        if (length <= 0) return false;
        string part = s.Substring(start, length);
        if (IsPlaceholderValue(part)) return false;
        int steps = 0;
        for (int i = 1; i < part.Length; i++) if (part[i] == part[i - 1] + 1 || part[i] == part[i - 1]) steps++;
        if (steps * 2 > part.Length) return false; // 0123456789abcdef..., aaaaaaaa...
        return Checksums.Entropy(part, 0, part.Length) >= Math.Min(minEntropy, Math.Log(part.Length, 2) * 0.8);
    }

    private static Finding? Whole(in Candidate c, string type, int priority) => new Finding(c.Start, c.End, type, priority);

    // Keys and tokens printed in providers' public documentation: everyone has seen them, they open nothing.
    private static readonly HashSet<string> DocumentedExamples = new(StringComparer.Ordinal)
    {
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_BQokikJOvBiI2HlWgH4olfQ2", "rk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    };

    private static bool IsDocumentedExample(in Candidate c) => c.Match.Length >= 20 && DocumentedExamples.Contains(c.Match.Value);

    private static Finding? Group(in Candidate c, string group, string type, int priority)
    {
        var g = c.Match.Groups[group];
        return g.Success ? new Finding(g.Index, g.Index + g.Length, type, priority) : null;
    }

    // ---------- credentials ----------

    private static Finding? PrivateKeyBlock(Candidate c)
    {
        // Only a block with key material is a key; a header quoted in prose is not.
        int material = 0;
        int end = c.End;
        for (int i = c.Start; i < end; i++)
        {
            char ch = c.Text[i];
            if (char.IsLetterOrDigit(ch) || ch == '+' || ch == '/') material++;
        }
        if (material < 80) return null;
        while (end > c.Start && (char.IsWhiteSpace(c.Text[end - 1]) || (end - 2 > c.Start && c.Text[end - 2] == '\\' && (c.Text[end - 1] == 'n' || c.Text[end - 1] == 'r'))))
            end -= char.IsWhiteSpace(c.Text[end - 1]) ? 1 : 2;
        return new Finding(c.Start, end, "PrivateKey", 100);
    }

    private static Finding? Anthropic(Candidate c)
    {
        var kind = c.Match.Groups["kind"];
        int bodyStart = kind.Success ? kind.Index + kind.Length + 1 : c.Start + "sk-ant-".Length;
        // The prefix is specific enough that only placeholders and runs are turned away, not merely plain-looking bodies.
        if (!LooksRandom(c.Text, bodyStart, c.End - bodyStart, 2.5)) return null;
        return Whole(c, kind.Value == "admin01" ? "AnthropicAdminKey" : "AnthropicApiKey", 95);
    }

    /// <summary>
    /// A provider key split into joined string literals: the pieces are put back together and the whole must
    /// pass as that provider's key. The finding covers the pieces and the joins between them, inside the outer quotes.
    /// </summary>
    private static Finding? SplitKey(Candidate c)
    {
        var m = c.Match;
        if (m.Length > 190) return null; // longer chains are not held while streaming, so never matched either
        var joined = new StringBuilder(m.Length);
        bool inside = false;
        foreach (char ch in m.Value)
        {
            if (ch == '"' || ch == '\'') inside = !inside;
            else if (inside) joined.Append(ch);
        }
        string key = joined.ToString();
        string? type =
            key.StartsWith("sk-ant-admin01-", StringComparison.Ordinal) ? "AnthropicAdminKey" :
            key.StartsWith("sk-ant-", StringComparison.Ordinal) ? "AnthropicApiKey" :
            key.StartsWith("sk-", StringComparison.Ordinal) ? "OpenAIKey" :
            key.StartsWith("AKIA", StringComparison.Ordinal) || key.StartsWith("ASIA", StringComparison.Ordinal) ? (key.Length == 20 ? "AwsAccessKeyId" : null) :
            key.StartsWith("gh", StringComparison.Ordinal) ? "GitHubToken" :
            key.StartsWith("glpat-", StringComparison.Ordinal) ? "GitLabToken" :
            key.StartsWith("xox", StringComparison.Ordinal) ? "SlackToken" :
            key.StartsWith("AIza", StringComparison.Ordinal) ? (key.Length == 39 ? "GoogleApiKey" : null) : null;
        if (type is null) return null;
        int body = key.IndexOfAny(PrefixSeparators, 2) is int sep && sep >= 0 && sep < 16 ? sep + 1 : 4;
        if (key.Length - body < 16 || !LooksRandom(key, body, key.Length - body)) return null;
        return new Finding(c.Start + 1, c.End - 1, type, 96);
    }

    private static Finding? AwsBedrock(Candidate c)
    {
        // Decode the start: a long-term key spells "BedrockAPIKey-", a short-term one a bedrock.amazonaws.com URL.
        string v = c.Match.Value;
        bool longTerm = v.StartsWith("ABSK", StringComparison.Ordinal);
        int body = longTerm ? 4 : "bedrock-api-key-".Length;
        var head = Checksums.Base64Url(v, body, Math.Min(40, (v.Length - body) / 4 * 4));
        if (head is null) return null;
        string text = Encoding.ASCII.GetString(head);
        bool ok = longTerm ? text.StartsWith("BedrockAPIKey-", StringComparison.Ordinal) : text.StartsWith("bedrock.amazonaws.com", StringComparison.Ordinal);
        return ok && LooksRandom(v, body, v.Length - body, 3.0) ? Whole(c, "AwsBedrockApiKey", 90) : null;
    }

    private static Finding? AzureClientSecret(Candidate c) =>
        LooksRandom(c.Text, c.Start + 6, c.Match.Length - 6, 3.0) ? Whole(c, "AzureClientSecret", 85) : null;

    private static Finding? Base64Pem(Candidate c)
    {
        // 64 base64 characters decode to 48 bytes: enough for "-----BEGIN ... PRIVATE KEY-----".
        var head = Checksums.Base64Url(c.Text, c.Start, Math.Min(64, c.Match.Length / 4 * 4));
        if (head is null) return null;
        string text = Encoding.ASCII.GetString(head);
        return text.IndexOf("PRIVATE KEY", StringComparison.Ordinal) > 0 && c.Match.Length >= 200 ? Whole(c, "PrivateKey", 100) : null;
    }

    private static Finding? CommandCredential(Candidate c)
    {
        var g = c.Match.Groups["v"];
        if (g.Length < 3 || IsUrlPlaceholder(g.Value)) return null;
        // docker run -u 1000:1000, chown-style uid:gid pairs: ids, not a password.
        if (AllDigits(c.Match.Groups["user"].Value) && AllDigits(g.Value)) return null;
        return Group(c, "v", "Secret", 72);
    }

    private static bool AllDigits(string v)
    {
        foreach (char ch in v) if (ch < '0' || ch > '9') return false;
        return v.Length > 0;
    }

    private static readonly char[] PrefixSeparators = { '_', '-' };

    private static Finding? Token(Candidate c, string type, int priority, int prefixLength)
    {
        // The random part follows the prefix's own separator (the first one where the prefix ends); a '-' or '_'
        // further on belongs to the random part.
        int body = c.Start + prefixLength;
        string v = c.Match.Value;
        int sep = prefixLength - 1 < v.Length ? v.IndexOfAny(PrefixSeparators, prefixLength - 1, Math.Min(v.Length, 20) - (prefixLength - 1)) : -1;
        if (sep >= 0) body = c.Start + sep + 1;
        if (IsDocumentedExample(c)) return null;
        if (v.StartsWith("https://", StringComparison.Ordinal)) return v.IndexOf("XXXX", StringComparison.OrdinalIgnoreCase) >= 0 ? null : Whole(c, type, priority);
        if (!LooksRandom(c.Text, body, c.End - body)) return null;
        return Whole(c, type, priority);
    }

    private static Finding? AwsKeyId(Candidate c)
    {
        if (c.Match.Value.IndexOf("EXAMPLE", StringComparison.Ordinal) >= 0) return null;
        return LooksRandom(c.Text, c.Start + 4, 16, 2.5) ? Whole(c, "AwsAccessKeyId", 90) : null;
    }

    private static Finding? GitHub(Candidate c)
    {
        string v = c.Match.Value;
        if (v.StartsWith("github_pat_", StringComparison.Ordinal))
            return LooksRandom(c.Text, c.Start + 11, v.Length - 11) ? Whole(c, "GitHubToken", 90) : null;
        return Checksums.GitHubToken(v) ? Whole(c, "GitHubToken", 90) : null;
    }

    private static Finding? KeyedValue(Candidate c, string type, int priority, double minEntropy)
    {
        var g = c.Match.Groups["v"];
        if (!g.Success || g.Value.IndexOf("EXAMPLE", StringComparison.Ordinal) >= 0) return null;
        return LooksRandom(c.Text, g.Index, g.Length, minEntropy) ? Group(c, "v", type, priority) : null;
    }

    private static Finding? Jwt(Candidate c)
    {
        int dot = c.Text.IndexOf('.', c.Start, c.End - c.Start);
        if (dot < 0 || IsDocumentedExample(c)) return null;
        string? header = Base64Json(c.Text, c.Start, dot - c.Start);
        if (header is null || (header.IndexOf("\"alg\"", StringComparison.Ordinal) < 0 && header.IndexOf("\"enc\"", StringComparison.Ordinal) < 0)) return null;
        int end = c.End, parts = 1;
        for (int i = dot; i < end; i++) if (c.Text[i] == '.') parts++;
        // A signed token followed by a full stop: the stop is prose. An unsigned one (alg none) keeps its final dot.
        if (parts > 3 && c.Text[end - 1] == '.') { end--; parts--; }
        if (parts == 2)
        {
            // header.payload with no signature part at all: the payload must be JSON too.
            if (c.Text[end - 1] == '.') return null;
            if (Base64Json(c.Text, dot + 1, end - dot - 1) is null) return null;
        }
        return new Finding(c.Start, end, "JWT", 85);
    }

    /// <summary>Base64url text that decodes to a UTF-8 JSON object, or null.</summary>
    private static string? Base64Json(string s, int start, int length)
    {
        var bytes = Checksums.Base64Url(s, start, length);
        if (bytes is null) return null;
        try
        {
            string json = new UTF8Encoding(false, true).GetString(bytes).TrimStart();
            return json.StartsWith("{", StringComparison.Ordinal) ? json : null;
        }
        catch (ArgumentException) { return null; }
    }

    private static Finding? UrlCredential(Candidate c)
    {
        var g = c.Match.Groups["v"];
        return IsUrlPlaceholder(g.Value) ? null : Group(c, "v", "UrlCredential", 75);
    }

    private static readonly HashSet<string> UrlPlaceholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "pass", "pwd", "pw", "changeme", "mypassword", "yourpassword", "user_password", "db_password",
    };

    /// <summary>
    /// Where a credential's position is certain (user:HERE@host, -u user:HERE), any word can be the
    /// password; only the conventional placeholders and templates are left alone.
    /// </summary>
    private static bool IsUrlPlaceholder(string v)
    {
        if (v.Length == 0 || UrlPlaceholders.Contains(v)) return true;
        char f = v[0];
        if (f == '<' || f == '$' || f == '%' || f == '{' || f == '[' || f == '*') return true;
        string lower = v.ToLowerInvariant();
        foreach (var m in new[] { "${", "{{", "***", "xxx", "...", "<", ">", "your_", "your-", "placeholder", "changeme", "redacted" })
            if (lower.IndexOf(m, StringComparison.Ordinal) >= 0) return true;
        bool same = true;
        foreach (char ch in v) if (ch != f) { same = false; break; }
        return same;
    }

    private static Finding? AuthorizationHeader(Candidate c)
    {
        var g = c.Match.Groups["v"];
        int len = g.Length;
        while (len > 0 && (c.Text[g.Index + len - 1] == ',' || c.Text[g.Index + len - 1] == '.')) len--;
        if (len < 8 || IsPlaceholderValue(c.Text.Substring(g.Index, len))) return null;
        if (Checksums.Entropy(c.Text, g.Index, len) < 2.5) return null;
        return new Finding(g.Index, g.Index + len, "AuthorizationHeader", 70);
    }

    private static Finding? GenericSecret(Candidate c)
    {
        var g = c.Match.Groups["v"];
        string kw = c.Match.Groups["kw"].Value.ToLowerInvariant();
        if (NamesNotValues(c.Match.Groups["sfx"].Value)) return null;
        int start = g.Index, len = g.Length;
        bool quoted = start > 0 && (c.Text[start - 1] == '"' || c.Text[start - 1] == '\'');
        if (!quoted) while (len > 0 && ".!?:".IndexOf(c.Text[start + len - 1]) >= 0) len--;
        while (len > 0 && char.IsWhiteSpace(c.Text[start + len - 1])) len--;
        if (len < 6) return null;
        string v = c.Text.Substring(start, len);
        if (IsPlaceholderValue(v) || v.IndexOf("://", StringComparison.Ordinal) >= 0) return null;
        if (!quoted && v.IndexOf(' ') >= 0) return null;
        // Code that names the secret instead of holding it: config.password, getPassword(), DB_PASSWORD, user_input.
        if (v.IndexOf('(') >= 0 || v.IndexOf('[') >= 0 || IsIdentifierReference(v) || IsLabel(v)) return null;
        bool passwordLike = kw.StartsWith("pass", StringComparison.Ordinal) || kw == "pwd";
        bool allDigits = true;
        foreach (char ch in v) if (ch < '0' || ch > '9') { allDigits = false; break; }
        if (allDigits) return passwordLike && len >= 6 ? new Finding(start, start + len, "Secret", 60) : null;
        int classes = CharClasses(v);
        if (classes < 2 && len < 16) return null;
        if (Checksums.Entropy(v, 0, len) < 2.0) return null;
        return new Finding(start, start + len, "Secret", 60);
    }

    // Key-name endings that say the value describes the secret (its name, where it lives, how long) rather than being it.
    private static readonly HashSet<string> DescriptiveSuffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "names", "id", "ids", "label", "file", "path", "dir", "env", "var", "ref", "arn", "url", "uri", "type", "length", "len",
        "size", "header", "field", "param", "count", "prefix", "suffix", "version", "ttl", "expiry", "expires", "expiration", "policy",
        "rotation", "location", "store", "vault", "provider", "format", "min", "max", "regex", "pattern", "hint", "help", "description",
        "desc", "required", "enabled", "mode", "source", "limit", "limits", "used", "usage", "budget", "endpoint", "kind",
    };

    private static bool NamesNotValues(string suffix)
    {
        if (suffix.Length == 0) return false;
        int cut = suffix.LastIndexOfAny(new[] { '_', '-', '.' });
        return DescriptiveSuffixes.Contains(suffix.Substring(cut + 1));
    }

    // Words that make an upper-case, dash- or underscore-joined value a label (NEXUS-GPT4-API-KEY), not a password.
    private static readonly HashSet<string> LabelWords = new(StringComparer.Ordinal)
    {
        "KEY", "API", "SECRET", "TOKEN", "PASSWORD", "NAME", "ID", "CREDENTIAL", "CREDENTIALS",
    };

    private static bool IsLabel(string v)
    {
        foreach (char ch in v)
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) return false;
        var parts = v.Split('-', '_');
        if (parts.Length < 2) return false;
        foreach (var p in parts) if (LabelWords.Contains(p)) return true;
        return false;
    }

    private static bool IsIdentifierReference(string v)
    {
        bool dotted = v.IndexOf('.') > 0, underscore = v.IndexOf('_') > 0;
        bool lowerSnake = true, upperSnake = true, ident = true, camel = true;
        bool sawUpperAfterLower = false;
        for (int i = 0; i < v.Length; i++)
        {
            char ch = v[i];
            bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            bool digit = ch >= '0' && ch <= '9';
            if (!(letter || digit || ch == '_' || ch == '.')) { ident = false; lowerSnake = false; upperSnake = false; camel = false; break; }
            if (ch >= 'A' && ch <= 'Z') { lowerSnake = false; if (i > 0) sawUpperAfterLower = true; }
            if (ch >= 'a' && ch <= 'z') upperSnake = false;
            if (digit || ch == '_' || ch == '.') camel = false;
        }
        if (!ident || char.IsDigit(v[0])) return false;
        if (dotted) return true;                       // settings.db.password
        if (underscore && (lowerSnake || upperSnake)) return true; // user_input, DB_PASSWORD
        return camel && sawUpperAfterLower && char.IsLower(v[0]); // userPassword
    }

    private static int CharClasses(string v)
    {
        bool lo = false, up = false, di = false, sy = false;
        foreach (char ch in v)
        {
            if (ch >= 'a' && ch <= 'z') lo = true;
            else if (ch >= 'A' && ch <= 'Z') up = true;
            else if (ch >= '0' && ch <= '9') di = true;
            else sy = true;
        }
        return (lo ? 1 : 0) + (up ? 1 : 0) + (di ? 1 : 0) + (sy ? 1 : 0);
    }

    // ---------- payment cards ----------

    private static readonly string[] CardFor =
    {
        "card", "credit", "debit", "visa", "mastercard", "amex", "american express", "discover", "jcb", "diners", "maestro",
        "unionpay", "cc", "pan", "cvv", "cvc", "exp", "expiry", "expires", "expiration", "payment", "billing", "charged",
    };

    private static readonly string[] CardAgainst =
    {
        "order", "invoice", "tracking", "imei", "serial", "isbn", "sku", "ticket", "ref", "reference", "transaction", "txn",
        "confirmation", "timestamp", "epoch", "id", "po", "case", "shipment", "awb", "upc", "ean", "barcode", "meid", "iccid",
        "routing", "account", "acct", "phone", "customer", "member", "policy", "claim", "ms", "millis", "unix",
    };

    private static readonly HashSet<string> TestCards = new(StringComparer.Ordinal)
    {
        "4111111111111111", "4242424242424242", "4012888888881881", "4222222222222", "5555555555554444", "5105105105105100",
        "5200828282828210", "2223003122003222", "378282246310005", "371449635398431", "378734493671000", "6011111111111117",
        "6011000990139424", "3056930009020004", "30569309025904", "38520000023237", "3566002020360505", "3530111333300000",
        "6200000000000005", "4000056655665556", "4000000000000002", "4000000000009995", "5454545454545454", "4444333322221111",
        "6011601160116611", "4917610000000000", "4000000000000077", "4000000000000010", "5425233430109903", "2222420000001113",
        "4263982640269299", "4917484589897107", "6011000000000004", "4007000000027",
    };

    private static Finding? Card(Candidate c)
    {
        string raw = c.Match.Value;
        if (AfterIbanPrefix(c.Text, c.Start)) return null;
        var digits = new StringBuilder(19);
        var groups = new List<int>(5);
        int run = 0;
        foreach (char ch in raw)
        {
            if (ch >= '0' && ch <= '9') { digits.Append(ch); run++; }
            else { groups.Add(run); run = 0; }
        }
        groups.Add(run);
        string d = digits.ToString();
        if (d.Length < 12 || d.Length > 19) return null;
        if (groups.Count > 1 && !GroupingOk(groups)) return null;
        if (!Checksums.Luhn(d)) return null;
        bool repeated = true;
        for (int i = 1; i < d.Length; i++) if (d[i] != d[0]) { repeated = false; break; }
        if (repeated) return null;
        if (TestCards.Contains(d) && !c.Options.RedactTestCards) return null;
        bool forCtx = TextScan.HasWord(c.Text, c.Start - 48, c.Start, CardFor) || TextScan.HasWord(c.Text, c.End, c.End + 24, CardFor);
        bool against = TextScan.HasWord(c.Text, c.Start - 48, c.Start, CardAgainst) || TextScan.HasWord(c.Text, c.End, c.End + 24, CardAgainst);
        if (!forCtx && (against || d.Length == 12 || !IssuerOk(d))) return null;
        return new Finding(c.Start, c.End, "CreditCard", 50, d.Substring(d.Length - 4));
    }

    /// <summary>True when an IBAN's country code and check digits ("DE89 ") stand right before <paramref name="start"/>.</summary>
    private static bool AfterIbanPrefix(string t, int start)
    {
        int i = start;
        if (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '-')) i--;
        return i >= 4 && char.IsDigit(t[i - 1]) && char.IsDigit(t[i - 2]) && Candidates.IsLetter(t[i - 3]) && Candidates.IsLetter(t[i - 4]) &&
            (i == 4 || !TextScan.IsAlnum(t[i - 5]));
    }

    private static bool GroupingOk(List<int> g)
    {
        string shape = string.Join("-", g);
        return shape is "4-4-4-4" or "4-6-5" or "4-6-4" or "4-4-4-4-3" or "4-4-4-3" or "4-4-5" or "4-4-4-2" or "4-4-4-1";
    }

    private static bool IssuerOk(string d)
    {
        int n = d.Length;
        int p2 = (d[0] - '0') * 10 + (d[1] - '0');
        int p4 = int.Parse(d.Substring(0, 4), CultureInfo.InvariantCulture);
        switch (d[0])
        {
            case '4': return n == 13 || n == 16 || n == 19;
            case '5': return (p2 >= 51 && p2 <= 55 && n == 16) || ((p2 == 50 || p2 >= 56) && n >= 12);
            case '2': return p4 >= 2221 && p4 <= 2720 && n == 16;
            case '3':
                if (p2 == 34 || p2 == 37) return n == 15;
                if (p2 == 30 || p2 == 36 || p2 == 38 || p2 == 39) return n >= 14;
                return p2 == 35 && n >= 16;
            // Discover 6011, 644-649, 65; UnionPay 62; Maestro 6304, 6759, 6761-6763.
            case '6':
                return n >= 16 && (p4 == 6011 || p2 == 62 || p2 == 65 || (p4 >= 6440 && p4 <= 6499) || p4 == 6304 || p4 == 6759 || (p4 >= 6761 && p4 <= 6763));
            case '1': return n == 15;
            default: return false;
        }
    }

    // ---------- national ids ----------

    private static readonly string[] SsnFor = { "ssn", "ssns", "social security", "soc sec", "social", "tin", "itin", "taxpayer", "tax id", "tax identification" };
    private static readonly string[] SsnAgainst =
    {
        "order", "invoice", "part", "serial", "sku", "tracking", "phone", "tel", "fax", "ref", "isbn", "zip", "model", "account",
        "case", "po", "ticket", "routing", "aba", "build", "version", "patent", "business", "registration", "brn", "ein", "vat",
    };

    private static readonly string[] NotSsn = { "social insurance", "sin", "nas", "tfn", "tax file", "nhs", "cpf", "aadhaar" };

    private static Finding? Ssn(Candidate c)
    {
        var m = c.Match;
        int area = int.Parse(m.Groups["a"].Value, CultureInfo.InvariantCulture);
        int group = int.Parse(m.Groups["g"].Value, CultureInfo.InvariantCulture);
        int serial = int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture);
        string sep1 = m.Groups["sep"].Value, sep2 = m.Groups["sep2"].Value;
        bool bare = sep1.Length == 0 && sep2.Length == 0;
        // Mixed or dotted separators (123-45 6789, 123.45.6789) are an SSN only where the text says so.
        bool unusual = sep1 != sep2 || sep1 == ".";
        if (area == 0 || area == 666 || group == 0 || serial == 0) return null;
        string compact = m.Groups["a"].Value + m.Groups["g"].Value + m.Groups["s"].Value;
        if (compact is "123456789" or "078051120" or "219099999" || (area == 987 && group == 65 && serial >= 4320 && serial <= 4329)) return null;
        string type = "SSN";
        if (area >= 900)
        {
            bool itinGroup = (group >= 50 && group <= 65) || (group >= 70 && group <= 88) || (group >= 90 && group <= 92) || group >= 94;
            if (!itinGroup) return null;
            type = "ITIN";
        }
        // "Social insurance number" is Canada's SIN (the International profile), not an SSN.
        if (TextScan.HasWord(c.Text, c.Start - 48, c.Start, NotSsn)) return null;
        bool forCtx = TextScan.HasWord(c.Text, c.Start - 48, c.Start, SsnFor);
        if ((bare || unusual) && !forCtx) return null;
        if (!forCtx && TextScan.HasWord(c.Text, c.Start - 48, c.Start, SsnAgainst)) return null;
        return Whole(c, type, 48);
    }

    private static Finding? Iban(Candidate c)
    {
        string raw = c.Match.Value;
        int end = raw.Length;
        while (end >= 15)
        {
            string compact = raw.Substring(0, end).Replace(" ", "").Replace("-", "").ToUpperInvariant();
            if (Checksums.Iban(compact)) return new Finding(c.Start, c.Start + end, "IBAN", 50);
            int space = raw.LastIndexOfAny(new[] { ' ', '-' }, end - 1);
            if (space < 0) break;
            end = space;
        }
        return null;
    }

    // ---------- contact and network ----------

    private static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "ts", "css", "json", "yaml", "yml", "md", "txt", "py", "rb",
        "go", "rs", "java", "cs", "html", "htm", "xml", "lock", "toml", "ini", "cfg", "log", "csv", "zip", "gz", "tar", "exe", "dll",
    };

    private static Finding? Email(Candidate c)
    {
        string v = c.Match.Value;
        int at = v.IndexOf('@');
        string local = v.Substring(0, at), domain = v.Substring(at + 1).ToLowerInvariant();
        if (local.EndsWith(".", StringComparison.Ordinal) || local.IndexOf("..", StringComparison.Ordinal) >= 0) return null;
        foreach (var label in domain.Split('.'))
            if (label.Length == 0 || label[0] == '-' || label[label.Length - 1] == '-') return null;
        string tld = domain.Substring(domain.LastIndexOf('.') + 1);
        if (FileExtensions.Contains(tld)) return null;
        // Reserved example domains (RFC 2606 / 6761) are placeholders, not people.
        if (domain is "example.com" or "example.org" or "example.net" || domain.EndsWith(".example.com", StringComparison.Ordinal) ||
            tld is "example" or "test" or "invalid" or "localhost") return null;
        return Whole(c, "Email", 30);
    }

    private static readonly string[] PhoneFor =
    {
        "phone", "tel", "telephone", "mobile", "cell", "fax", "sms", "whatsapp", "dial", "ph", "landline", "hotline",
    };

    // Words that suggest a phone but also introduce other numbers: they count only when no PhoneAgainst word is near.
    private static readonly string[] PhoneWeak = { "call", "text", "contact", "reach", "number", "callback", "message", "office", "desk" };

    private static readonly string[] PhoneAgainst =
    {
        "order", "invoice", "ref", "reference", "id", "isbn", "serial", "ticket", "tracking", "account", "acct", "sku", "part", "case",
        "batch", "build", "version", "po", "txn", "transaction", "confirmation", "patent", "zip", "postcode", "lot", "business", "registration",
        "company", "vat", "tax", "iban", "bic", "swift", "bank",
    };

    private static Finding? Phone(Candidate c)
    {
        string v = c.Match.Value;
        // The extension (x769, ext. 12) is part of the finding but not of the number's shape.
        int ext = v.Length;
        for (int i = 1; i < v.Length; i++)
            if (v[i] == 'x' || v[i] == 'X' || v[i] == 'e' || v[i] == 'E') { ext = i; break; }
        string number = v.Substring(0, ext).TrimEnd();
        var groups = new List<int>(6);
        int digits = 0, run = 0;
        foreach (char ch in number)
        {
            if (ch >= '0' && ch <= '9') { digits++; run++; }
            else if (run > 0) { groups.Add(run); run = 0; }
        }
        if (run > 0) groups.Add(run);
        if (number[0] == '+')
        {
            if (number.IndexOf("(0)", StringComparison.Ordinal) > 0) digits--; // the trunk prefix is dialled only at home
            return digits >= 8 && digits <= 15 ? Whole(c, "Phone", 20) : null;
        }
        if (digits < 7 || digits > 12 || LooksLikeDate(number)) return null;
        if (TextScan.HasWord(c.Text, c.Start - 40, c.Start, PhoneFor) || TextScan.HasWord(c.Text, c.End, c.End + 24, PhoneFor)) return Whole(c, "Phone", 20);
        if (TextScan.HasWord(c.Text, c.Start - 40, c.Start, PhoneAgainst)) return null;
        if (TextScan.HasWord(c.Text, c.Start - 40, c.Start, PhoneWeak) || TextScan.HasWord(c.Text, c.End, c.End + 24, PhoneWeak)) return Whole(c, "Phone", 20);
        bool shaped = ext < v.Length || IsNanp(number, groups) || (groups.Count >= 2 && digits >= 10 && digits <= 11 && (number[0] == '0' || number.StartsWith("(0", StringComparison.Ordinal)));
        return shaped ? Whole(c, "Phone", 20) : null;
    }

    /// <summary>A North American number written in its usual groups: (NXX) NXX-XXXX, NXX-NXX-XXXX, 1-NXX-NXX-XXXX.</summary>
    private static bool IsNanp(string number, List<int> groups)
    {
        int first = 0;
        if (groups.Count == 4 && groups[0] == 1 && number[0] == '1') first = 1;
        if (groups.Count - first != 3 || groups[first] != 3 || groups[first + 1] != 3 || groups[first + 2] != 4) return false;
        var d = new StringBuilder(10);
        foreach (char ch in number) if (ch >= '0' && ch <= '9') d.Append(ch);
        string n = d.ToString().Substring(first);
        return n[0] >= '2' && n[3] >= '2' && !(n[1] == '1' && n[2] == '1');
    }

    private static bool LooksLikeDate(string v)
    {
        var parts = v.Split(' ', '-', '.', '/');
        if (parts.Length != 3) return false;
        return (parts[0].Length == 4 && parts[1].Length <= 2 && parts[2].Length <= 2) || (parts[0].Length <= 2 && parts[1].Length <= 2 && parts[2].Length == 4);
    }

    private static readonly string[] VersionWords =
    {
        "version", "versions", "ver", "v", "build", "release", "firmware", "rev", "revision", "oid", "assembly", "section", "sections", "chapter", "clause",
    };

    private static Finding? IPv4(Candidate c)
    {
        var octets = c.Match.Value.Split('.');
        var b = new int[4];
        for (int i = 0; i < 4; i++)
        {
            if (octets[i].Length > 1 && octets[i][0] == '0') return null;
            b[i] = int.Parse(octets[i], CultureInfo.InvariantCulture);
            if (b[i] > 255) return null;
        }
        if (b[0] == 0 || b[0] == 127 || (b[1] == 0 && b[2] == 0 && b[3] == 0) || (b[0] == 255 && b[1] == 255)) return null;
        if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113)) return null;
        if (TextScan.HasWord(c.Text, c.Start - 24, c.Start, VersionWords)) return null;
        return Whole(c, "IPAddress", 25);
    }

    private static Finding? IPv6(Candidate c)
    {
        string v = c.Match.Value;
        int groups = 0, colons = 0;
        bool digit = false;
        int zone = v.IndexOf('%');
        if (zone > 0) v = v.Substring(0, zone);
        foreach (var part in v.Split(':')) if (part.Length > 0) groups++;
        foreach (char ch in v) { if (ch == ':') colons++; if (ch >= '0' && ch <= '9') digit = true; }
        if (!digit || groups < 3 || colons < 2) return null;
        if (!IPAddress.TryParse(v, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6) return null;
        if (IPAddress.IsLoopback(ip) || v.StartsWith("2001:db8:", StringComparison.OrdinalIgnoreCase) || v.StartsWith("2001:0db8:", StringComparison.OrdinalIgnoreCase)) return null;
        return Whole(c, "IPAddress", 25);
    }

    // ---------- wallets ----------

    private static Finding? Base58Wallet(Candidate c) =>
        Checksums.Base58Check(c.Match.Value, out byte version) && (version == 0x00 || version == 0x05 || version == 0x30 || version == 0x32)
            ? Whole(c, "CryptoWallet", 40) : null;

    private static Finding? Bech32Wallet(Candidate c) => Checksums.Bech32(c.Match.Value) ? Whole(c, "CryptoWallet", 40) : null;

    private static readonly string[] WalletWords =
    {
        "wallet", "address", "addr", "eth", "ether", "ethereum", "send", "sent", "erc20", "erc-20", "usdt", "usdc", "metamask",
        "deposit", "withdraw", "crypto", "to", "from", "recipient", "payout",
    };

    private static Finding? EthWallet(Candidate c)
    {
        string v = c.Match.Value;
        bool lower = false, upper = false, nonZero = false;
        for (int i = 2; i < v.Length; i++)
        {
            char ch = v[i];
            if (ch >= 'a' && ch <= 'f') lower = true;
            if (ch >= 'A' && ch <= 'F') upper = true;
            if (ch != '0') nonZero = true;
        }
        if (!nonZero) return null;
        if (lower && upper) return Checksums.Eip55(v) ? Whole(c, "CryptoWallet", 40) : null;
        return TextScan.HasWord(c.Text, c.Start - 48, c.Start, WalletWords) ? Whole(c, "CryptoWallet", 40) : null;
    }
}
