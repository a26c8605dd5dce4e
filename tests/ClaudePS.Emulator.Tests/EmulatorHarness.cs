using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaudePS.Emulator.Tests;

/// <summary>A clock tests move by hand (cache TTLs, rate-limit refill).</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() { lock (this) return _now; }
    public void Advance(TimeSpan by) { lock (this) _now += by; }
}

/// <summary>An in-process emulator on 127.0.0.1:0 plus a raw HttpClient that speaks to it.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    public const string Key = "sk-ant-test-key-0001";
    public const string Model = "claude-sonnet-4-6";

    private EmulatorHarness(EmulatorServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public EmulatorServer Server { get; }
    public EmulatorState State => Server.State;
    public HttpClient Http { get; }

    public static async Task<EmulatorHarness> StartAsync(EmulatorOptions? options = null) =>
        new(await EmulatorServer.StartAsync(options ?? new EmulatorOptions()));

    public static string UserBody(string prompt, int maxTokens = 200, bool stream = false, string model = Model) =>
        new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = maxTokens,
            ["stream"] = stream,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        }.ToJsonString();

    public HttpRequestMessage Request(string path, string? body, string? key = Key, IDictionary<string, string>? headers = null, bool version = true)
    {
        var request = new HttpRequestMessage(body == null ? HttpMethod.Get : HttpMethod.Post, path);
        if (body != null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (key != null) request.Headers.Add("x-api-key", key);
        if (version && headers?.ContainsKey("anthropic-version") != true) request.Headers.Add("anthropic-version", ApiVersions.Current);
        if (headers != null)
            foreach (var pair in headers) request.Headers.TryAddWithoutValidation(pair.Key, pair.Value);
        return request;
    }

    public async Task<(HttpResponseMessage Response, JsonNode? Json)> SendAsync(HttpRequestMessage request)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await Http.SendAsync(request, cts.Token);
        string text = await response.Content.ReadAsStringAsync(cts.Token);
        JsonNode? json = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json") json = JsonNode.Parse(text);
        return (response, json);
    }

    public Task<(HttpResponseMessage Response, JsonNode? Json)> PostAsync(string path, string body, IDictionary<string, string>? headers = null, string? key = Key) =>
        SendAsync(Request(path, body, key, headers));

    /// <summary>Reads an SSE body into (event, data) pairs.</summary>
    public static List<(string Event, JsonNode Data)> ParseSse(string text)
    {
        var events = new List<(string, JsonNode)>();
        foreach (var frame in text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in frame.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line[6..]);
            }
            if (name != null) events.Add((name, JsonNode.Parse(data.ToString())!));
        }
        return events;
    }

    public static string Text(JsonNode message) =>
        string.Concat(message["content"]!.AsArray().Where(b => (string?)b!["type"] == "text").Select(b => (string?)b!["text"]));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
