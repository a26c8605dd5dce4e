using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;

namespace ClaudePS.Engine.Tests.Prompting;

/// <summary>A scripted Claude endpoint inside an HttpMessageHandler: records every request body and answers
/// with whatever the test's responder returns. No sockets: nothing leaves the process.</summary>
internal sealed class FakeApi : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, string?, (HttpStatusCode Status, string Body, string? ContentType)> _respond;

    public FakeApi(Func<HttpRequestMessage, string?, (HttpStatusCode, string, string?)> respond) => _respond = respond;

    public ConcurrentQueue<(string Method, string PathAndQuery, string? Body)> Requests { get; } = new();

    /// <summary>The request bodies sent to POST paths ending with <paramref name="suffix"/>, parsed.</summary>
    public List<JsonElement> Bodies(string suffix = "/v1/messages") =>
        Requests.Where(r => r.Body is not null && r.PathAndQuery.Split('?')[0].EndsWith(suffix, StringComparison.Ordinal))
                .Select(r => JsonDocument.Parse(r.Body!).RootElement.Clone()).ToList();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue((request.Method.Method, request.RequestUri!.PathAndQuery, body));
        var (status, text, contentType) = _respond(request, body);
        var res = new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, contentType ?? "application/json") };
        res.Headers.TryAddWithoutValidation("request-id", "req_fake_" + Requests.Count);
        return res;
    }

    public ClaudeConnection Connect(string? defaultModel = "claude-sonnet-4-5") =>
        ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri("http://127.0.0.1:9/") },
            Credential = new ApiKeyCredential("sk-ant-test-key"),
            DefaultModel = defaultModel,
        }, new Hashtable(), this);

    /// <summary>A non-streaming message reply with the given content blocks (JSON array text).</summary>
    public static string Message(string contentJson, string stopReason = "end_turn", string usageJson = "{\"input_tokens\":10,\"output_tokens\":5}") =>
        $"{{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":{contentJson},\"stop_reason\":\"{stopReason}\",\"stop_sequence\":null,\"usage\":{usageJson}}}";

    public static string TextMessage(string text, string stopReason = "end_turn") =>
        Message("[{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(text) + "}]", stopReason);
}
