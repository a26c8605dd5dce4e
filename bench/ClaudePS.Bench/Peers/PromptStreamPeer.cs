using System.Collections;
using System.Diagnostics;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;

namespace ClaudePS.Bench.Peers;

/// <summary>
/// Invoke-ClaudePrompt -Stream as the engine runs it (<see cref="PromptRunner"/>), with a redaction
/// profile: None, or Standard (the default) where every delta goes through the stream-safe redactor
/// and the final text is redacted once more. Compare the two to get the cost of redaction.
/// </summary>
public sealed class PromptStreamPeer : IDisposable
{
    private readonly ClaudeConnection _connection;
    private readonly PromptRunner _runner;
    private readonly RedactionOptions _redaction;

    public PromptStreamPeer(Uri baseUri, RedactionOptions redaction, HttpMessageHandler? handler = null)
    {
        _connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            Name = "bench-prompt",
            BaseUris = { baseUri },
            Credential = new ApiKeyCredential(Workload.ApiKey, "bench"),
            DefaultModel = Workload.Model,
            AnthropicVersion = Workload.AnthropicVersion,
        }, new Hashtable(), handler);
        _runner = new PromptRunner(_connection);
        _redaction = redaction;
    }

    public string Name => $"ClaudePS prompt, redaction {_redaction.Profile}";

    /// <summary>TextDeltas here counts host writes (the redactor may hold a fragment back and join it
    /// to the next write), so it is not compared with the other peers' delta counts.</summary>
    public async Task<StreamSample> StreamAsync(CancellationToken cancellationToken)
    {
        var sink = new TimingSink();
        var options = new PromptOptions { Prompt = Workload.Prompt, Model = Workload.Model, MaxTokens = Workload.MaxTokens, Stream = true, Redaction = _redaction };
        var response = await _runner.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        return new StreamSample(sink.FirstTextTicks, Stopwatch.GetTimestamp() - sink.Start, sink.Writes, response.Text.Length);
    }

    private sealed class TimingSink : IClaudeOutputSink
    {
        public long Start { get; } = Stopwatch.GetTimestamp();
        public long FirstTextTicks { get; private set; }
        public int Writes { get; private set; }

        public void WriteHostText(string text)
        {
            if (Writes++ == 0) FirstTextTicks = Stopwatch.GetTimestamp() - Start;
        }

        public void WriteObject(object item) { }
        public void WriteError(ClaudeError error) { }
        public void WriteWarning(string text) { }
        public void WriteVerbose(string text) { }
        public void WriteDebug(string text) { }
        public void WriteProgress(ProgressInfo progress) { }
    }

    public void Dispose() => _connection.Dispose();
}
