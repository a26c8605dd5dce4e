using System;
using System.Collections.Generic;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Prompting;

/// <summary>
/// The optional prompt features on top of a plain one-turn request: conversation history, attachments,
/// thinking, structured output and cache breakpoints (<see cref="Apply"/>), and after the reply the
/// parsed structured result and the conversation update (<see cref="Complete"/>).
/// </summary>
public static class PromptFeatures
{
    /// <summary>Adds the options' features to <paramref name="request"/>, which holds the one user turn.</summary>
    public static void Apply(MessageRequest request, PromptOptions options, IClaudeOutputSink? progress = null)
    {
        var turn = request.Messages[request.Messages.Count - 1];
        if (options.Attachments.Count > 0)
        {
            // Attachments before the question: the documented layout, and what lets a cache breakpoint cover them.
            var blocks = Attachments.Load(options.Attachments, progress);
            turn.Content.InsertRange(0, blocks);
            if (string.IsNullOrWhiteSpace(options.Prompt)) turn.Content.RemoveAll(b => b.Type == "text" && string.IsNullOrWhiteSpace(b.Text));
        }
        if (options.Conversation is { } conversation)
        {
            request.System ??= conversation.System;
            var history = Conversations.History(conversation);
            // A conversation whose tool loop stopped at its limit ends with the tool results (a user
            // message): the new prompt joins that message, after the results, as the API wants.
            if (history.Count > 0 && history[history.Count - 1].Role == "user")
            {
                history[history.Count - 1].Content.AddRange(turn.Content);
                request.Messages.Clear();
            }
            if (options.Tools is not { Tools.Count: > 0 }) Conversations.FlattenToolBlocks(history);
            request.Messages.InsertRange(0, history);
        }
        if (options.ThinkingBudget is not null && options.AdaptiveThinking)
            throw MessageRequest.Invalid("thinking", "-ThinkingBudget and -AdaptiveThinking both turn thinking on; give only one.");
        request.ThinkingBudgetTokens = options.ThinkingBudget;
        request.AdaptiveThinking = options.AdaptiveThinking;
        request.Effort = options.Effort ?? options.Conversation?.Effort;
        request.OutputSchemaJson = StructuredOutput.SchemaFor(options);
        PromptCaching.Apply(request, options, inConversation: options.Conversation is not null);
        Attachments.CheckRequestSize(request);
    }

    /// <summary>The one verbose line per call that runbook logs keep: model, tokens, cache, stop reason, time, request id.</summary>
    public static string Summary(ClaudeResponse r)
    {
        var u = r.Usage;
        string cache = u.CacheWriteTokens + u.CacheReadTokens > 0 ? $", cache write {u.CacheWriteTokens} / read {u.CacheReadTokens}" : "";
        string cost = r.CostUsd is { } c ? ", $" + c.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture) : "";
        return $"{r.Model}: {u.InputTokens} in, {u.OutputTokens} out{cache}{cost}, stop {r.StopReason ?? "none"}, " +
               $"{r.Duration.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s, request {r.RequestId ?? "?"}";
    }

    /// <summary>After a successful reply: records the turn in the conversation, then parses structured
    /// output into <see cref="ClaudeResponse.Data"/>. A reply that does not parse throws
    /// ClaudePS.InvalidStructuredOutput (the turn is still recorded: it happened and was billed).</summary>
    /// <param name="toolTurns">The tool loop's assistant and tool_result messages after <paramref name="userTurn"/>.</param>
    /// <param name="replyInTurns">The reply is already the last of <paramref name="toolTurns"/> (a loop stopped at its limit).</param>
    /// <param name="paused">Content of earlier replies of this turn that stopped with pause_turn (kept in the history).</param>
    public static ClaudeResponse Complete(PromptOptions options, ClaudeMessage userTurn, IReadOnlyList<ClaudeMessage> toolTurns, ClaudeResponse response,
        bool replyInTurns, IReadOnlyList<ClaudeContentBlock>? paused = null)
    {
        // A refused turn stays out of the conversation (the docs: drop it and go on), so the next prompt is not refused for it.
        if (options.Conversation is { } conversation && response.StopReason != "refusal")
            Conversations.Append(conversation, userTurn, toolTurns, response, replyInTurns, paused);
        try
        {
            if (options.OutputType is { } type) response.Data = StructuredOutput.Parse(response, type);
            else if (options.JsonSchema is not null) response.Data = StructuredOutput.ParseTree(response);
        }
        catch (ClaudeException ex)
        {
            throw new ClaudeException(ex.Error.WithTarget(options.Input ?? options.Prompt), ex.InnerException);
        }
        return response;
    }
}
