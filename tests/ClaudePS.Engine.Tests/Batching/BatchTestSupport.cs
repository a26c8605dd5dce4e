using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ClaudePS.Emulator;
using ClaudePS.Engine.Batching;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Auth;

namespace ClaudePS.Engine.Tests.Batching;

/// <summary>
/// A Messages endpoint in a handler: deterministic replies ("Reply: " + prompt), per-prompt gates so a
/// test decides when a row finishes, prompts starting with FAIL answer 400, and a count of every
/// request per prompt (to prove no row is sent twice).
/// </summary>
internal sealed class FakeMessagesHandler : HttpMessageHandler
{
    public ConcurrentDictionary<string, int> Sent { get; } = new();
    public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();
    public int InFlight;
    public int MaxInFlight;
    /// <summary>The reply text for a prompt ("Reply: " + prompt unless a test says otherwise).</summary>
    public Func<string, string> Reply { get; init; } = prompt => "Reply: " + prompt;

    public TaskCompletionSource Gate(string prompt) => Gates.GetOrAdd(prompt, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
        var root = doc.RootElement;
        var content = root.GetProperty("messages")[0].GetProperty("content");
        string prompt = content.ValueKind == JsonValueKind.String ? content.GetString()! : content[0].GetProperty("text").GetString()!;
        string model = root.GetProperty("model").GetString()!;
        Sent.AddOrUpdate(prompt, 1, (_, n) => n + 1);
        int now = Interlocked.Increment(ref InFlight);
        InterlockedMax(ref MaxInFlight, now);
        try
        {
            if (Gates.TryGetValue(prompt, out var gate)) await gate.Task.WaitAsync(cancellationToken);
            if (prompt.StartsWith("FAIL", StringComparison.Ordinal))
                return Json(HttpStatusCode.BadRequest, """{"type":"error","error":{"type":"invalid_request_error","message":"prompt rejected by the test"},"request_id":"req_fail"}""");
            var reply = new
            {
                id = "msg_" + Guid.NewGuid().ToString("N")[..12], type = "message", role = "assistant", model,
                content = new[] { new { type = "text", text = Reply(prompt) } },
                stop_reason = "end_turn", stop_sequence = (string?)null,
                usage = new { input_tokens = 10 + prompt.Length / 4, output_tokens = 5, cache_creation_input_tokens = 0, cache_read_input_tokens = 0 },
            };
            return Json(HttpStatusCode.OK, JsonSerializer.Serialize(reply));
        }
        finally { Interlocked.Decrement(ref InFlight); }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body)
    {
        var res = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        res.Headers.TryAddWithoutValidation("request-id", "req_" + Guid.NewGuid().ToString("N")[..10]);
        return res;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}

internal static class BatchTest
{
    public const string Model = "claude-haiku-4-5";
    private const string Key = "sk-ant-test-key-batch";

    public static ClaudeConnection Connect(HttpMessageHandler handler) =>
        ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri("http://127.0.0.1:9/") },
            Credential = new ApiKeyCredential(Key, "test"),
            DefaultModel = Model,
            // The fake server sends no rate-limit headers; without this the limiter's first request
            // goes alone (it learns the limits from the first reply), which gated-row tests would block on.
            Resilience = { AdaptiveRateLimit = false },
        }, new Dictionary<string, string>(), handler);

    /// <summary>An emulator and a connection to it with the batch tests' key and model.</summary>
    public static Task<EmulatorSession> StartEmulatorAsync(EmulatorOptions? options = null) =>
        EmulatorSession.StartAsync(options, o => o.DefaultModel = Model, apiKey: Key);

    public static BatchRow Row(params (string Name, object? Value)[] columns) =>
        new(columns.Select(c => new KeyValuePair<string, object?>(c.Name, c.Value)).ToArray(), columns);

    public static IEnumerable<BatchRow> Rows(int count, string prefix = "p") =>
        Enumerable.Range(1, count).Select(i => Row(("Id", "r" + i), ("Prompt", prefix + i)));

    public static string TempPath(string name) => Path.Combine(Path.GetTempPath(), "claudeps-batch-tests", Guid.NewGuid().ToString("N"), name);
}
