using ClaudePS.Engine.Auth;
using Xunit;

namespace ClaudePS.Engine.Tests.Auth;

public class TokenForgetTests
{
    [Fact]
    public async Task Forget_drops_the_cached_token_so_the_next_use_requests_a_new_one()
    {
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        var source = new ScriptedTokenSource(clock, TimeSpan.FromHours(1));
        var cache = new TokenCache();
        var first = new TokenCredential(source, new TokenCredentialOptions { Cache = cache, Clock = clock.Func });
        await first.GetTokenAsync(false, default);
        await first.GetTokenAsync(false, default);
        Assert.Equal(1, source.Requests);

        first.Forget();
        // A new credential for the same identity (as after Connect-Claude again) finds nothing cached.
        var again = new TokenCredential(source, new TokenCredentialOptions { Cache = cache, Clock = clock.Func });
        await again.GetTokenAsync(false, default);
        Assert.Equal(2, source.Requests);
    }
}
