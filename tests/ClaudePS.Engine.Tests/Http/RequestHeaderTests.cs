using System.Net;
using ClaudePS.Engine.Tests.Resilience;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Http;

/// <summary>The connection's fixed headers are set once on its HttpClient; a request's own accept and
/// retry count must replace those defaults, never join them.</summary>
public class RequestHeaderTests
{
    private static Dictionary<string, string> Headers(HttpRequestMessage r)
    {
        var all = r.Headers.Concat(r.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>());
        return all.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(" | ", h.Value));
    }

    /// <summary>An API that records every request's headers in <paramref name="seen"/>, then answers with <paramref name="reply"/>.</summary>
    private static FakeApi Recording(List<Dictionary<string, string>> seen, Func<HttpRequestMessage, int, HttpResponseMessage> reply, TestClock clock) =>
        new((r, i) =>
        {
            seen.Add(Headers(r));
            return reply(r, i);
        }, clock);

    [Fact]
    public async Task Each_attempt_sends_the_version_agent_key_accept_and_its_own_retry_count_once()
    {
        var clock = new TestClock();
        var seen = new List<Dictionary<string, string>>();
        var api = Recording(seen, (_, i) => i == 0 ? FakeApi.Error(529, "overloaded_error") : FakeApi.Message("ok"), clock);
        using var c = TestConnections.Create(api, clock, o => { o.Betas.Add("beta-one"); o.Betas.Add("beta-two"); });
        var call = c.Client.CreateMessageAsync(MessageRequest.ForPrompt("hi"));
        while (!call.IsCompleted) { clock.Advance(TimeSpan.FromSeconds(1)); await Task.Delay(5); }
        Assert.Equal("ok", (await call).Text);

        Assert.Equal(2, seen.Count);
        foreach (var h in seen)
        {
            Assert.Equal(TestConnections.Key, h["x-api-key"]);
            Assert.Equal(ClaudePS.Engine.Connections.ApiVersion.Current, h["anthropic-version"]);
            Assert.Equal("beta-one,beta-two", h["anthropic-beta"]);
            Assert.StartsWith("ClaudePS/", h["user-agent"]);
            Assert.Equal("application/json", h["accept"]);
            Assert.StartsWith("application/json", h["content-type"]);
        }
        Assert.Equal("0", seen[0]["x-stainless-retry-count"]);
        Assert.Equal("1", seen[1]["x-stainless-retry-count"]);
    }

    [Fact]
    public async Task A_stream_asks_for_an_event_stream_only()
    {
        var clock = new TestClock();
        var seen = new List<Dictionary<string, string>>();
        var api = Recording(seen, (_, _) => FakeApi.Stream(FakeApi.SseStart() + FakeApi.SseText("Hi") + FakeApi.SseEnd()), clock);
        using var c = TestConnections.Create(api, clock);
        var r = await c.Client.StreamMessageAsync(MessageRequest.ForPrompt("hi"), null);
        Assert.Equal("Hi", r.Text);
        var sent = Assert.Single(seen);
        Assert.Equal("text/event-stream", sent["accept"]);
        Assert.Equal("0", sent["x-stainless-retry-count"]);
    }

    [Fact]
    public async Task A_request_that_names_betas_sends_them_after_the_connections_each_once()
    {
        var clock = new TestClock();
        var seen = new List<Dictionary<string, string>>();
        var api = Recording(seen, (r, _) => r.RequestUri!.AbsolutePath.EndsWith("count_tokens")
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"input_tokens\":3}") }
            : FakeApi.Message("ok"), clock);
        using var c = TestConnections.Create(api, clock, o => o.Betas.Add("beta-one"));
        var request = MessageRequest.ForPrompt("hi");
        request.Betas.Add("beta-two");
        request.Betas.Add("beta-one");
        await c.Client.CreateMessageAsync(request);
        Assert.Equal(3, await c.Client.CountTokensAsync(request));
        await c.Client.CreateMessageAsync(MessageRequest.ForPrompt("no betas of its own"));

        Assert.Equal("beta-one,beta-two", seen[0]["anthropic-beta"]);
        Assert.Equal("beta-one,beta-two", seen[1]["anthropic-beta"]);
        Assert.Equal("beta-one", seen[2]["anthropic-beta"]);
    }
}
