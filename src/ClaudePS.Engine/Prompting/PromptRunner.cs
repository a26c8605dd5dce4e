using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Prompting;

/// <summary>Runs one prompt: builds the request, sends or streams it, and returns the typed reply.</summary>
public sealed class PromptRunner
{
    private readonly ClaudeConnection _connection;

    public PromptRunner(ClaudeConnection connection) => _connection = connection;

    public MessageRequest BuildRequest(PromptOptions options, IClaudeOutputSink? progress = null)
    {
        var redactor = Redactor.For(options.Redaction);
        bool redactInput = options.RedactInput && redactor.IsActive;
        var request = MessageRequest.ForPrompt(redactInput ? redactor.Redact(options.Prompt).Text : options.Prompt,
            options.Model ?? _connection.Options.DefaultModel, options.MaxTokens);
        request.System = redactInput && options.System is not null ? redactor.Redact(options.System).Text : options.System;
        request.Temperature = options.Temperature;
        request.StopSequences.AddRange(options.StopSequences);
        foreach (var beta in options.Betas) request.Betas.AddRange(beta.Split(','));
        PromptFeatures.Apply(request, options, progress);
        return request;
    }

    public async Task<ClaudeResponse> RunAsync(PromptOptions options, IClaudeOutputSink sink, CancellationToken cancellationToken)
    {
        MessageRequest request;
        try { request = BuildRequest(options, sink); }
        catch (ClaudeException ex) { throw new ClaudeException(ex.Error.WithTarget(options.Input ?? options.Prompt), ex.InnerException); }
        var call = new CallOptions { Tags = options.Tags, Log = sink, KeepRawJson = options.Raw };
        var redactor = Redactor.For(options.Redaction);
        // Live text goes through the stream-safe redactor: the host never shows a secret, and what it
        // shows equals the redacted final Text.
        var live = options.Stream && redactor.IsActive ? redactor.CreateStream() : null;
        Action<string> onText = live is null ? sink.WriteHostText : delta =>
        {
            string ready = live.Write(delta);
            if (ready.Length > 0) sink.WriteHostText(ready);
        };
        ClaudeResponse response;
        var paused = new List<ClaudeContentBlock>();
        try
        {
            response = await SendAsync().ConfigureAwait(false);
            // pause_turn: the API stopped a long server-tool turn; sending the paused content back as the
            // assistant turn lets it continue (as the docs describe). Bounded, so a loop cannot run away.
            for (int turn = 1; response.StopReason == "pause_turn" && turn <= MaxPauseContinuations; turn++)
            {
                sink.WriteVerbose($"The API paused a long turn (pause_turn); sending it back to continue ({turn} of at most {MaxPauseContinuations}).");
                paused.AddRange(response.Content);
                request.Messages.Add(new ClaudeMessage { Role = "assistant", Content = response.Content.Select(b => b.Clone()).ToList() });
                response = await SendAsync().ConfigureAwait(false);
            }
        }
        catch (ClaudeException ex)
        {
            if (live is not null) { string rest = live.Complete(); if (rest.Length > 0) sink.WriteHostText(rest); }
            var error = ex.Error.WithTarget(options.Input ?? options.Prompt);
            if (redactor.IsActive && error.PartialText is { Length: > 0 } partial)
                error = error.WithPartial(redactor.Redact(partial).Text, error.PartialUsage);
            throw new ClaudeException(error, ex.InnerException);
        }
        if (live is not null) { string rest = live.Complete(); if (rest.Length > 0) sink.WriteHostText(rest); }
        if (options.Stream) sink.WriteHostText("\n");
        if (response.StopReason == "refusal")
            sink.WriteWarning("Claude declined to answer this prompt (stop_reason refusal). " +
                (options.Conversation is null ? "Rephrase the prompt and send it again." : "The turn was not added to the conversation, so it can go on with a rephrased prompt."));
        // Text, thinking, tool input, content blocks (what the conversation keeps) and -Raw JSON alike.
        response = ResponseRedaction.Apply(redactor, response);
        response.Input = options.Input;
        sink.WriteVerbose(PromptFeatures.Summary(response));
        response = PromptFeatures.Complete(options, request, response, paused);
        return response;

        Task<ClaudeResponse> SendAsync() => options.Stream
            ? _connection.Client.StreamMessageAsync(request, onText, call, cancellationToken)
            : _connection.Client.CreateMessageAsync(request, call, cancellationToken);
    }

    /// <summary>How many times a paused turn (stop_reason pause_turn) is sent back before the reply is returned as it is.</summary>
    public const int MaxPauseContinuations = 5;
}
