using System.Collections;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Auth;

public class CredentialSetupTests
{
    private static ClaudeConnectionOptions Apply(CredentialOptions credential, Hashtable environment, ClaudeConnectionOptions? options = null)
    {
        options ??= new ClaudeConnectionOptions();
        options.Services = new ClaudeServices(PriceTable.Shipped);
        CredentialSetup.Apply(credential, options, environment);
        return options;
    }

    private static Hashtable FederationEnvironment() => new()
    {
        [CredentialSetup.FederationRuleVariable] = "fdrl_1",
        [CredentialSetup.OrganizationVariable] = "org-1",
        [CredentialSetup.IdentityTokenFileVariable] = "/var/run/secrets/anthropic.com/token",
        [CredentialResolver.BaseUrlVariable] = "http://127.0.0.1:9",
    };

    [Fact]
    public void Federation_variables_select_workload_identity_and_add_the_oauth_beta()
    {
        var options = Apply(new CredentialOptions(), FederationEnvironment());
        var credential = Assert.IsType<TokenCredential>(options.Credential);
        Assert.Equal("WorkloadIdentity", credential.AuthKind);
        Assert.Contains("/var/run/secrets/anthropic.com/token", credential.Source);
        Assert.Contains(FederatedTokenSource.OAuthApiBeta, options.Betas);
    }

    [Fact]
    public void The_kind_decides_whatever_else_is_filled_in()
    {
        // A client id beside a key used to turn the call into client credentials by a hidden rule order.
        var options = Apply(new CredentialOptions { Kind = CredentialKind.ApiKey, ApiKey = "sk-ant-test", ClientId = "app", ClientSecret = "s" }, FederationEnvironment());
        Assert.IsType<ApiKeyCredential>(options.Credential);
        Assert.Empty(options.Betas);

        var ex = Assert.Throws<ClaudeException>(() => Apply(new CredentialOptions { Kind = CredentialKind.AccessToken, ApiKey = "sk-ant-test" }, new Hashtable()));
        Assert.Equal("ClaudePS.CredentialIncomplete", ex.Error.ErrorId);
        Assert.Contains("AccessToken", ex.Message);
        Assert.DoesNotContain("sk-ant-test", ex.Message);
    }

    [Fact]
    public void An_API_key_in_the_environment_wins_over_federation_variables()
    {
        var environment = FederationEnvironment();
        environment[CredentialResolver.ApiKeyVariable] = "sk-ant-test";
        var options = Apply(new CredentialOptions(), environment);
        Assert.Null(options.Credential); // the connection falls back to CredentialResolver: the key
        Assert.Empty(options.Betas);
    }

    [Fact]
    public void Secrets_go_to_token_endpoints_over_https_or_to_this_machine_only()
    {
        var ex = Assert.Throws<ClaudeException>(() => Apply(new CredentialOptions
        {
            Kind = CredentialKind.ClientCredentials, ClientId = "app", ClientSecret = AuthTestKit.Canary, TokenEndpoint = new Uri("http://idp.example.test/token"),
        }, new Hashtable()));
        Assert.Equal("ClaudePS.TokenEndpointInsecure", ex.Error.ErrorId);
        Assert.DoesNotContain(AuthTestKit.Canary, ex.ToString());
    }

    [Fact]
    public void Vertex_needs_a_region_and_a_project_and_defaults_to_the_regional_host()
    {
        var missing = Assert.Throws<ClaudeException>(() => Apply(new CredentialOptions { Kind = CredentialKind.AccessToken, Provider = ClaudeProvider.Vertex, AccessToken = "ya29.token" }, new Hashtable()));
        Assert.Contains("-Region", missing.Message);
        var options = Apply(new CredentialOptions { Kind = CredentialKind.AccessToken, Provider = ClaudeProvider.Vertex, AccessToken = "ya29.token", Region = "us-east5", ProjectId = "p1" }, new Hashtable());
        Assert.Equal(new Uri("https://us-east5-aiplatform.googleapis.com/"), options.BaseUris[0]);
        Assert.IsType<BearerTokenCredential>(options.Credential);
    }

    [Fact]
    public void Managed_identity_needs_a_resource_and_defaults_to_IDENTITY_ENDPOINT_when_set()
    {
        var ex = Assert.Throws<ClaudeException>(() => Apply(new CredentialOptions { Kind = CredentialKind.ManagedIdentity, Provider = ClaudeProvider.Gateway }, new Hashtable { [CredentialResolver.BaseUrlVariable] = "https://gw.example.test" }));
        Assert.Equal("ClaudePS.TokenScopeRequired", ex.Error.ErrorId);
        var source = ManagedIdentitySource.Create(TokenEndpointClient.CreateDefault(), "api://gw", null, null,
            new Hashtable { [ManagedIdentitySource.EndpointVariable] = "http://127.0.0.1:41000/msi/token", [ManagedIdentitySource.HeaderVariable] = "h" });
        Assert.StartsWith("http://127.0.0.1:41000/msi/token", source.CacheKey);
    }

    [Fact]
    public async Task An_API_key_has_no_bearer_token_and_a_static_token_is_given_back_without_expiry()
    {
        Assert.Null(await new ApiKeyCredential("sk-ant-x").GetBearerTokenAsync(false, default));
        var token = await new BearerTokenCredential("static-token").GetBearerTokenAsync(false, default);
        Assert.Equal("static-token", token!.Value.Value);
        Assert.Null(token.Value.ExpiresOn);
        Assert.DoesNotContain("static-token", token.Value.ToString());
    }

    [Fact]
    public void The_SecretManagement_error_says_what_to_install()
    {
        var error = CredentialSetup.SecretManagementMissing();
        Assert.Equal("ClaudePS.SecretManagementMissing", error.ErrorId);
        Assert.Contains("Microsoft.PowerShell.SecretManagement", error.Message);
    }
}
