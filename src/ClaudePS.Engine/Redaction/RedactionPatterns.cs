namespace ClaudePS.Engine.Redaction;

/// <summary>
/// The pattern text of every built-in recognizer, in one place (the source generator on net8.0 and the
/// compiled regexes on netstandard2.0 both read these constants). Every pattern is bounded: no nested
/// unbounded quantifiers, every repetition has a limit, alternatives are split by a literal or class.
/// Patterns run on the normalised shadow text, so they spell digits [0-9] (\d would accept any script).
/// </summary>
internal static class RedactionPatterns
{
    private const string NotWordBefore = @"(?<![A-Za-z0-9_])";
    private const string NotWordAfter = @"(?![A-Za-z0-9_])";
    private const string NotTokBefore = @"(?<![A-Za-z0-9_\-])";
    private const string NotTokAfter = @"(?![A-Za-z0-9_\-])";

    // ---- credentials ----
    public const string Anthropic = NotTokBefore + @"sk-ant-(?:(?<kind>admin01|api03|oat01|ort01|[a-z]{2,8}[0-9]{2})-)?[A-Za-z0-9_\-]{20,200}" + NotTokAfter;

    public const string OpenAI =
        NotTokBefore + @"sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_\-]{20,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})" + NotTokAfter;

    public const string AwsKeyId = @"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])";

    // Long-term Bedrock API keys are ABSK + base64("BedrockAPIKey-..."); short-term ones are
    // bedrock-api-key- + base64 of a presigned bedrock.amazonaws.com URL.
    public const string AwsBedrock = NotTokBefore + @"(?:ABSK[A-Za-z0-9+/]{40,400}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{40,4000}={0,2})(?![A-Za-z0-9+/=])";

    // STS session tokens: base64 that starts with the fixed bytes the service writes first.
    public const string AwsSessionToken = NotTokBefore + @"(?:FwoGZXIvYXdz|IQoJb3JpZ2luX2Vj)[A-Za-z0-9+/]{100,3000}={0,2}(?![A-Za-z0-9+/=])";

    // Entra ID (Azure AD) client secrets: three characters, a digit, "Q~", then 31-34 more.
    public const string AzureClientSecret = @"(?<![A-Za-z0-9_~.\-])[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])";

    // A key split into string literals joined with '+' ("sk-ant-api03-abc" + "def..."), over lines too. The
    // first piece carries the provider prefix. Bounded so that a stream always holds a chain it could still finish.
    private const string SplitKeyPrefix = @"(?:sk-|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposre]-|AIza)";
    public const string SplitKey =
        @"(?<q>[""'])(?<first>" + SplitKeyPrefix + @"[A-Za-z0-9_\-]{0,150})\k<q>(?:[ \t]{0,3}(?:\r?\n[ \t]{0,20})?\+[ \t]{0,3}(?:\r?\n[ \t]{0,20})?[""'][A-Za-z0-9_\-]{1,150}[""']){1,8}";

    public const string AwsSecret =
        @"(?<![A-Za-z0-9])(?i:aws[_\-. ]?secret(?:[_\-. ]?(?:access[_\-. ]?)?key)?|secret[_\-. ]?access[_\-. ]?key)[""']?(?:[ \t]{0,3}(?::=|=>|=|:|(?i:is)[ \t])|[ \t])[ \t]{0,3}[""']?(?<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])";

    public const string GitHub = NotWordBefore + @"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + NotWordAfter;

    public const string GitLab =
        NotTokBefore + @"(?:gl(?:pat|dt|rt|ptt|soat|cbt|oas|imt|agent|ft|ffct|wt)-[A-Za-z0-9_\-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,12})?|GR1348941[A-Za-z0-9_\-]{20,40})" + NotTokAfter;

    public const string Slack =
        NotTokBefore + @"(?:xox[abposre](?:\.xox[abposre])?-[0-9A-Za-z\-]{10,250}|xapp-[0-9]-[A-Z0-9]{5,20}-[0-9]{5,20}-[a-z0-9]{20,80})" + NotTokAfter +
        @"|https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/]{20,120}";

    public const string Stripe = NotWordBefore + @"(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,250}|whsec_[A-Za-z0-9+/=]{24,100})" + NotWordAfter;

