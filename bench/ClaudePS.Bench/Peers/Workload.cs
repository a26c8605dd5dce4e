using System.Text.Json;

namespace ClaudePS.Bench.Peers;

/// <summary>The one request every peer sends, so the peers differ only in their client code.</summary>
public static class Workload
{
    public const string Model = "claude-sonnet-4-5";
    /// <summary>Loopback emulator only: it accepts any key that starts with sk-ant-.</summary>
    public const string ApiKey = "sk-ant-bench-loopback-only";
    public const string AnthropicVersion = "2023-06-01";
    public const int MaxTokens = 512;
    public const string Prompt =
        "Summarise the maintenance log of the harbour lighthouse for the quarterly report: lamp replaced in March, " +
        "lens cleaned twice, foghorn compressor serviced, two storm nights with the backup generator running.";

    /// <summary>The JSON body the raw floor posts, byte for byte what a minimal client would send.</summary>
    public static byte[] JsonBody(bool stream)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteNumber("max_tokens", MaxTokens);
            w.WriteStartArray("messages");
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteString("content", Prompt);
            w.WriteEndObject();
            w.WriteEndArray();
            if (stream) w.WriteBoolean("stream", true);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}

/// <summary>What one streamed reply looked like to a client: Stopwatch ticks from the call's start to
/// the first text and to the end, and how many text deltas it saw.</summary>
public readonly record struct StreamSample(long FirstTextTicks, long TotalTicks, int TextDeltas, int TextLength);

/// <summary>A client under test. Each implementation sends <see cref="Workload"/> its own way.</summary>
public interface IMessagePeer : IDisposable
{
    string Name { get; }
    /// <summary>One non-streaming call; returns the reply's size in chars or bytes (cheap, unchecked).</summary>
    Task<int> CreateAsync(CancellationToken cancellationToken);
    Task<StreamSample> StreamAsync(CancellationToken cancellationToken);
    /// <summary>The reply text, parsed fully, to prove every peer does the same work (not measured).</summary>
    Task<string> ReplyTextAsync(bool stream, CancellationToken cancellationToken);
}
