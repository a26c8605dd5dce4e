using System.Text;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

public sealed class StreamingTests
{
    private static readonly Redactor Strict = new(RedactionOptions.Strict);

    internal static readonly string[] Samples =
    {
        "Card 4340 5477 3038 7959 exp 09/27, order 4111222233334444 and SSN 219-55-1234 done.",
        "Use sk-ant-api03-" + new string('k', 0) + "Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0AA now.",
        "password = \"Zq8#mW2!rT44\"\nAuthorization: Bearer abcDEF123ghiJKL456mnoPQR789stuVWX\napi_key='x7Kq9vL2pZ19'",
        "Reach me at +44 20 7946 0958 or maria.gonzalez@contoso-mail.com, server 10.0.12.34 / 2606:4700:4700::1111.",
        "Here is the key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7Kq9vL2pZ19Zq8mW2rT44abcDEF123ghiJKL456mnoPQR789stuVWX\nQ9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789AbCdEfGh\n-----END RSA PRIVATE KEY-----\nStore it safely.",
        "Cut off:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn\nNhAAAAAwEAAQAAAYEAx7Kq9vL2pZ19Zq8mW2rT44abcDEF123ghiJKL456mnoPQR789st\n\nPlease resend it.",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8mW2rT44\naws_access_key_id = AKIAZQ7VLK2P4MWN8SYD",
        "IBAN DE89 3704 0044 0532 0130 00, wallet 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, btc 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy.",
        "Token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U. Next.",
        "Fullwidth: ４３４０ ５４７７ ３０３８ ７９５９, zero\u200Bwidth 4340\u200B5477\u200B3038\u200B7959, call me at 415-555-0132.",
        "DATABASE_URL=postgres://app:S3cr3tPa55word@db.internal:5432/app and DefaultEndpointsProtocol=https;AccountName=stprod1;AccountKey=Zq8mW2rT44abcDEF123ghiJKL456mnoPQR789stuVWXQ9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPs==;EndpointSuffix=core.windows.net",
        "Plain prose with numbers 2024, version 10.0.19045.3803, ISBN 978-3-16-148410-0 and the word token: expired.",
    };

    private static string Stream(Redactor redactor, IEnumerable<string> pieces)
    {
        var s = redactor.CreateStream();
        var sb = new StringBuilder();
        foreach (var p in pieces) sb.Append(s.Write(p));
        sb.Append(s.Complete());
        return sb.ToString();
    }

    [Fact]
    public void Streamed_output_equals_whole_text_redaction_at_every_two_piece_split()
    {
        foreach (var text in Samples)
        {
            string expected = Strict.Redact(text).Text;
            Assert.NotEqual(text.Contains("Plain prose") ? "x" : text, expected); // the samples do contain things to redact
            for (int k = 0; k <= text.Length; k++)
            {
                string got = Stream(Strict, new[] { text.Substring(0, k), text.Substring(k) });
                Assert.True(expected == got, $"split at {k} of: {text}\nexpected: {expected}\ngot:      {got}");
            }
        }
    }

    [Fact]
    public void Streamed_output_equals_whole_text_redaction_char_by_char_and_in_random_pieces()
    {
        var rnd = new Random(7);
        foreach (var text in Samples)
        {
            string expected = Strict.Redact(text).Text;
            Assert.Equal(expected, Stream(Strict, text.Select(c => c.ToString())));
            for (int round = 0; round < 20; round++)
            {
                var pieces = new List<string>();
                for (int i = 0; i < text.Length;)
                {
                    int len = Math.Min(text.Length - i, rnd.Next(1, 9));
                    pieces.Add(text.Substring(i, len));
                    i += len;
                }
                Assert.Equal(expected, Stream(Strict, pieces));
            }
        }
    }

    [Fact]
    public void Corpus_documents_stream_identically_in_small_pieces()
    {
        var rnd = new Random(11);
        var docs = CorpusTests.Load();
        foreach (var doc in docs)
        {
            string expected = Strict.Redact(doc.Text).Text;
            var pieces = new List<string>();
            for (int i = 0; i < doc.Text.Length;)
            {
                int len = Math.Min(doc.Text.Length - i, rnd.Next(1, 12));
                pieces.Add(doc.Text.Substring(i, len));
                i += len;
            }
            Assert.True(expected == Stream(Strict, pieces), doc.Text);
        }
    }

    [Fact]
    public void Never_emits_any_part_of_a_secret_before_it_is_decided()
    {
        const string key = "sk-ant-api03-Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0AA";
        var s = Strict.CreateStream();
        var shown = new StringBuilder();
        foreach (char c in "Your key is " + key + " - keep it safe.") shown.Append(s.Write(c.ToString()));
        shown.Append(s.Complete());
        Assert.DoesNotContain("Q9vLk2", shown.ToString());
        Assert.Contains("[REDACTED:AnthropicApiKey]", shown.ToString());
        Assert.Equal(1, s.Counts["AnthropicApiKey"]);
    }

    [Fact]
    public void Clean_prose_is_released_promptly_holding_back_only_the_trailing_word()
    {
        var s = Strict.CreateStream();
        string outText = s.Write("The quick brown fox jumps over the lazy dog and keeps running");
        Assert.StartsWith("The quick brown fox jumps over the lazy dog and keeps ", outText);
        Assert.Equal("running".Length, s.HeldLength);
        Assert.Equal("running", s.Complete());
    }
}