    public const string Google =
        NotTokBefore + @"(?:AIza[0-9A-Za-z_\-]{35}|GOCSPX-[0-9A-Za-z_\-]{28}|ya29\.[0-9A-Za-z_\-]{30,2000})" + NotTokAfter;

    public const string AzureKey =
        @"(?i:AccountKey|SharedAccessKey|PrimaryKey|SecondaryKey|AZURE_STORAGE_KEY|AZURE_STORAGE_ACCOUNT_KEY|account[ _\-]key|storage[ _\-]key)[""']?[ \t]{0,3}[:=][ \t]{0,3}[""']?(?<v>[A-Za-z0-9+/]{20,100}={0,2})(?![A-Za-z0-9+/=])" +
        @"|[?&;]sig=(?<v>[A-Za-z0-9%+/=]{20,200})(?![A-Za-z0-9%+/=])";

    // Two to five dot-separated parts; an unsigned token (alg none) ends with an empty part.
    public const string Jwt = @"(?<![A-Za-z0-9_\-.])eyJ[A-Za-z0-9_\-]{5,1000}(?:\.[A-Za-z0-9_\-]{0,8000}){1,4}(?![A-Za-z0-9_\-]|\.[A-Za-z0-9_\-])";

    private const string PemLabel = @"(?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----";
    private const string LineBreak = @"(?:\r?\n|\\r?\\n)";
    // A block's body: whole lines of key material or known header fields, or (for keys pasted on one
    // line) long base64 runs separated by spaces. Unterminated blocks end where such lines stop.
    public const string PemBlock =
        @"-----BEGIN " + PemLabel +
        @"(?:" + LineBreak + @"[ \t]{0,8}(?:[A-Za-z0-9+/=]{1,128}|(?:Proc-Type|DEK-Info|Comment|Version|Hash): ?[^\r\n\\]{0,200})?[ \t]{0,8}(?=\r?\n|\\r?\\n|$|-----END)" +
        @"|[ \t]{1,8}[A-Za-z0-9+/=]{16,128}(?=[ \t]|\r?\n|\\r?\\n|$)){0,600}" +
        @"(?:(?:" + LineBreak + @"|[ \t]{1,8})?[ \t]{0,8}(?<end>-----END " + PemLabel + @"))?";

    // A PEM private key wrapped in base64 (Kubernetes secrets, env vars): base64 of "-----BEGIN", then more
    // base64 on one line or wrapped in lines.
    public const string Base64Pem =
        @"(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,8000}={0,2}(?:" + LineBreak + @"[ \t]{0,8}[A-Za-z0-9+/]{16,128}={0,2}(?=\r?\n|\\r?\\n|$|[""'\s])){0,400}";

    public const string PuttyBlock =
        @"PuTTY-User-Key-File-[0-9]: ?[^\r\n]{1,100}" +
        @"(?:\r?\n(?:(?:Encryption|Comment|Public-Lines|Private-Lines|Private-MAC|Private-Hash|Key-Derivation|Argon2-Memory|Argon2-Passes|Argon2-Parallelism|Argon2-Salt): ?[^\r\n]{0,200}|[A-Za-z0-9+/=]{1,128})[ \t]{0,8}(?=\r?\n|$)){0,400}";

    public const string UrlCredential =
        @"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/?#@""'<>]{0,128}:(?<v>[^\s/?#@""'<>]{1,256})@(?=[A-Za-z0-9\[])";

    // curl -u user:password, --user user:password (a command line's basic-auth credentials). Candidates are
    // the "-u" occurrences (at "--user" the match starts one earlier).
    public const string CommandCredential =
        @"(?<![A-Za-z0-9_\-])(?:-u|--user)(?:[ \t]{1,3}|=)[""']?(?<user>[^\s:""'@]{1,128}):(?<v>[^\s""']{1,256})";

    public const string AuthorizationHeader =
        @"(?<![A-Za-z0-9_\-])(?i:(?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-goog-api-key|ocp-apim-subscription-key|private-token)[""']?[ \t]{0,3}[:=][ \t]{0,3}[""']?" +
        @"(?:(?i:bearer|basic|token|digest|negotiate|ntlm|apikey|sharedkey|sso-key|aws4-hmac-sha256)[ \t]{1,3})?(?<v>[A-Za-z0-9._~+/=\-:,]{8,4000})";

