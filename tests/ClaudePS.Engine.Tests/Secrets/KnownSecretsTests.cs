using ClaudePS.Engine.Auth;
using Xunit;

namespace ClaudePS.Engine.Tests.Secrets;

public class KnownSecretsTests
{
    [Fact]
    public void Registered_secrets_are_masked_wherever_they_appear()
    {
        KnownSecrets.Register("sk-ant-scrub-me-0123456789");
        Assert.Equal("a *** b ***", KnownSecrets.Scrub("a sk-ant-scrub-me-0123456789 b sk-ant-scrub-me-0123456789"));
        Assert.Equal("nothing here", KnownSecrets.Scrub("nothing here"));
    }

    [Fact]
    public void Short_values_are_not_treated_as_secrets()
    {
        KnownSecrets.Register("abc");
        Assert.Equal("abc def", KnownSecrets.Scrub("abc def"));
    }

    [Fact]
    public void Credentials_register_their_secret()
    {
        _ = new BearerTokenCredential("tok-registered-by-provider-42");
        Assert.DoesNotContain("tok-registered-by-provider-42", KnownSecrets.Scrub("token tok-registered-by-provider-42 rejected"));
    }
}
