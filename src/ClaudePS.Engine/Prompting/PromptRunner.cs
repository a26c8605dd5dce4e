using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Redaction;
using ClaudePS.Engine.Tools;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Prompting;

/// <summary>Runs one prompt: builds the request, sends or streams it, and returns the typed reply.</summary>
public sealed class PromptRunner
{
    private readonly ClaudeConnection _connection;

    public PromptRunner(ClaudeConnection connection) => _connection = connection;

    public MessageRequest BuildRequest(PromptOptions options, IClaudeOutputSink? progress = null) => Build(options, progress, out _);

    /// <param name="userTurn">This prompt's own user message (without history: after a tool loop that
    /// stopped at its limit the request sends it joined to the stored tool results).</param>
    private MessageRequest Build(PromptOptions options, IClaudeOutputSink? progress, out ClaudeMessage userTurn)
    {
        var redactor = Redactor.For(options.Redaction);
        bool redactInput = options.RedactInput && redactor.IsActive;
        var request = MessageRequest.ForPrompt(redactInput ? redactor.Redact(options.Prompt).Text : options.Prompt,
            _connection.ModelFor(options.Model, options.Conversation), options.MaxTokens);
        request.System = redactInput && options.System is not null ? redactor.Redact(options.System).Text : options.System;
        request.Temperature = options.Temperature;
        request.StopSequences.AddRange(options.StopSequences);
        userTurn = request.Messages[0];
        foreach (var beta in options.Betas) request.Betas.AddRange(beta.Split(','));
        PromptFeatures.Apply(request, options, progress);
        return request;
    }

