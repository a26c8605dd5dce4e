using System.Collections;
using System.Diagnostics;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Bench.Peers;

/// <summary>The ClaudePS engine as the cmdlets use it: one connection, a request built per call,
/// <c>Client.CreateMessageAsync</c> / <c>StreamMessageAsync</c>.</summary>
public sealed class ClaudePsPeer : IMessagePeer
{
    private readonly ClaudeConnection _connection;

    /// <param name="handler">Null: the connection's own transport (what users get). Otherwise the
    /// given handler replaces the socket (the canned-reply mode).</param>
    public ClaudePsPeer(Uri baseUri, HttpMessageHandler? handler = null)
    {
        var options = new ClaudeConnectionOptions
        {
            Name = "bench",
            BaseUris = { baseUri },
            Credential = new ApiKeyCredential(Workload.ApiKey, "bench"),
            DefaultModel = Workload.Model,
            AnthropicVersion = Workload.AnthropicVersion,
        };
        // An empty environment: no proxy or key variables from the machine running the benchmark.
        _connection = ClaudeConnection.Create(options, new Hashtable(), handler);
    }

    public string Name => "ClaudePS";

    private static MessageRequest Request() => MessageRequest.ForPrompt(Workload.Prompt, Workload.Model, Workload.MaxTokens);

    public async Task<int> CreateAsync(CancellationToken cancellationToken)
    {
        var response = await _connection.Client.CreateMessageAsync(Request(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Text.Length;
    }

    public async Task<StreamSample> StreamAsync(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long first = 0;
        int deltas = 0;
        var response = await _connection.Client.StreamMessageAsync(Request(), _ =>
        {
            if (deltas++ == 0) first = Stopwatch.GetTimestamp() - start;
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new StreamSample(first, Stopwatch.GetTimestamp() - start, deltas, response.Text.Length);
    }

    public async Task<string> ReplyTextAsync(bool stream, CancellationToken cancellationToken)
    {
        var response = stream
            ? await _connection.Client.StreamMessageAsync(Request(), null, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _connection.Client.CreateMessageAsync(Request(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Text;
    }

    public void Dispose() => _connection.Dispose();
}
