using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>A custom pattern that times out costs one timeout per reply, streamed or not, and what it
/// could not scan is never shown.</summary>
public sealed class TimeoutBudgetTests
{
    private static RedactionOptions Evil(string pattern) => new()
    {
        Profile = RedactionProfile.None,
        CustomPatterns = new[] { new CustomRedactionPattern("Evil", pattern) },
        MatchTimeout = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public void A_streamed_reply_pays_one_timeout_not_one_per_delta_and_shows_nothing_unscanned()
    {
        var redactor = new Redactor(Evil("(a+)+$"));
        var stream = redactor.CreateStream();
        var shown = new System.Text.StringBuilder();
        shown.Append(stream.Write("Here is the answer: "));
        for (int i = 0; i < 400; i++) shown.Append(stream.Write(i % 50 == 49 ? "a!" : "aaaaaaaaaaaaaaaa")); // 400 deltas
        shown.Append(stream.Write(" and the rest of the reply."));
        shown.Append(stream.Complete());

        Assert.Equal(1, redactor.Timeouts);
        Assert.Contains("[REDACTED:Unscanned]", shown.ToString());
        Assert.DoesNotContain("aaaa", shown.ToString());
        Assert.DoesNotContain("rest of the reply", shown.ToString());
        Assert.Equal(1, stream.Counts[Redactor.UnscannedType]);
    }

    [Fact]
    public void Unscanned_text_stays_hidden_where_an_earlier_finding_overlaps_its_start()
    {
        // "x" matches inside the address; a later match times out, so everything from just after an "x"
        // is unscanned, and the address (found by the first pattern) reaches past that point.
        var options = new RedactionOptions
        {
            Profile = RedactionProfile.None,
            CustomPatterns = new[] { new CustomRedactionPattern("Mail", @"bobx@example\.com"), new CustomRedactionPattern("Evil", "x|(a+)+$") },
            MatchTimeout = TimeSpan.FromMilliseconds(20),
        };
        string text = "mail bobx@example.com then " + new string('a', 3000) + "!";
        var r = new Redactor(options).Redact(text);
        Assert.DoesNotContain("aaaa", r.Text);
        Assert.DoesNotContain("then", r.Text);
        Assert.DoesNotContain("example.com", r.Text);
    }
}
