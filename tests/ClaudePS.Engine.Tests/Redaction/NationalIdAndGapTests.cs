using System.Text;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>
/// The check-digit rules against their published examples, and the recognizers that closed issue 24's gaps
/// (non-US national ids, phone and key shapes, credentials in URLs and commands) with their look-alikes.
/// </summary>
public sealed class NationalIdAndGapTests
{
    private static readonly Redactor Strict = new(RedactionOptions.Strict);
    private static readonly Redactor International = new(RedactionOptions.International);
    private static readonly Redactor Standard = new(RedactionOptions.Standard);

    private static string[] Types(Redactor r, string text) => r.Redact(text).Findings.Select(f => f.Type).ToArray();

    [Fact]
    public void Check_digit_rules_accept_the_published_examples_and_reject_a_changed_digit()
    {
        (Func<string, bool> Rule, string Good)[] cases =
        {
            (Checksums.Verhoeff, "2363"),
            (Checksums.NhsNumber, "9434765919"),
            (Checksums.AustralianTfn, "123456782"),
            (Checksums.AustralianMedicare, "2123456701"),
            (Checksums.SpanishDni, "12345678Z"),
            (Checksums.SpanishDni, "X1234567L"),
            (Checksums.ItalianFiscalCode, "RSSMRA85T10A562S"),
            (Checksums.SingaporeNric, "S1234567D"),
            (Checksums.FrenchNir, "185057800608491"),
            (Checksums.BrazilCpf, "52998224725"),
            (Checksums.Luhn, "046454286"),
        };
        foreach (var (rule, good) in cases)
        {
            Assert.True(rule(good), good);
            // Change one digit (or the check letter): the rule must notice.
            int i = good.Length - 2;
            char c = good[i];
            string bad = good.Substring(0, i) + (char.IsDigit(c) ? (char)('0' + (c - '0' + 3) % 10) : (char)('A' + (c - 'A' + 5) % 26)) + good.Substring(i + 1);
            Assert.False(rule(bad), bad);
        }
        Assert.False(Checksums.BrazilCpf("11111111111"));
        Assert.False(Checksums.NhsNumber("1234567890")); // check digit would be 10: never issued
    }

    [Theory]
    [InlineData("National Insurance number: AB 12 34 56 C", "UkNino")]
    [InlineData("NI No. JG103759A", "UkNino")]
    [InlineData("NHS number: 943 476 5919", "UkNhsNumber")]
    [InlineData("Social Insurance Number 046 454 286 on the T4", null)] // the government's own example starts with 0: not issued
    [InlineData("SIN: 130 692 544", "CaSin")]
    [InlineData("TFN: 123 456 782", "AuTfn")]
    [InlineData("Medicare card 2123 45670 1", "AuMedicare")]
    [InlineData("Aadhaar: 2345 6789 0125", null)]           // Verhoeff fails (0124 would pass)
    [InlineData("PAN: ABCPE1234F", "InPan")]
    [InlineData("DNI: 12345678-Z", "EsDni")]
    [InlineData("NIE X1234567L del titular", "EsDni")]
    [InlineData("Codice fiscale: RSSMRA85T10A562S", "ItFiscalCode")]
    [InlineData("NRIC: S1234567D", "SgNric")]
    [InlineData("NIR 1 85 05 78 006 084 91", "FrNir")]
    [InlineData("CPF: 529.982.247-25", "BrCpf")]
    public void Finds_national_ids_outside_the_US(string text, string? type)
    {
        var types = Types(International, text);
        if (type is null) Assert.Empty(types);
        else Assert.Equal(new[] { type }, types);
        if (type is not null) Assert.DoesNotContain(type, Types(Standard, text));
    }

    [Fact]
    public void Aadhaar_is_Verhoeff_checked_and_needs_its_word_unless_printed_as_on_the_card()
    {
        string good = WithVerhoeff("23456789012");
        string spaced = $"{good.Substring(0, 4)} {good.Substring(4, 4)} {good.Substring(8)}";
        Assert.Equal(new[] { "InAadhaar" }, Types(International, "Aadhaar " + good));
        Assert.Equal(new[] { "InAadhaar" }, Types(International, "ID " + spaced + " verified"));
        Assert.Empty(Types(International, "Build " + good + " took 42 s"));
        Assert.Empty(Types(International, "IBAN PL51 " + spaced + " 0193 9946 7191 fails"));
    }

