using System.Collections;
using System.Net;
using System.Text;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Tests.Pipeline;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Secrets;

/// <summary>
/// A canary key goes in through every way a key enters; it must never come out of anything a user,
/// a log or a transcript can see: connection info, ToString(), exception messages, sink output.
/// </summary>
public class CanaryKeyTests
{
    private const string Canary = "sk-ant-canary-7f3c9e1b2d4a6f80";
    private const string CanaryCore = "canary-7f3c9e1b2d4a6f80"; // catches a key shown with its prefix cut

    private static void AssertClean(string? text, string what)
    {
        Assert.False(text is not null && (text.Contains(CanaryCore, StringComparison.OrdinalIgnoreCase)), $"{what} shows the key: {text}");
    }

    /// <summary>Answers every request with a fixed status and body, and keeps the auth header it saw.</summary>
    private sealed class FixedHandler(HttpStatusCode status, string body, string? contentType = "application/json") : HttpMessageHandler
    {
        public string? SeenKey { get; private set; }
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            SeenKey = request.Headers.TryGetValues("x-api-key", out var v) ? v.Single()
                    : request.Headers.TryGetValues("Authorization", out var a) ? a.Single() : null;
            var res = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType!) };
            res.Headers.TryAddWithoutValidation("request-id", "req_canary");
            return Task.FromResult(res);
        }
    }

    private static ClaudeConnection Connect(HttpMessageHandler handler, ICredentialProvider? credential = null, IDictionary? env = null) =>
        ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri("http://127.0.0.1:9/") },
            Credential = credential,
            DefaultModel = "claude-sonnet-4-5",
        }, env ?? new Hashtable(), handler);

    public static TheoryData<string> Sources => new() { "ApiKey", "Bearer", "env:ANTHROPIC_API_KEY", "env:ANTHROPIC_AUTH_TOKEN" };

    private static ClaudeConnection ConnectVia(string source, HttpMessageHandler handler) => source switch
    {
        "ApiKey" => Connect(handler, new ApiKeyCredential(Canary, "-ApiKey")),
        "Bearer" => Connect(handler, new BearerTokenCredential(Canary, "-AccessToken")),
        "env:ANTHROPIC_API_KEY" => Connect(handler, env: new Hashtable { ["ANTHROPIC_API_KEY"] = Canary }),
        _ => Connect(handler, env: new Hashtable { ["ANTHROPIC_AUTH_TOKEN"] = Canary }),
    };

    [Theory, MemberData(nameof(Sources))]
    public async Task Connection_info_and_ToString_never_show_the_key(string source)
    {
        var handler = new FixedHandler(HttpStatusCode.OK, "{\"input_tokens\":3}");
        using var connection = ConnectVia(source, handler);

        foreach (var property in typeof(ClaudeConnectionInfo).GetProperties())
        {
            var value = property.GetValue(connection.Info);
            AssertClean(value is IEnumerable e and not string ? string.Join(",", e.Cast<object>()) : value?.ToString(), "ClaudeConnectionInfo." + property.Name);
        }
        AssertClean(connection.Info.ToString(), "ClaudeConnectionInfo.ToString()");
        AssertClean(connection.ToString(), "ClaudeConnection.ToString()");
        AssertClean(connection.Credential.ToString(), "credential ToString()");
        AssertClean(connection.Credential.Source, "credential Source");
        AssertClean(connection.Options.ToString(), "options ToString()");
        var header = await connection.Credential.GetHeaderAsync(forceRefresh: false, CancellationToken.None);
        AssertClean(header.ToString(), "AuthHeader.ToString()");

        // The key is really in there (so the checks above could fail): it reaches the wire.
        await connection.Client.CountTokensAsync(MessageRequest.ForPrompt("hi"));
        Assert.Contains(Canary, handler.SeenKey);
        Assert.Contains(Canary, header.Value);
    }

    [Theory]
    [InlineData("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"},\"request_id\":\"req_1\"}")]
    [InlineData("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"key " + Canary + " is not valid\"}}")]
    [InlineData("invalid key: " + Canary)]
    public async Task A_401_reply_never_echoes_the_key(string body)
    {
        // Some gateways echo the key they rejected; the error must not carry it on.
        using var connection = Connect(new FixedHandler(HttpStatusCode.Unauthorized, body), new ApiKeyCredential(Canary));
        var ex = await Assert.ThrowsAsync<ClaudeException>(() => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("hi")));
        Assert.Equal("ClaudePS.AuthenticationFailed", ex.Error.ErrorId);
        AssertClean(ex.Message, "401 exception message");
        AssertClean(ex.Error.ToString(), "401 ClaudeError.ToString()");
        AssertClean(ex.ToString(), "401 exception ToString()");
    }

    [Theory]
    [InlineData("ftp://user:" + Canary + "@example.test/")]
    [InlineData("https://user:" + Canary + "@127.0.0.1/")]
    [InlineData(Canary)] // the key pasted into -BaseUri by mistake
    public void Connect_errors_never_echo_a_key_given_in_the_wrong_place(string baseUri)
    {
        var ex = Assert.Throws<ClaudeException>(() =>
        {
            var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential(Canary) };
            options.BaseUris.Add(ClaudeConnection.ParseBaseUri(baseUri));
            ClaudeConnection.Create(options, new Hashtable(), new FixedHandler(HttpStatusCode.OK, "{}")).Dispose();
        });
        AssertClean(ex.Message, "connect exception message");
        Assert.Contains("BaseUri", ex.Message);
    }

    [Theory]
    [InlineData(Canary + "\n")]
    [InlineData(Canary + "é")]
    [InlineData("Bearer " + Canary + "\r\nX: y")]
    public void A_malformed_key_is_refused_without_showing_it(string key)
    {
        var ex = Assert.Throws<ClaudeException>(() => new ApiKeyCredential(key.Replace("\n", "\n\u0001")));
        AssertClean(ex.Message, "credential exception message");
        var fromEnv = Assert.Throws<ClaudeException>(() => Connect(new FixedHandler(HttpStatusCode.OK, "{}"), env: new Hashtable { ["ANTHROPIC_API_KEY"] = key + "\u0001" }));
        AssertClean(fromEnv.Message, "env credential exception message");
    }

    [Fact]
    public async Task A_prompt_run_writes_nothing_that_shows_the_key()
    {
        const string reply = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\"," +
                             "\"content\":[{\"type\":\"text\",\"text\":\"hello\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}";
        using var connection = Connect(new FixedHandler(HttpStatusCode.OK, reply), new ApiKeyCredential(Canary));
        var sink = new RecordingSink();
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "hi", Raw = true }, sink, CancellationToken.None);
        Assert.Equal("hello", response.Text);
        foreach (var property in typeof(ClaudeResponse).GetProperties())
            AssertClean(property.GetValue(response)?.ToString(), "ClaudeResponse." + property.Name);
        foreach (var item in sink.Items) AssertClean(item.ToString(), "sink output");
    }
}
