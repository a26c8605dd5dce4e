using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>
/// Writes a reply as server-sent events in the real API's order: message_start, per block
/// content_block_start / deltas / content_block_stop (a ping after the first start), message_delta
/// with cumulative usage, message_stop. Paced by <see cref="Pacing"/>; a stream-error or
/// reset-mid-stream fault strikes after the first content delta reached the client.
/// </summary>
internal static class SseWriter
{
    private const int TokensPerDelta = 3;

    public static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task StreamAsync(ApiExchange exchange, SimulatedReply reply, ReplyPlan plan, Pacing pacing, FaultSpec? fault)
    {
        var context = exchange.Context;
        var response = context.Response;
        var token = context.RequestAborted;
        var clock = exchange.State.Clock;
        bool pad = exchange.State.Options.PadSseData;
        var usage = reply.Usage!;
        if (!response.HasStarted) await StartAsync(response, token).ConfigureAwait(false);

        var start = reply.Message!.DeepClone().AsObject();
        start["content"] = new JsonArray();
        start["stop_reason"] = null;
        start["stop_sequence"] = null;
        start["usage"] = WireJson.Usage(usage, outputTokens: Math.Min(1, usage.OutputTokens));
        await WriteAsync(response, "message_start", new JsonObject { ["type"] = "message_start", ["message"] = start }, pad, token).ConfigureAwait(false);

        bool faultStruck = false;
        async Task<bool> StrikeAsync()
        {
            if (faultStruck || fault is not { } f) return false;
            if (f.Kind == FaultKinds.StreamError)
            {
                faultStruck = true;
                // The stream reported message_start's usage before failing: that much is billed, as
                // the client's ledger records it.
                exchange.Usage = usage with { OutputTokens = Math.Min(1, usage.OutputTokens) };
                var error = new JsonObject
                {
                    ["type"] = "error",
                    ["error"] = new JsonObject { ["type"] = ErrorTypes.Overloaded, ["message"] = "Overloaded (emulated stream error)." },
                };
                exchange.Record(); // the error event is the stream's last
                await WriteAsync(response, "error", error, pad, token).ConfigureAwait(false);
                return true;
            }
            if (f.Kind == FaultKinds.ResetMidStream)
            {
                faultStruck = true;
                await exchange.AbortAfterFlushAsync().ConfigureAwait(false);
                return true;
            }
            return false;
        }

        await Pacing.DelayAsync(pacing.TimeToFirstToken, clock, token).ConfigureAwait(false);
        for (int index = 0; index < plan.Blocks.Count; index++)
        {
            var block = plan.Blocks[index];
            await WriteAsync(response, "content_block_start",
                new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = WireJson.EmptyBlock(block) }, pad, token).ConfigureAwait(false);
            if (index == 0) await WriteAsync(response, "ping", new JsonObject { ["type"] = "ping" }, pad, token).ConfigureAwait(false);

            foreach (var (delta, tokens) in Deltas(block))
            {
                await Pacing.DelayAsync(pacing.ForTokens(tokens), clock, token).ConfigureAwait(false);
                await WriteAsync(response, "content_block_delta",
                    new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta }, pad, token).ConfigureAwait(false);
                if (await StrikeAsync().ConfigureAwait(false)) return;
            }
            await WriteAsync(response, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, pad, token).ConfigureAwait(false);
        }
        if (await StrikeAsync().ConfigureAwait(false)) return;

        var finalUsage = new JsonObject
        {
            ["input_tokens"] = usage.InputTokens,
            ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
            ["cache_read_input_tokens"] = usage.CacheReadInputTokens,
            ["output_tokens"] = usage.OutputTokens,
        };
        await WriteAsync(response, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = plan.StopReason, ["stop_sequence"] = plan.StopSequence },
            ["usage"] = finalUsage,
        }, pad, token).ConfigureAwait(false);
        exchange.Record(); // a client may stop reading at message_stop, before the handler returns
        await WriteAsync(response, "message_stop", new JsonObject { ["type"] = "message_stop" }, pad, token).ConfigureAwait(false);
    }

    private static IEnumerable<(JsonObject Delta, int Tokens)> Deltas(PlannedBlock block)
    {
        switch (block)
        {
            case PlannedThinking t:
                foreach (var (chunk, n) in Chunks(t.Thinking))
                    yield return (new JsonObject { ["type"] = "thinking_delta", ["thinking"] = chunk }, n);
                yield return (new JsonObject { ["type"] = "signature_delta", ["signature"] = t.Signature }, 0);
                break;
            case PlannedText t:
                if (t.Citation is { } citation) yield return (new JsonObject { ["type"] = "citations_delta", ["citation"] = citation.DeepClone() }, 0);
                foreach (var (chunk, n) in Chunks(t.Text))
                    yield return (new JsonObject { ["type"] = "text_delta", ["text"] = chunk }, n);
                break;
            case PlannedToolUse t:
                foreach (var (chunk, n) in Chunks(t.InputJson))
                    yield return (new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = chunk }, n);
                break;
            case PlannedServerToolUse s:
                foreach (var (chunk, n) in Chunks(s.InputJson))
                    yield return (new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = chunk }, n);
                break;
        }
    }

    private static IEnumerable<(string Chunk, int Tokens)> Chunks(string text)
    {
        var pieces = TokenCounter.Tokenize(text);
        for (int i = 0; i < pieces.Count; i += TokensPerDelta)
        {
            int n = Math.Min(TokensPerDelta, pieces.Count - i);
            yield return (string.Concat(pieces.Skip(i).Take(n)), n);
        }
    }

    private static async Task WriteAsync(HttpResponse response, string name, JsonObject data, bool pad, CancellationToken token)
    {
        string json = data.ToJsonString(WireJson.Options);
        if (pad) json = json[..^1] + new string(' ', 16) + "}";
        var frame = new StringBuilder(json.Length + name.Length + 16)
            .Append("event: ").Append(name).Append('\n')
            .Append("data: ").Append(json).Append("\n\n");
        await response.WriteAsync(frame.ToString(), token).ConfigureAwait(false);
        await response.Body.FlushAsync(token).ConfigureAwait(false);
    }
}
