using System.Collections;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

public sealed class RedactorOptionsTests
{
    private const string Mixed = "mail maria.gonzalez@contoso-mail.com, card 4340 5477 3038 7959, key AKIAZQ7VLK2P4MWN3SYD";

    [Fact]
    public void Profiles_widen_from_none_to_strict()
    {
        Assert.Equal(Mixed, new Redactor(RedactionOptions.None).Redact(Mixed).Text);
        Assert.Equal("mail maria.gonzalez@contoso-mail.com, card 4340 5477 3038 7959, key [REDACTED:AwsAccessKeyId]", new Redactor(RedactionOptions.Secrets).Redact(Mixed).Text);
        Assert.Equal("mail maria.gonzalez@contoso-mail.com, card [REDACTED:CreditCard], key [REDACTED:AwsAccessKeyId]", new Redactor(RedactionOptions.Standard).Redact(Mixed).Text);
        var strict = new Redactor(RedactionOptions.Strict).Redact(Mixed);
        Assert.Equal("mail [REDACTED:Email], card [REDACTED:CreditCard], key [REDACTED:AwsAccessKeyId]", strict.Text);
        Assert.Equal(1, strict.Counts["Email"]);
        Assert.Equal(3, strict.Findings.Count);
    }

    [Fact]
    public void Placeholder_format_is_configurable_and_can_keep_a_cards_last_four()
    {
        var keep = new Redactor(new RedactionOptions { KeepCardLast4 = true });
        Assert.Equal("card [REDACTED:CreditCard:7959]", keep.Redact("card 4340 5477 3038 7959").Text);
        var custom = new Redactor(new RedactionOptions { PlaceholderFormat = "<{type} ****{last4}>", KeepCardLast4 = true });
        Assert.Equal("card <CreditCard ****7959>", custom.Redact("card 4340 5477 3038 7959").Text);
        Assert.Equal("id <SSN ****>", custom.Redact("id 219-55-1234").Text);
    }

    [Fact]
    public void Test_cards_are_redacted_when_the_policy_says_so()
    {
        Assert.Equal("4111 1111 1111 1111", new Redactor(RedactionOptions.Standard).Redact("4111 1111 1111 1111").Text);
        Assert.Equal("[REDACTED:CreditCard]", new Redactor(new RedactionOptions { RedactTestCards = true }).Redact("4111 1111 1111 1111").Text);
    }

    [Fact]
    public void Custom_patterns_and_allow_list_come_from_cmdlet_style_parameters()
    {
        var options = RedactionOptions.FromParameters("strict",
            new object[] { new Hashtable { ["name"] = "TicketId", ["PATTERN"] = "TCK-[0-9]{6}" } },
            new[] { "*@contoso-mail.com", "34.117.59.81" });
        Assert.Equal(RedactionProfile.Strict, options.Profile);
        var r = new Redactor(options).Redact("TCK-123456 from maria@contoso-mail.com on 34.117.59.81, cc bob@fabrikam.io");
        Assert.Equal("[REDACTED:TicketId] from maria@contoso-mail.com on 34.117.59.81, cc [REDACTED:Email]", r.Text);
        Assert.Equal(1, r.Counts["TicketId"]);
    }

    [Fact]
    public void Custom_patterns_apply_even_with_profile_none()
    {
        var options = RedactionOptions.FromParameters("None", new object[] { new Hashtable { ["Name"] = "Code", ["Pattern"] = "X-[0-9]+" } }, null);
        Assert.Equal("a [REDACTED:Code] b", new Redactor(options).Redact("a X-42 b").Text);
    }

    [Theory]
    [InlineData("Loose", "ClaudePS.InvalidRedactProfile")]
    public void Bad_profile_is_an_argument_error(string profile, string errorId)
    {
        var ex = Assert.Throws<ClaudeException>(() => RedactionOptions.FromParameters(profile, null, null));
        Assert.Equal(errorId, ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.InvalidArgument, ex.Error.Category);
    }

    [Fact]
    public void Bad_custom_pattern_says_what_to_fix()
    {
        var ex = Assert.Throws<ClaudeException>(() => RedactionOptions.FromParameters("Standard", new object[] { new Hashtable { ["Name"] = "T", ["Pattern"] = "([a-z" } }, null));
        Assert.Equal("ClaudePS.InvalidRedactPattern", ex.Error.ErrorId);
        Assert.Contains("'T'", ex.Error.Message);
        Assert.Throws<ClaudeException>(() => RedactionOptions.FromParameters("Standard", new object[] { "not a table" }, null));
        Assert.Throws<ClaudeException>(() => RedactionOptions.FromParameters("Standard", new object[] { new Hashtable { ["Pattern"] = "x" } }, null));
    }

    [Fact]
    public void Secret_scrubber_removes_credentials_only()
    {
        string text = "POST failed with key sk-ant-api03-Q9vLk2ZpT7xR4mWn8sYd1cHf5bJg3aUe6oIiNqOrPsTtUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0AA for maria@contoso-mail.com";
        Assert.Equal("POST failed with key [REDACTED:AnthropicApiKey] for maria@contoso-mail.com", SecretScrubber.Scrub(text));
        Assert.Null(SecretScrubber.Scrub((string?)null));
        var error = new ClaudeError("ClaudePS.X", ClaudeErrorCategory.AuthenticationError, "bad header Authorization: Bearer abcDEF123ghiJKL456mnoPQR789stuVWX") { RequestId = "req_1" };
        var scrubbed = SecretScrubber.Scrub(error);
        Assert.DoesNotContain("abcDEF123", scrubbed.Message);
        Assert.Equal("req_1", scrubbed.RequestId);
        var clean = new ClaudeError("ClaudePS.Y", ClaudeErrorCategory.InvalidArgument, "nothing secret here");
        Assert.Same(clean, SecretScrubber.Scrub(clean));
    }
}
