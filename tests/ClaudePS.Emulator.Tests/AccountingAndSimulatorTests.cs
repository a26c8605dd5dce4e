using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>The emulator's own ledger, the HTTP-free simulator, the tokenizer and the command line.</summary>
public sealed class AccountingAndSimulatorTests
{
    [Fact(Timeout = 30_000)]
    public async Task Records_carry_key_id_model_usage_status_and_never_the_key()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var (_, message) = await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("ledger check"));
        await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x", model: "claude-nope"));
        await emulator.SendAsync(emulator.Request("v1/models", null));

        var records = emulator.State.Accounting.Records;
        Assert.Equal(3, records.Count);
        var ok = records[0];
        Assert.Equal("messages", ok.Endpoint);
        Assert.Equal(ApiKeyAuthenticator.KeyIdFor(EmulatorHarness.Key), ok.ApiKeyId);
        Assert.DoesNotContain(EmulatorHarness.Key, ok.ToString());
        Assert.Equal(EmulatorHarness.Model, ok.Model);
        Assert.Equal(200, ok.StatusCode);
        Assert.False(ok.Streamed);
        Assert.Equal((int)message!["usage"]!["input_tokens"]!, ok.Usage!.InputTokens);
        Assert.Equal((int)message["usage"]!["output_tokens"]!, ok.Usage.OutputTokens);
        Assert.Equal("standard", ok.Usage.ServiceTier);
        Assert.Equal(404, records[1].StatusCode);
        Assert.Equal("not_found_error", records[1].ErrorType);
        Assert.Null(records[1].Usage);
        Assert.Equal("models", records[2].Endpoint);
        Assert.Equal(3, emulator.State.Accounting.Requests);
        Assert.Equal(1, emulator.State.Accounting.BilledReplies);
        Assert.Single(emulator.State.Accounting.Billed());
    }

    /// <summary>A clock that takes its time to answer: it widens any gap between a reply reaching the
    /// client and the emulator noting it.</summary>
    private sealed class SlowClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            Thread.Sleep(40);
            return base.GetUtcNow();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_reply_the_client_has_read_is_already_in_the_accounting()
    {
        // A JSON reply with its Content-Length, or a stream read to message_stop, is complete for the
        // client before the emulator's handler returns, so the record must be added before the last bytes
        // go out, not at the handler's end. (Recording at the end failed this test every time, and failed
        // record-count checks in a CI run now and then.)
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io); // the sleeping clock must not starve the sender
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { Clock = new SlowClock() });
        var accounting = emulator.State.Accounting;

        await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("whole reply"));
        Assert.Equal(1, accounting.Requests);
        await emulator.PostAsync("v1/messages", EmulatorHarness.UserBody("x", model: "claude-nope"));
        Assert.Equal(2, accounting.Requests);
        await emulator.SendAsync(emulator.Request("v1/models", null));
        Assert.Equal(3, accounting.Requests);

        using var response = await emulator.Http.SendAsync(emulator.Request("v1/messages", EmulatorHarness.UserBody("stream", stream: true)),
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && line != "event: message_stop") { }
        Assert.Equal(4, accounting.Requests);
        Assert.True(accounting.Records[^1].Streamed);
        Assert.NotNull(accounting.Records[^1].Usage);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_simulator_gives_what_the_endpoint_gives_without_http()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        string body = EmulatorHarness.UserBody("simulate the harbour report");
        var (_, viaHttp) = await emulator.PostAsync("v1/messages", body);

        var reply = emulator.State.Simulator.Simulate(body, new SimulationSettings { ServiceTier = "batch", ApiKeyId = "apikey_batch" });
        Assert.True(reply.Succeeded);
        Assert.Equal(EmulatorHarness.Text(viaHttp!), EmulatorHarness.Text(reply.Message!));
        Assert.Equal((int)viaHttp!["usage"]!["input_tokens"]!, reply.Usage!.InputTokens);
        Assert.Equal((int)viaHttp["usage"]!["output_tokens"]!, reply.Usage.OutputTokens);
        Assert.Equal("batch", (string?)reply.Message!["usage"]!["service_tier"]);
        Assert.Equal("end_turn", reply.StopReason);

        var failed = emulator.State.Simulator.Simulate(EmulatorHarness.UserBody("x", model: "claude-nope"));
        Assert.False(failed.Succeeded);
        Assert.Equal(404, failed.StatusCode);
        Assert.Equal("not_found_error", (string?)failed.Error!["type"]);
        Assert.Equal(400, emulator.State.Simulator.Simulate("{not json").StatusCode);
    }

    [Theory]
    [InlineData("Hello, world", 5)]
    [InlineData("", 0)]
    [InlineData("  spaced   out  ", 4)] // "  spac", "ed", "   out", "  "
    [InlineData("emoji 😀 ok", 4)]
    public void The_tokenizer_is_deterministic_and_its_pieces_rebuild_the_text(string text, int expected)
    {
        Assert.Equal(expected, TokenCounter.Count(text));
        Assert.Equal(text, string.Concat(TokenCounter.Tokenize(text)));
        string cut = TokenCounter.Truncate(text, 2);
        Assert.Equal(Math.Min(2, expected), TokenCounter.Count(cut));
        Assert.StartsWith(cut, text);
    }

    [Fact]
    public void Options_come_from_command_line_flags()
    {
        var options = EmulatorOptions.FromArgs(new[]
        {
            "--urls", "http://127.0.0.1:8787", "--api-key", "k1", "--api-key=k2", "--rpm", "600", "--input-tpm", "60000",
            "--output-tpm=12000", "--ttft-ms", "250", "--tokens-per-second", "80.5", "--latency-ms", "20", "--fault-rate", "0.2",
            "--fault-kinds", "429,reset,stall:1", "--seed", "42", "--retry-after-ms", "50", "--cache-min-tokens", "1024", "--pad-sse",
        });
        Assert.Equal(new[] { "k1", "k2" }, options.ApiKeys);
        Assert.Equal((600, 60000, 12000), (options.RequestsPerMinute, options.InputTokensPerMinute, options.OutputTokensPerMinute));
        Assert.Equal((250, 80.5, 20), (options.TimeToFirstTokenMs, options.TokensPerSecond, options.LatencyMs));
        Assert.Equal(0.2, options.FaultRate);
        Assert.Equal(new[] { "429", "reset", "stall:1" }, options.RandomFaultKinds);
        Assert.Equal((42, 50, 1024, true), (options.Seed, options.FaultRetryAfterMs!.Value, options.CacheMinTokens!.Value, options.PadSseData));
        Assert.Throws<ArgumentException>(() => EmulatorOptions.FromArgs(new[] { "--rpm", "lots" }));
        Assert.Throws<ArgumentException>(() => EmulatorOptions.FromArgs(new[] { "--fault-kinds", "teapot" }));
    }

    [Fact(Timeout = 30_000)]
    public async Task Padded_sse_data_still_parses()
    {
        await using var emulator = await EmulatorHarness.StartAsync(new EmulatorOptions { PadSseData = true });
        var response = await emulator.Http.SendAsync(emulator.Request("v1/messages", EmulatorHarness.UserBody("pad", stream: true)));
        string raw = await response.Content.ReadAsStringAsync();
        Assert.Contains("                }", raw);
        Assert.Equal("message_stop", EmulatorHarness.ParseSse(raw)[^1].Event);
    }

    [Fact]
    public void Schema_faker_handles_combinators_and_bounds()
    {
        var schema = JsonNode.Parse("""
        {"type":"object","properties":{
          "choice":{"anyOf":[{"type":"null"},{"type":"integer","exclusiveMinimum":5,"maximum":9}]},
          "fixed":{"const":"always"},
          "merged":{"allOf":[{"type":"object","properties":{"a":{"type":"string","maxLength":2}}},{"type":"object","properties":{"b":{"type":"boolean"}}}]},
          "ids":{"type":"array","items":{"type":"integer","minimum":1},"minItems":3,"maxItems":3}}}
        """)!;
        using var doc = System.Text.Json.JsonDocument.Parse(schema.ToJsonString());
        var value = SchemaFaker.Generate(doc.RootElement, new[] { "printer" })!.AsObject();
        Assert.Equal(6, (long)value["choice"]!);
        Assert.Equal("always", (string?)value["fixed"]);
        Assert.True(((string?)value["merged"]!["a"])!.Length <= 2);
        Assert.True((bool)value["merged"]!["b"]!);
        Assert.Equal(new long[] { 1, 2, 3 }, value["ids"]!.AsArray().Select(n => (long)n!));
    }
}
