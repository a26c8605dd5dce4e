using System.Collections;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.InputErrors;

/// <summary>Bad input is refused before anything is sent, with an error that names the field and says what to do.</summary>
public class BadInputTests
{
    private static ClaudeException Invalid(Action act)
    {
        var ex = Assert.Throws<ClaudeException>(act);
        Assert.Equal(ClaudeErrorCategory.InvalidArgument, ex.Error.Category);
        Assert.StartsWith("ClaudePS.", ex.Error.ErrorId);
        return ex;
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t")]
    public void Empty_prompt_names_the_prompt(string prompt)
    {
        var ex = Invalid(() => MessageRequest.ForPrompt(prompt, "claude-sonnet-4-5").Validate());
        Assert.StartsWith("prompt:", ex.Message);
        Assert.Contains("empty", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(MessageRequest.MaxTokensLimit + 1)]
    public void MaxTokens_out_of_range_names_max_tokens_and_the_range(int maxTokens)
    {
        var ex = Invalid(() => MessageRequest.ForPrompt("hi", "claude-sonnet-4-5", maxTokens).Validate());
        Assert.StartsWith("max_tokens:", ex.Message);
        Assert.Contains(maxTokens.ToString(), ex.Message);
        Assert.Contains(MessageRequest.MaxTokensLimit.ToString(), ex.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(MessageRequest.MaxTokensLimit)]
    public void MaxTokens_at_the_bounds_is_accepted(int maxTokens) =>
        MessageRequest.ForPrompt("hi", "claude-sonnet-4-5", maxTokens).Validate();

    [Fact]
    public void Missing_model_names_model_and_the_fix()
    {
        var ex = Invalid(() => MessageRequest.ForPrompt("hi").Validate());
        Assert.StartsWith("model:", ex.Message);
        Assert.Contains("-Model", ex.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    public void Temperature_out_of_range_names_temperature(double t)
    {
        var request = MessageRequest.ForPrompt("hi", "claude-sonnet-4-5");
        request.Temperature = t;
        Assert.StartsWith("temperature:", Invalid(request.Validate).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_key_names_the_key_and_where_to_pass_it(string key)
    {
        var ex = Invalid(() => new ApiKeyCredential(key));
        Assert.Equal("ClaudePS.EmptyCredential", ex.Error.ErrorId);
        Assert.Contains("API key", ex.Message);
        Assert.Contains("-ApiKey", ex.Message);
        var bearer = Invalid(() => new BearerTokenCredential(key));
        Assert.Contains("bearer token", bearer.Message);
    }

    [Fact]
    public void No_credential_anywhere_is_an_authentication_error_naming_the_variables()
    {
        var ex = Assert.Throws<ClaudeException>(() => ClaudeConnection.Create(new ClaudeConnectionOptions(), new Hashtable { ["ANTHROPIC_API_KEY"] = "" }));
        Assert.Equal("ClaudePS.NoCredential", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.AuthenticationError, ex.Error.Category);
        Assert.Contains("ANTHROPIC_API_KEY", ex.Message);
        Assert.Contains("ANTHROPIC_AUTH_TOKEN", ex.Message);
    }

    [Theory]
    [InlineData("ftp://api.example.test")]
    [InlineData("file:///etc/passwd")]
    [InlineData("api.anthropic.com")]
    [InlineData("not a uri")]
    public void A_base_uri_that_is_not_http_names_BaseUri(string text)
    {
        var ex = Invalid(() => ClaudeConnection.ParseBaseUri(text));
        Assert.StartsWith("BaseUri:", ex.Message);
        Assert.Contains("http", ex.Message);
    }

    [Fact]
    public void A_non_http_Uri_object_is_refused_by_Create()
    {
        var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential("sk-ant-x"), BaseUris = { new Uri("ftp://api.example.test/") } };
        Assert.StartsWith("BaseUri:", Invalid(() => ClaudeConnection.Create(options, new Hashtable(), new HttpClientHandler())).Message);
    }

    [Theory]
    [InlineData("http://api.example.test")]
    [InlineData("http://10.0.0.5:8080")]
    public void Plain_http_to_a_remote_host_is_refused_unless_allowed(string uri)
    {
        var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential("sk-ant-x"), BaseUris = { new Uri(uri) } };
        var ex = Invalid(() => ClaudeConnection.Create(options, new Hashtable(), new HttpClientHandler()));
        Assert.StartsWith("BaseUri:", ex.Message);
        Assert.Contains("-AllowUnencryptedConnection", ex.Message);

        options.AllowUnencryptedConnection = true;
        using var allowed = ClaudeConnection.Create(options, new Hashtable(), new HttpClientHandler());
        Assert.StartsWith(uri, allowed.Info.Endpoints[0]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8787")]
    [InlineData("http://localhost:8787")]
    [InlineData("http://[::1]:8787")]
    [InlineData("https://api.anthropic.com")]
    public void Https_and_loopback_http_are_accepted(string uri)
    {
        var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential("sk-ant-x"), BaseUris = { new Uri(uri) } };
        using var connection = ClaudeConnection.Create(options, new Hashtable(), new HttpClientHandler());
        Assert.Single(connection.Endpoints);
    }

    [Fact]
    public void ANTHROPIC_BASE_URL_gets_the_same_checks()
    {
        var env = new Hashtable { ["ANTHROPIC_API_KEY"] = "sk-ant-x", ["ANTHROPIC_BASE_URL"] = "http://gateway.example.test" };
        Assert.Contains("-AllowUnencryptedConnection", Invalid(() => ClaudeConnection.Create(new ClaudeConnectionOptions(), env, new HttpClientHandler())).Message);
    }

    [Fact]
    public void A_non_positive_timeout_names_TimeoutSec()
    {
        var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential("sk-ant-x"), BaseUris = { new Uri("https://api.anthropic.com") }, Timeout = TimeSpan.Zero };
        Assert.StartsWith("TimeoutSec:", Invalid(() => ClaudeConnection.Create(options, new Hashtable(), new HttpClientHandler())).Message);
    }
}
