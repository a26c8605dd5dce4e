using ClaudePS.Engine.Auth;
using Xunit;

namespace ClaudePS.Engine.Tests.Auth;

public sealed class PersistentTokenStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(AuthTestKit.TempDirectory(), "tokens");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);

    [Fact]
    public void A_saved_token_loads_back_and_its_file_is_private_and_named_by_digest()
    {
        var store = new PersistentTokenStore(_dir);
        var token = new AccessToken("tok-" + AuthTestKit.Canary, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        store.Save("OAuthClientCredentials|https://idp/token|app|scope|secret:abc", token);
        var loaded = store.TryLoad("OAuthClientCredentials|https://idp/token|app|scope|secret:abc");
        Assert.Equal(token.Value, loaded!.Value);
        Assert.Equal(token.ExpiresOn.ToUnixTimeMilliseconds(), loaded.ExpiresOn.ToUnixTimeMilliseconds());
        Assert.Null(store.TryLoad("another identity"));
        var file = Assert.Single(Directory.GetFiles(_dir));
        Assert.DoesNotContain("app", Path.GetFileName(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
        }
    }

    [Fact]
    public void A_token_file_that_others_can_read_is_refused()
    {
        if (OperatingSystem.IsWindows()) return; // DPAPI protects it there; modes are a Unix matter
        var store = new PersistentTokenStore(_dir);
        store.Save("k", new AccessToken("t", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1)));
        File.SetUnixFileMode(store.PathFor("k"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var ex = Assert.Throws<ClaudeException>(() => store.TryLoad("k"));
        Assert.Equal("ClaudePS.TokenCacheNotPrivate", ex.Error.ErrorId);
    }

    [Fact]
    public async Task A_credential_with_a_persistent_store_reuses_the_saved_token_in_a_new_session_and_never_writes_the_client_secret()
    {
        await using var server = await EmulatorSession.StartAsync();
        server.State.Auth.RegisterClientSecret("persist-app", AuthTestKit.Canary);
        var store = new PersistentTokenStore(_dir);
        async Task<string> ConnectAsync()
        {
            var source = ClientCredentialsSource.WithSecret(TokenEndpointClient.CreateDefault(), AuthTestKit.TokenEndpoint(server.Server), "persist-app", null, AuthTestKit.Canary);
            var credential = new TokenCredential(source, new TokenCredentialOptions { Cache = new TokenCache(), PersistentStore = store });
            return (await credential.GetHeaderAsync(false, default)).Value;
        }
        var first = await ConnectAsync();
        var second = await ConnectAsync(); // a new process would start with an empty in-memory cache, as this one does
        Assert.Equal(first, second);
        Assert.Equal(1, server.State.Auth.IssuedTokens);
        foreach (var file in Directory.GetFiles(_dir))
            Assert.DoesNotContain(AuthTestKit.Canary, File.ReadAllText(file));
    }
}