    [Theory]
    [InlineData("Order 130692544 shipped")]          // SIN-valid but no SIN word
    [InlineData("batch 9434765919 closed")]          // NHS-valid but no NHS word
    [InlineData("TFN 123 456 783")]                  // wrong check digit
    [InlineData("NRIC S1234567A")]                   // wrong check letter
    [InlineData("NINO QQ 12 34 56 C is the example")] // Q never starts a NINO
    [InlineData("Ref ABCDEF12G34H567I")]            // codice-fiscale shape, wrong check letter
    public void National_id_look_alikes_are_left_alone(string text) => Assert.Empty(Types(Strict, text));

    [Theory]
    [InlineData("Reach the office on 0378 3549890.", "Phone")]
    [InlineData("Ana Silva, 415-555-0132 x769, Lisbon", "Phone")]
    [InlineData("Contact: +41 (0)44 668 18 00", "Phone")]
    [InlineData("Leave a message at 1-415-555-0132 after 6pm.", "Phone")]
    [InlineData("peer ::ffff:10.1.2.3 GET /health", "IPAddress")]
    [InlineData("Connection from fe80::1ff:fe23:4567:890a%eth0 port 22", "IPAddress")]
    [InlineData("SSN 219-55 1234", "SSN")]
    [InlineData("ssn=219551234", "SSN")]
    [InlineData("iban: de89370400440532013000", "IBAN")]
    [InlineData("Pay to DE89-3704-0044-0532-0130-00 now", "IBAN")]
    [InlineData("Write to maria@xn--mller-kva.de", "Email")]
    [InlineData("postgresql://app:secret@db.prod.internal:5432/orders", "UrlCredential")]
    [InlineData("redis://:hunter2@cache-01:6379/0", "UrlCredential")]
    [InlineData("curl -u admin:s3cret! https://jenkins.internal/api/json", "Secret")]
    [InlineData("unsigned eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMjM0In0. accepted", "JWT")]
    [InlineData("AZURE_CLIENT_SECRET=Xk28Q~Zq8mW2rT44k9Hb3TfQx7Lp2Vn6Rw0Ys5G", "AzureClientSecret")]
    [InlineData("refresh with xoxe.xoxp-1-Zq8mW2rT44k9Hb3TfQx7Lp2Vn6Rw0Ys5Gc1Ju8Md4Ea", "SlackToken")]
    [InlineData("aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8mW2rT44", "AwsSecretKey")]
    public void Closes_the_gaps_public_corpora_showed(string text, string type) => Assert.Equal(new[] { type }, Types(Strict, text));

    [Fact]
    public void A_key_split_across_joined_string_literals_is_put_back_together()
    {
        const string key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";
        string code = "api_key = \"" + key.Substring(0, 20) + "\" +\n    \"" + key.Substring(20, 50) + "\"\n    + \"" + key.Substring(70) + "\";";
        var r = Strict.Redact(code);
        Assert.Equal("api_key = \"[REDACTED:AnthropicApiKey]\";", r.Text);
        Assert.Empty(Types(Strict, "greeting = \"Hello, \" + \"world\"; label = \"sk-\" + \"learn\""));
        // Streamed in small pieces, the same.
        var s = Strict.CreateStream();
        var shown = new StringBuilder();
        foreach (char ch in code) shown.Append(s.Write(ch.ToString()));
        shown.Append(s.Complete());
        Assert.Equal(r.Text, shown.ToString());
    }

    [Fact]
    public void Whole_slack_refresh_token_is_redacted_with_its_prefix()
    {
        var r = Strict.Redact("token xoxe.xoxp-1-Zq8mW2rT44k9Hb3TfQx7Lp2Vn6Rw0Ys5Gc1Ju8Md4Ea end");
        Assert.Equal("token [REDACTED:SlackToken] end", r.Text);
    }