    public const string GenericSecret =
        @"(?<![A-Za-z0-9])(?i:(?<kw>password|passwd|passphrase|pwd|pass|secret|client[_\-]?secret|api[_\-]?key|apikey|access[_\-]?token|auth[_\-]?token|refresh[_\-]?token|token|private[_\-]?key|credentials?)(?<sfx>(?:[_\-.][A-Za-z0-9]{1,20}){0,3}))" +
        @"[""']?[ \t]{0,3}(?::=|=>|=|:)[ \t]{0,3}(?:""(?<v>[^""\r\n]{1,256})""|'(?<v>[^'\r\n]{1,256})'|(?<v>[^\s""',;<>)\]}]{1,256}))";

    // ---- personal and financial data ----
    public const string Card =
        @"(?<![0-9A-Za-z_])(?<![0-9][\-.])(?:[0-9]{12,19}|[0-9]{4}(?<sep>[ \-])[0-9]{4,6}(?:\k<sep>[0-9]{3,5}){1,3})(?![0-9A-Za-z_])";

    public const string Ssn =
        @"(?<![0-9A-Za-z_])(?<![0-9][\-.])(?<a>[0-9]{3})(?<sep>[ \-.]?)(?<g>[0-9]{2})(?<sep2>[ \-.]?)(?<s>[0-9]{4})(?![0-9A-Za-z_]|[\-.][0-9])";

    public const string Iban =
        @"(?<![A-Za-z0-9_])[A-Za-z]{2}[0-9]{2}(?:[A-Za-z0-9]{11,30}|(?<sep>[ \-])[A-Za-z0-9]{4}(?:\k<sep>[A-Za-z0-9]{4}){1,6}(?:\k<sep>[A-Za-z0-9]{1,4})?)(?![A-Za-z0-9_])";

    public const string Email =
        @"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9\-]{1,59})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])";

    // International (+CC, an optional "(0)" trunk), national ("(0xx) ...", "0378 3549890", "415-555-0132") or
    // compact; an optional extension (x769, ext. 12) belongs to the number.
    public const string Phone =
        @"(?<![0-9A-Za-z_+\-.])(?:\+[1-9][0-9]{6,14}|\+[1-9][0-9]{0,2}(?:[ \-.]?\([0-9]{1,4}\))?[ \-.]?[0-9]{1,8}(?:[ \-.][0-9]{1,8}){1,5}" +
        @"|(?:1[ \-.])?(?:\([0-9]{2,5}\)[ \-.]?|[0-9]{2,5}[ \-.])[0-9]{2,8}(?:[ \-.][0-9]{2,8}){0,3}|[0-9]{10,11})" +
        @"(?:[ ]?(?:[xX]|ext\.?|Ext\.?|EXT\.?|extension)[ ]?[0-9]{1,6})?(?![0-9A-Za-z_]|[\-.][0-9])";

    public const string IPv4 = @"(?<![0-9A-Za-z_.\-])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9A-Za-z_]|\.[0-9])";

    // Optionally ending in an embedded IPv4 (::ffff:10.1.2.3) or a zone (fe80::1%eth0).
    public const string IPv6 = @"(?<![0-9A-Za-z_:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?:%[A-Za-z0-9]{1,15})?" +
        // A full eight-group address may be followed by :port.
        @"(?:(?![0-9A-Za-z_:]|\.[0-9])|(?<=(?::[0-9A-Fa-f]{1,4}){7})(?=:[0-9]{1,5}(?![0-9A-Za-z_:.])))";

    // ---- national ids outside the US (the International profile) ----
    private const string DigitsBefore = @"(?<![0-9A-Za-z_])(?<![0-9][\-.])";
    private const string DigitsAfter = @"(?![0-9A-Za-z_]|[\-.][0-9])";

    public const string UkNino =
        @"(?<![A-Za-z0-9_])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?<sep>[ \-]?)[0-9]{2}\k<sep>[0-9]{2}\k<sep>[0-9]{2}\k<sep>[A-D](?![A-Za-z0-9_])";

