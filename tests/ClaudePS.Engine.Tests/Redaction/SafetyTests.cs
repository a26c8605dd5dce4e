using System.Text;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

public sealed class SafetyTests
{
    [Fact]
    public void A_pattern_that_times_out_fails_closed()
    {
        // Catastrophic on purpose: nested quantifiers over a long run with no match at the end.
        var options = new RedactionOptions
        {
            Profile = RedactionProfile.None,
            CustomPatterns = new[] { new CustomRedactionPattern("Evil", "(a+)+$") },
            MatchTimeout = TimeSpan.FromMilliseconds(20),
        };
        string text = "safe prefix " + new string('a', 5000) + "!";
        var r = new Redactor(options).Redact(text);
        Assert.Equal("[REDACTED:Unscanned]", r.Text);
        Assert.Equal(1, r.Counts[Redactor.UnscannedType]);

        var stream = new Redactor(options).CreateStream();
        string shown = stream.Write(text) + stream.Complete();
        Assert.DoesNotContain("aaaa", shown);
    }

    [Fact]
    public void A_timeout_in_a_stream_hides_the_text_even_while_another_recognizer_waits_for_more()
    {
        // The custom pattern times out on the run of a's; the built-in key recognizer meanwhile waits to
        // see what follows the key at the end. The text before the key was never scanned by the custom
        // pattern, so none of it may be shown.
        const string key = "sk-ant-api03-Zq8vR2mN4kL7pX1wT9yB3cD6fG0hJ5sA8eU2iO4rQ7tY1uW3zX5vC9bN6mK0lP2jH4gF8dS1aE3qR5tY7uI9oP0aSdFgHjKlZx-QwErTyAA";
        var options = new RedactionOptions
        {
            Profile = RedactionProfile.Standard,
            CustomPatterns = new[] { new CustomRedactionPattern("Evil", "(a+)+$") },
            MatchTimeout = TimeSpan.FromMilliseconds(20),
        };
        var stream = new Redactor(options).CreateStream();
        string shown = stream.Write("safe prefix " + new string('a', 5000) + "! key " + key);
        shown += stream.Write(" rest");
        shown += stream.Complete();
        Assert.DoesNotContain("aaaa", shown);
        Assert.DoesNotContain(key, shown);
    }

    /// <summary>
    /// Adversarial inputs (long runs that almost match every recognizer) must finish without a timeout:
    /// catastrophic backtracking over thousands of characters takes far longer than the 5 s allowed per
    /// match here and would show up as an Unscanned region. (5 s rather than the 250 ms default, so a busy
    /// CI machine cannot make a linear scan look like backtracking.)
    /// </summary>
    [Fact]
    public void Adversarial_inputs_do_not_backtrack_catastrophically()
    {
        var redactor = new Redactor(new RedactionOptions { Profile = RedactionProfile.Strict, MatchTimeout = TimeSpan.FromSeconds(5) });
        var rnd = new Random(1234);
        string[] atoms =
        {
            "1", "1 ", "1-", "12.", "+1 ", "(", ")", "a", "a.", "a@", "@a.", ".", "-", "_", ":", "::", "f:", "0x", "eyJ", "eyJa.",
            "sk-ant-api03-", "sk-", "ghp_", "AKIA", "password=", "password: \"", "token:", "Authorization: Bearer ", "-----BEGIN RSA PRIVATE KEY-----\n",
            "AAAA", "AAAA\n", "PuTTY-User-Key-File-3: ", "Comment: ", "https://", "u:p@", "AccountKey=", "?sig=", "bc1q", "3J98", "DE89 ", "%", "=",
            "ABSK", "bedrock-api-key-", "LS0tLS1CRUdJTi", "Q~", "1Q~", "xoxe.", "-u ", "-u a:", "AB 12 ", "AB12", "12.345.", "S123", "+41 (0)",
            "1-", " x1", "::ffff:", "1.2.", "eyJa..", "FwoGZXIvYXdz", "de89", "1 85 ", "123.456.", "X-", "9434 ", "ABCPE", "RSSMRA",
            "\"sk-a\" + ", "'xoxb-1' +\n ", "\" + \"", "+\"",
        };
        int inputs = 0;
        for (int i = 0; i < 60; i++)
        {
            var sb = new StringBuilder();
            string a = atoms[rnd.Next(atoms.Length)], b = atoms[rnd.Next(atoms.Length)];
            while (sb.Length < 6000) sb.Append(rnd.Next(4) == 0 ? b : a);
            var r = redactor.Redact(sb.ToString());
            Assert.False(r.Counts.ContainsKey(Redactor.UnscannedType), $"timeout on a run of '{a}'/'{b}'");
            inputs++;
        }
        foreach (var atom in atoms)
        {
            var r = redactor.Redact(string.Concat(Enumerable.Repeat(atom, 20000 / atom.Length)));
            Assert.False(r.Counts.ContainsKey(Redactor.UnscannedType), $"timeout on a run of '{atom}'");
            inputs++;
        }
        Assert.Equal(60 + atoms.Length, inputs);
    }

    [Fact]
    public void Look_alike_characters_are_caught_and_offsets_map_back_to_the_original()
    {
        var r = new Redactor(RedactionOptions.Strict);
        // Cyrillic 'а' and 'е' inside the email, fullwidth '＠', NBSP and zero-width space inside the card.
        string text = "mail m\u0430ri\u0430.gonz\u0430l\u0435z\uFF20contoso-mail.com card 4340\u00A05477\u200B 3038 7959 end";
        var result = r.Redact(text);
        Assert.Equal("mail [REDACTED:Email] card [REDACTED:CreditCard] end", result.Text);
        var email = result.Findings[0];
        Assert.Equal(text.IndexOf('m', 1), email.Start);
        Assert.Equal("com", text.Substring(email.Start + email.Length - 3, 3));
    }
}