    public async Task<ClaudeResponse> RunAsync(PromptOptions options, IClaudeOutputSink sink, CancellationToken cancellationToken)
    {
        MessageRequest request;
        ClaudeMessage userTurn;
        ToolSession? tools;
        try
        {
            request = Build(options, sink, out userTurn);
            tools = options.Tools is { Tools.Count: > 0 } loop ? new ToolSession(loop, options.Redaction) : null;
        }
        catch (ClaudeException ex) { throw new ClaudeException(ex.Error.WithTarget(options.Input ?? options.Prompt), ex.InnerException); }
        if (tools is not null)
        {
            request.ToolsJson.AddRange(tools.Definitions());
            request.ToolChoiceJson = "{\"type\":\"auto\"}";
        }
        var redactor = Redactor.For(options.Redaction);
        var paused = new List<ClaudeContentBlock>();
        var raw = await SendAsync(request, options, sink, redactor, paused, cancellationToken).ConfigureAwait(false);
        if (tools is null)
        {
            var response = Finish(raw, options, redactor, sink);
            return PromptFeatures.Complete(options, userTurn, Array.Empty<ClaudeMessage>(), response, replyInTurns: false, paused);
        }
        return await RunToolLoopAsync(request, userTurn, raw, paused, tools, options, sink, redactor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The tool loop: while the model stops for tool_use, run each call (through the host, on the pipeline
    /// thread) and send the results back; after <see cref="ToolSession.MaxToolTurns"/> rounds the next
    /// calls are not run and the loop ends with the status MaxToolTurnsReached. Each request is a call of
    /// its own (ledger, budget, retries); the response carries the usage and cost summed over all of them.
    /// </summary>
    /// <param name="paused">Filled by each request with the content of replies that paused (pause_turn) before its final one.</param>
    private async Task<ClaudeResponse> RunToolLoopAsync(MessageRequest request, ClaudeMessage userTurn, ClaudeResponse raw, List<ClaudeContentBlock> paused, ToolSession tools,
        PromptOptions options, IClaudeOutputSink sink, Redactor redactor, CancellationToken cancellationToken)
    {
        var calls = new List<ClaudeToolCall>();
        var kept = new List<ClaudeMessage>(); // the tool turns as the conversation keeps them (redacted)
        var usage = raw.Usage;
        decimal? cost = raw.CostUsd;
        int turn = 0, requests = 1;
        string status = "Completed";
        while (raw.StopReason == "tool_use" && raw.ToolUses.Count > 0)
        {
            turn++;
            var shown = ResponseRedaction.Apply(redactor, raw);
            sink.WriteVerbose(PromptFeatures.Summary(shown));
            kept.Add(Conversations.Reply(shown, paused));
            // The model gets its own turn back exactly as it came (tool ids, input, signed thinking).
            var sent = new ClaudeMessage { Role = "assistant" };
            sent.Content.AddRange(raw.Content);
            var results = new ClaudeMessage { Role = "user" };
            bool limit = turn > tools.MaxToolTurns;
            foreach (var use in raw.ToolUses)
            {
                var (call, block) = limit ? tools.NotRun(use, turn) : await tools.RunAsync(use, turn, cancellationToken).ConfigureAwait(false);
                calls.Add(call);
                results.Content.Add(block);
                string line = ToolSession.Describe(call);
                sink.WriteVerbose(line);
                if (options.Stream) sink.WriteHostText((turn == 1 && calls.Count == 1 ? "\n" : "") + line + "\n");
            }
            kept.Add(results);
            if (limit)
            {
                status = "MaxToolTurnsReached";
                sink.WriteWarning($"The tool loop stopped: the model asked for more tool calls after {tools.MaxToolTurns} tool turn(s) (-MaxToolTurns). Those calls were not run; .ToolCalls lists them as NotRun.");
                break;
            }
            request.Messages.Add(sent);
            request.Messages.Add(results);
            raw = await SendAsync(request, options, sink, redactor, paused, cancellationToken).ConfigureAwait(false);
            requests++;
            usage = usage.Add(raw.Usage);
            cost = SumCost(cost, raw.CostUsd);
        }
        var response = Finish(raw, options, redactor, sink).WithToolLoop(calls, requests, status, usage, cost);
        return PromptFeatures.Complete(options, userTurn, kept, response, replyInTurns: status != "Completed", paused);
    }

    /// <summary>The reply as the user sees it: redacted, tied to its input, summarised in verbose.</summary>
    private static ClaudeResponse Finish(ClaudeResponse raw, PromptOptions options, Redactor redactor, IClaudeOutputSink sink)
    {
        // Text, thinking, tool input, content blocks (what the conversation keeps) and -Raw JSON alike.
        if (raw.StopReason == "refusal")
            sink.WriteWarning("Claude declined to answer this prompt (stop_reason refusal). " +
                (options.Conversation is null ? "Rephrase the prompt and send it again." : "The turn was not added to the conversation, so it can go on with a rephrased prompt."));
        var response = ResponseRedaction.Apply(redactor, raw);
        response.Input = options.Input;
        sink.WriteVerbose(PromptFeatures.Summary(response));
        return response;
    }

    /// <summary>Sends one request (streamed or not) and returns the reply unredacted; live text is redacted as it streams.</summary>
    /// <param name="paused">Receives the content of replies that stopped with pause_turn before the one returned.</param>
    private async Task<ClaudeResponse> SendAsync(MessageRequest request, PromptOptions options, IClaudeOutputSink sink, Redactor redactor,
        List<ClaudeContentBlock> paused, CancellationToken cancellationToken)
    {
        var call = new CallOptions { Tags = options.Tags, Log = sink, KeepRawJson = options.Raw };
        // Live text goes through the stream-safe redactor: the host never shows a secret, and what it
        // shows equals the redacted final Text.
        var live = options.Stream && redactor.IsActive ? redactor.CreateStream() : null;
        Action<string> onText = live is null ? sink.WriteHostText : delta =>
        {
            string ready = live.Write(delta);
            if (ready.Length > 0) sink.WriteHostText(ready);
        };
        ClaudeResponse response;
        paused.Clear();
        try
        {
            response = await SendAsync().ConfigureAwait(false);
            // pause_turn: the API stopped a long server-tool turn; sending the paused content back as the
            // assistant turn lets it continue (as the docs describe). Bounded, so a loop cannot run away.
            // The API gets the paused content back as it came; the conversation keeps it redacted, like the
            // rest of the reply. The reply returned carries the usage and cost of every request.
            var usage = response.Usage;
            decimal? cost = response.CostUsd;
            int pauses = 0;
            while (response.StopReason == "pause_turn" && pauses < MaxPauseContinuations)
            {
                int turn = ++pauses;
                sink.WriteVerbose($"The API paused a long turn (pause_turn); sending it back to continue ({turn} of at most {MaxPauseContinuations}).");
                paused.AddRange(ResponseRedaction.Apply(redactor, response).Content);
                request.Messages.Add(new ClaudeMessage { Role = "assistant", Content = response.Content.Select(b => b.Clone()).ToList() });
                response = await SendAsync().ConfigureAwait(false);
                usage = usage.Add(response.Usage);
                cost = SumCost(cost, response.CostUsd);
            }
            if (pauses > 0) response = response.WithTotals(usage, cost);
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
        return response;

        Task<ClaudeResponse> SendAsync() => options.Stream
            ? _connection.Client.StreamMessageAsync(request, onText, call, cancellationToken)
            : _connection.Client.CreateMessageAsync(request, call, cancellationToken);
    }

    /// <summary>Costs of several requests added up; an unknown price is never guessed as zero.</summary>
    private static decimal? SumCost(decimal? total, decimal? more) => total is { } t && more is { } m ? t + m : null;

    /// <summary>How many times a paused turn (stop_reason pause_turn) is sent back before the reply is returned as it is.</summary>
    public const int MaxPauseContinuations = 5;
}
