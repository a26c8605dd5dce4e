using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>The token endpoints take bodies under the same limit as /v1/messages and answer an oversized
/// one with the same 413 request_too_large body, never an empty 500 or an unbounded read.</summary>
public sealed class AuthBodyLimitTests
{
    private const long Limit = 1024 * 1024;

    private static async Task<(HttpResponseMessage Response, string Body)> PostAsync(EmulatorHarness emulator, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("anthropic-beta", "oidc-federation-2026-04-01");
        var response = await emulator.Http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static void AssertTooLarge(HttpResponseMessage response, string body)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("error", (string?)json["type"]);
        Assert.Equal("request_too_large", (string?)json["error"]!["type"]);
        Assert.Contains(Limit.ToString(), (string?)json["error"]!["message"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Json_over_the_limit_to_the_federation_endpoint_is_request_too_large()
    {
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { MaxRequestBodyBytes = Limit });
        string json = "{\"grant_type\":\"" + new string('a', (int)Limit * 2) + "\"}";
        var (response, body) = await PostAsync(emulator, "v1/oauth/token", new StringContent(json, Encoding.UTF8, "application/json"));
        AssertTooLarge(response, body);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_form_over_the_limit_to_the_token_endpoint_is_request_too_large()
    {
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { MaxRequestBodyBytes = Limit });
        var form = "grant_type=client_credentials&client_id=" + new string('a', (int)Limit * 2);
        var (response, body) = await PostAsync(emulator, "oauth2/token", new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"));
        AssertTooLarge(response, body);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_large_form_under_the_limit_gets_a_token_error_not_an_empty_500()
    {
        // 5 MB in one value: over the framework form reader's own 4 MB value limit, under the API's 32 MB.
        await using var emulator = await EmulatorHarness.StartAsync();
        var form = "grant_type=client_credentials&client_id=unknown&client_secret=" + new string('s', 5 * 1024 * 1024);
        var (response, body) = await PostAsync(emulator, "oauth2/token", new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (string?)JsonNode.Parse(body)!["error"]);
    }
}