    [Fact]
    public void Bedrock_keys_are_recognised_by_what_their_base64_spells()
    {
        string longTerm = "ABSK" + Convert.ToBase64String(Encoding.ASCII.GetBytes("BedrockAPIKey-ab12-at-123456789012:Zq8mW2rT44abcDEF123ghiJKL456mnoPQR789s="));
        string shortTerm = "bedrock-api-key-" + Convert.ToBase64String(Encoding.ASCII.GetBytes("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Credential=ASIAZQ7VLK2P4MWN8SYD&X-Amz-Signature=9f2c4e"));
        string notBedrock = "ABSK" + Convert.ToBase64String(Encoding.ASCII.GetBytes("SomethingElseEntirely-with-enough-length-to-match-the-shape"));
        Assert.Equal(new[] { "AwsBedrockApiKey" }, Types(Strict, "export AWS_BEARER_TOKEN_BEDROCK=" + longTerm));
        Assert.Equal(new[] { "AwsBedrockApiKey" }, Types(Strict, "key " + shortTerm));
        Assert.Empty(Types(Strict, "blob " + notBedrock));
    }

    [Fact]
    public void A_base64_wrapped_pem_private_key_is_redacted_but_a_certificate_is_not()
    {
        var rnd = new Random(4);
        string body = string.Concat(Enumerable.Range(0, 8).Select(_ => new string(Enumerable.Range(0, 64).Select(__ => (char)('A' + rnd.Next(26))).ToArray()) + "\n"));
        string key = Convert.ToBase64String(Encoding.ASCII.GetBytes("-----BEGIN RSA PRIVATE KEY-----\n" + body + "-----END RSA PRIVATE KEY-----\n"));
        string cert = Convert.ToBase64String(Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\n" + body + "-----END CERTIFICATE-----\n"));
        Assert.Equal("  tls.key: [REDACTED:PrivateKey]", Strict.Redact("  tls.key: " + key).Text);
        Assert.Empty(Types(Strict, "  tls.crt: " + cert));
    }

    [Theory]
    [InlineData("LLM_SECRET_NAME = \"NEXUS-GPT4-API-KEY\"")]
    [InlineData("api_key_name = \"OPENAI-API-KEY\"")]
    [InlineData("password_min_length = 12\ntoken_ttl = 3600")]
    [InlineData("Korean business registration number 123-45-67890")]
    [InlineData("The IBAN DE89 3704 0044 0532 0130 01 fails its check")]
    [InlineData("Stripe's docs key sk_test_4eC39HqLyjWDarjtT1zdp7dc")]
    [InlineData("postgres://user:password@localhost:5432/db")]
    [InlineData("Versions 4.2.0.1 and section 3.1.4.1")]
    [InlineData("Ticket 800-123-4567 for order 212-555-0100")]
    [InlineData("docker run -u 1000:1000 app and git push -u origin main")]
    public void False_positives_public_corpora_showed_stay_away(string text) => Assert.Empty(Types(Strict, text));

    [Fact]
    public void Profiles_parse_by_name_and_International_sits_between_Standard_and_Strict()
    {
        Assert.Equal(RedactionProfile.International, RedactionOptions.ParseProfile("international"));
        var ex = Assert.Throws<ClaudeException>(() => RedactionOptions.ParseProfile("Global"));
        Assert.Contains("International", ex.Message);
        const string text = "SSN 219-55-1234, NHS number 943 476 5919, call +44 20 7946 0958";
        Assert.Equal(new[] { "SSN" }, Types(Standard, text));
        Assert.Equal(new[] { "SSN", "UkNhsNumber" }, Types(International, text));
        Assert.Equal(new[] { "SSN", "UkNhsNumber", "Phone" }, Types(Strict, text));
    }

    private static string WithVerhoeff(string body)
    {
        for (char d = '0'; d <= '9'; d++) if (Checksums.Verhoeff(body + d)) return body + d;
        throw new InvalidOperationException();
    }
}
