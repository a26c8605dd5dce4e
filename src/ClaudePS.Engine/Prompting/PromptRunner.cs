using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Prompting;

/// <summary>Runs one prompt: builds the request, sends or streams it, and returns the typed reply.</summary>
public sealed class PromptRunner
{
    private readonly ClaudeConnection _connection;

    public PromptRunner(ClaudeConnection connection) => _connection = connection;

    public MessageRequest BuildRequest(PromptOptions options, IClaudeOutputSink? progress = null)
    {
        var request = MessageRequest.ForPrompt(options.Prompt, options.Model ?? _connection.Options.DefaultModel, options.MaxTokens);
        request.System = options.System;
        request.Temperature = options.Temperature;
        request.StopSequences.AddRange(options.StopSequences);
        PromptFeatures.Apply(request, options, progress);
        return request;
    }

    public async Task<ClaudeResponse> RunAsync(PromptOptions options, IClaudeOutputSink sink, CancellationToken cancellationToken)
    {
        MessageRequest request;
        try { request = BuildRequest(options, sink); }
        catch (ClaudeException ex) { throw new ClaudeException(ex.Error.WithTarget(options.Input ?? options.Prompt), ex.InnerException); }
        var call = new CallOptions { Tags = options.Tags, Log = sink, KeepRawJson = options.Raw };
        ClaudeResponse response;
        try
        {
            response = options.Stream
                ? await _connection.Client.StreamMessageAsync(request, sink.WriteHostText, call, cancellationToken).ConfigureAwait(false)
                : await _connection.Client.CreateMessageAsync(request, call, cancellationToken).ConfigureAwait(false);
        }
        catch (ClaudeException ex)
        {
            throw new ClaudeException(ex.Error.WithTarget(options.Input ?? options.Prompt), ex.InnerException);
        }
        if (options.Stream) sink.WriteHostText("\n");
        response.Input = options.Input;
        sink.WriteVerbose(PromptFeatures.Summary(response));
        response = PromptFeatures.Complete(options, request, response);
        return response;
    }
}