    public const string UkNhs = DigitsBefore + @"[0-9]{3}(?<sep>[ \-]?)[0-9]{3}\k<sep>[0-9]{4}" + DigitsAfter;

    public const string CaSin = DigitsBefore + @"[0-9]{3}(?<sep>[ \-]?)[0-9]{3}\k<sep>[0-9]{3}" + DigitsAfter;

    public const string AuTfn = DigitsBefore + @"[0-9]{2,3}(?<sep>[ \-]?)[0-9]{3}\k<sep>[0-9]{3}" + DigitsAfter;

    public const string AuMedicare = DigitsBefore + @"[2-6][0-9]{3}(?<sep>[ \-]?)[0-9]{5}\k<sep>[0-9](?:/?[1-9])?" + DigitsAfter;

    public const string InAadhaar = DigitsBefore + @"[2-9][0-9]{3}(?<sep>[ \-]?)[0-9]{4}\k<sep>[0-9]{4}" + DigitsAfter;

    // Fourth letter: the holder's kind (P person, C company, H family, F firm, A, B, G, J, L, T).
    public const string InPan = @"(?<![A-Za-z0-9_])[A-Z]{3}[ABCFGHJLPT][A-Z][0-9]{4}[A-Z](?![A-Za-z0-9_])";

    public const string EsDni = @"(?<![A-Za-z0-9_])(?<![0-9][\-.])(?:[0-9]{8}|[0-9]{2}\.[0-9]{3}\.[0-9]{3}|[XYZ]-?[0-9]{7})-?[A-Z](?![A-Za-z0-9_])";

    // Digits may be replaced by letters (omocodia) where two people would otherwise share a code.
    public const string ItFiscalCode =
        @"(?<![A-Za-z0-9_])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![A-Za-z0-9_])";

    public const string SgNric = @"(?<![A-Za-z0-9_])[STFGM][0-9]{7}[A-Z](?![A-Za-z0-9_])";

    public const string FrNir = DigitsBefore + @"[12](?<sep>[ ]?)[0-9]{2}\k<sep>[0-9]{2}\k<sep>(?:[0-9]{2}|2[AB])\k<sep>[0-9]{3}\k<sep>[0-9]{3}\k<sep>[0-9]{2}" + DigitsAfter;

    public const string BrCpf = DigitsBefore + @"[0-9]{3}(?<sep>\.?)[0-9]{3}\k<sep>[0-9]{3}-?[0-9]{2}" + DigitsAfter;

    public const string Base58Wallet = @"(?<![A-Za-z0-9_])[13LM][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9_])";

    public const string Bech32Wallet = @"(?<![A-Za-z0-9_])(?:(?:bc|tb|ltc)1[02-9ac-hj-np-z]{6,87}|(?:BC|TB|LTC)1[02-9AC-HJ-NP-Z]{6,87})(?![A-Za-z0-9_])";

    public const string EthWallet = @"(?<![A-Za-z0-9_])0x[0-9a-fA-F]{40}(?![0-9A-Za-z_])";

    /// <summary>Trailing fragments that could still grow into a match (used only while streaming).</summary>
    public const string GrowthTail =
        @"(?:\+ ?)?\(?[0-9A-Z]{1,6}\)?(?:(?:[ \-.]{1,2}|(?<=\)))\(?[0-9A-Z]{1,6}\)?){0,8}[ \-.]{0,2}\(?\z" +
        @"|(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]{0,30}(?:[ \-][A-Za-z0-9]{1,4}){0,8}[ \-]?\z" +
        @"|-{1,5}(?:BEGIN[ A-Z0-9]{0,60}-{0,5})?\z" +
        @"|PuTTY-User-Key-File-[0-9]:?[^\r\n]{0,100}\z" +
        @"|(?<![A-Za-z0-9_\-])(?:-u|--user)(?:[ \t]{1,3}|=)[""']?[^\s:""'@]{0,128}:?\z" +
        @"|[""']" + SplitKeyPrefix + @"[A-Za-z0-9_\-""' \t+\r\n]{0,180}\z";
}
