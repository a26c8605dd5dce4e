using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

public sealed class RecognizerTests
{
    private static readonly Redactor Strict = new(RedactionOptions.Strict);

    private static string[] Types(string text) => Strict.Redact(text).Findings.Select(f => f.Type).ToArray();

    [Theory]
    [InlineData("Card 4340 5477 3038 7959 exp 09/27", "CreditCard")]
    [InlineData("pan=4340547730387959", "CreditCard")]
    [InlineData("Amex 3714-496353-98431 on file", null)] // a public test number: left alone by policy
    [InlineData("Amex 3497-359296-03752 on file", "CreditCard")]
    [InlineData("Diners card 3675 310314 5571", "CreditCard")]
    [InlineData("Visa card \uFF14\uFF13\uFF14\uFF10 \uFF15\uFF14\uFF17\uFF17 \uFF13\uFF10\uFF13\uFF18 \uFF17\uFF19\uFF15\uFF19", "CreditCard")]
    [InlineData("card 4340\u200B5477\u200B3038\u200B7959", "CreditCard")]
    [InlineData("SSN: 219-55-1234", "SSN")]
    [InlineData("social security number 219551234", "SSN")]
    [InlineData("ITIN 912-78-1234", "ITIN")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00", "IBAN")]
    [InlineData("IBAN GB29NWBK60161331926819", "IBAN")]
    [InlineData("mail maria.gonzalez@contoso-mail.com", "Email")]
    [InlineData("ring +44 20 7946 0958", "Phone")]
    [InlineData("call me at 415-555-0132", "Phone")]
    [InlineData("host 34.117.59.81", "IPAddress")]
    [InlineData("host 2606:4700:4700::1111", "IPAddress")]
    [InlineData("btc 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "CryptoWallet")]
    [InlineData("segwit bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "CryptoWallet")]
    [InlineData("eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "CryptoWallet")]
    [InlineData("key sk-ant-api03-Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0AA", "AnthropicApiKey")]
    [InlineData("key sk-ant-admin01-Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0AA", "AnthropicAdminKey")]
    [InlineData("AKIAZQ7VLK2P4MWN3SYD", "AwsAccessKeyId")]
    [InlineData("aws_secret_access_key = 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", "AwsSecretKey")]
    [InlineData("token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT")]
    [InlineData("postgres://app:S3cr3tPa55word@db.internal:5432/app", "UrlCredential")]
    [InlineData("Authorization: Bearer abcDEF123ghiJKL456mnoPQR789stuVWX", "AuthorizationHeader")]
    [InlineData("DB_PASSWORD=Zq8#mW2!rT44", "Secret")]
    [InlineData("AccountKey=Zq8mW2rT44abcDEF123ghiJKL456mnoPQR789stuVWXQ9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPs==;", "AzureKey")]
    public void Recognizes_real_values(string text, string? type)
    {
        var types = Types(text);
        if (type is null) Assert.Empty(types);
        else Assert.Equal(new[] { type }, types);
    }

    [Fact]
    public void GitHub_tokens_are_checksum_verified()
    {
        const string entropy = "zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ";
        string good = "ghp_" + entropy + Checksums.ToBase62(Checksums.Crc32(entropy, 0, 30), 6);
        string bad = good.Substring(0, good.Length - 1) + (good[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(new[] { "GitHubToken" }, Types("token " + good));
        Assert.Empty(Types("token " + bad));
    }

    [Fact]
    public void Keccak_matches_the_EIP55_test_vectors()
    {
        foreach (var a in new[] { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                     "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb" })
        {
            Assert.True(Checksums.Eip55(a), a);
            Assert.False(Checksums.Eip55(a.Substring(0, 2) + (char.IsUpper(a[2]) ? char.ToLowerInvariant(a[2]) : char.ToUpperInvariant(a[2])) + a.Substring(3)) && char.IsLetter(a[2]), a);
        }
    }

    [Theory]
    [InlineData("Order number 4539148803436467 shipped.")]                 // Luhn-valid, but an order number
    [InlineData("Device IMEI: 356938035643809.")]                           // IMEIs pass Luhn too
    [InlineData("ISBN 978-3-16-148410-0 or 9783161484100")]
    [InlineData("Redmond, WA 98052-6399")]                                  // ZIP+4
    [InlineData("Upgrade to 10.0.19045.3803 and v1.2.3.4")]
    [InlineData("Timestamps 20240115093045 and 1700000000000")]
    [InlineData("Test with 4111 1111 1111 1111 or 4242424242424242")]       // public test cards, by policy
    [InlineData("Set the key (it looks like sk-ant-xxxx...)")]
    [InlineData("sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    [InlineData("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("password = os.environ['DB_PASSWORD']")]
    [InlineData("password: ********")]
    [InlineData("token: <YOUR_TOKEN>")]
    [InlineData("Authorization: Bearer $TOKEN")]
    [InlineData("api_key = 'your-api-key-here'")]
    [InlineData("max_tokens: 1024\ninput_tokens: 5120")]
    [InlineData("123-45-6789 and 000-12-3456 and 666-45-1234")]
    [InlineData("Bind 127.0.0.1, 0.0.0.0 and 192.0.2.10; ::1 and 2001:db8::1")]
    [InlineData("Use user@example.com; icon@2x.png; lodash@4.17.21")]
    [InlineData("At 12:30:45 UTC; MAC 00:1A:2B:3C:4D:5E; std::vector")]
    [InlineData("eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl has no alg")]
    [InlineData("A file starts with -----BEGIN RSA PRIVATE KEY----- and ends with END.")]
    [InlineData("postgres://user:password@localhost:5432/db")]
    public void Leaves_hard_negatives_alone(string text) => Assert.Empty(Types(text));

    [Fact]
    public void Unterminated_private_key_block_is_redacted_to_its_last_key_line()
    {
        string body = string.Join("\n", Enumerable.Range(0, 5).Select(i => new string((char)('A' + i), 20) + "abcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGH"));
        string text = "Cut off:\n-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n\nPlease resend the rest.";
        var r = Strict.Redact(text);
        Assert.Equal("Cut off:\n[REDACTED:PrivateKey]\n\nPlease resend the rest.", r.Text);
    }

    [Fact]
    public void Terminated_block_is_redacted_whole_including_the_footer()
    {
        string text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7Kq9vL2pZ19Zq8mW2rT44abcDEF123ghiJKL456mnoPQR789stuVWX\n" +
                      "Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789AbCdEfGh\n-----END RSA PRIVATE KEY-----\nok";
        Assert.Equal("[REDACTED:PrivateKey]\nok", Strict.Redact(text).Text);
    }
}
