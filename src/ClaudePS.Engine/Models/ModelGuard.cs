using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.CompilerServices;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Models;

/// <summary>
/// Checks a request against the API version and the target model's capabilities before anything is sent, so a
/// parameter the API would reject fails once, here, with an error naming the parameter and the model (a batch
/// of 10,000 rows then gets one error, not 10,000 HTTP 400s). Models the module does not know pass unchecked:
/// the API decides. Deprecated and retired models get one warning per connection.
/// </summary>
public static class ModelGuard
{
    public const string ErrorId = "ClaudePS.UnsupportedParameter";

    /// <summary>Throws <see cref="ClaudeException"/> (<see cref="ErrorId"/>) when the request would be rejected.</summary>
    public static void Check(ClaudeConnection connection, MessageRequest request, IClaudeOutputSink? log = null)
    {
        // Vertex AI takes the API version in the body (vertex-2023-10-16): the 2023-06-01 rules apply there.
        string version = connection.Options.Dialect is VertexDialect ? ApiVersion.Legacy : connection.Options.AnthropicVersion;
        var model = ModelCatalog.Describe(connection, request.Model);
        Check(request, version, model, KnownModels.Find(request.Model)?.Sampling);
        if (log is null || model is null) return;
        var warned = Warned.GetValue(connection, _ => new());
        if (model.Lifecycle is "deprecated" or "retired" && warned.TryAdd(model.Id, true))
            log.WriteWarning(LifecycleWarning(model));
        // Where both forms work (Claude 4.6), budget thinking is deprecated: adaptive is the form to move to.
        if (request.ThinkingBudgetTokens is not null && model.Capabilities?.ThinkingTypes.Contains("adaptive") == true && warned.TryAdd("budget:" + model.Id, true))
            log.WriteWarning($"-ThinkingBudget (thinking.budget_tokens) is deprecated on {model.Id}; use -AdaptiveThinking, with -Effort to set how hard it thinks.");
    }

    private static readonly ConditionalWeakTable<ClaudeConnection, ConcurrentDictionary<string, bool>> Warned = new();

    internal static string LifecycleWarning(ClaudeModelInfo model)
    {
        string when = model.RetiresAt is { } r ? r.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "a date not yet set";
        return model.Lifecycle == "retired"
            ? $"The model {model.Id} is retired: requests to it fail. Use {KnownModels.DefaultModel} or another active model (Get-ClaudeModel lists them)."
            : model.RetiresAt is { } due && due <= DateTimeOffset.UtcNow
                ? $"The model {model.Id} is deprecated and its retirement ({when}) is overdue: requests may start failing at any time. Move to {KnownModels.DefaultModel} or another active model."
                : $"The model {model.Id} is deprecated and retires on {when}. Move to {KnownModels.DefaultModel} or another active model before then.";
    }

    /// <summary>The rules, given the version, what the models API says of the model (null: unknown) and its sampling rule.</summary>
    public static void Check(MessageRequest request, string apiVersion, ClaudeModelInfo? model, SamplingRule? sampling)
    {
        string id = model?.Id ?? request.Model ?? "";
        string? sent = request.Temperature is not null ? "temperature" : request.TopP is not null ? "top_p" : request.TopK is not null ? "top_k" : null;
        if (sent is not null)
        {
            if (ApiVersion.RemovesSampling(apiVersion))
                throw Unsupported(sent, id, $"API version {apiVersion} removed temperature, top_p and top_k (any value is rejected). Leave out -Temperature, or pin the old version with Connect-Claude -AnthropicVersion {ApiVersion.Legacy}.");
            if (sampling == SamplingRule.None)
                throw Unsupported(sent, id, $"{id} does not take temperature, top_p or top_k. Leave out -Temperature; use -Effort to trade depth for speed.");
            if (sampling == SamplingRule.OneOf && request.Temperature is not null && request.TopP is not null)
                throw Unsupported("top_p", id, $"{id} takes temperature or top_p, not both.");
        }
        foreach (var m in request.Messages)
            foreach (var b in m.Content)
            {
                if (!ApiVersion.RemovesSampling(apiVersion)) break;
                if (m.Role == "assistant" && b.Type == "document")
                    throw Unsupported("messages", id, $"API version {apiVersion} rejects a document block in an assistant turn. Put the document in a user turn.");
                if (m.Role == "user" && b.Type == "text" && b.HasCitations)
                    throw Unsupported("messages", id, $"API version {apiVersion} rejects citations on text in a user turn. Send the text without its citations.");
            }

        var caps = model?.Capabilities;
        if (caps is null) return;
        bool thinking = request.ThinkingBudgetTokens is not null || request.AdaptiveThinking;
        if (request.ThinkingBudgetTokens is not null && !caps.ThinkingTypes.Contains("enabled"))
            throw Unsupported("thinking.budget_tokens", id, caps.ThinkingTypes.Contains("adaptive")
                ? $"{id} takes only adaptive thinking. Use -AdaptiveThinking (with -Effort to set how hard it thinks) instead of -ThinkingBudget."
                : $"{id} does not take extended thinking. Leave out -ThinkingBudget.");
        if (request.AdaptiveThinking && request.ThinkingBudgetTokens is null && !caps.ThinkingTypes.Contains("adaptive"))
            throw Unsupported("thinking.type", id, caps.ThinkingTypes.Contains("enabled")
                ? $"{id} does not take adaptive thinking. Use -ThinkingBudget (1024 or more) instead of -AdaptiveThinking."
                : $"{id} does not take thinking. Leave out -AdaptiveThinking.");
        if (request.Effort is { } effort && !caps.EffortLevels.Contains(effort))
            throw Unsupported("output_config.effort", id, caps.EffortLevels.Count == 0
                ? $"{id} does not take an effort level. Leave out -Effort."
                : $"{id} takes -Effort {string.Join(", ", caps.EffortLevels)}; not '{effort}'.");
        if (thinking && request.ToolChoiceJson is { } choice && (choice.Contains("\"any\"") || choice.Contains("\"tool\"")))
            throw Unsupported("tool_choice", id, "Thinking cannot be combined with a tool_choice that forces a tool. Leave out the thinking parameters or let the model choose.");
        if (request.OutputSchemaJson is not null && !caps.StructuredOutputs)
            throw Unsupported("output_config.format", id, $"{id} does not take structured output. Leave out -JsonSchema / -OutputType, or pick a newer model.");
        if (model!.MaxTokens is { } max && request.MaxTokens > max)
            throw Unsupported("max_tokens", id, $"{id} takes -MaxTokens up to {max}; it was {request.MaxTokens}.");
    }

    private static readonly System.Collections.Generic.Dictionary<string, string> ParameterOf = new()
    {
        ["temperature"] = "-Temperature",
        ["top_p"] = "top_p",
        ["top_k"] = "top_k",
        ["thinking.budget_tokens"] = "-ThinkingBudget",
        ["thinking.type"] = "-AdaptiveThinking",
        ["output_config.effort"] = "-Effort",
        ["output_config.format"] = "-JsonSchema",
        ["max_tokens"] = "-MaxTokens",
        ["tool_choice"] = "tool_choice",
        ["messages"] = "messages",
    };

    private static ClaudeException Unsupported(string field, string model, string message) =>
        new(new ClaudeError(ErrorId, ClaudeErrorCategory.InvalidArgument,
            $"{(ParameterOf.TryGetValue(field, out var p) ? p : field)} ({field}) is not accepted for model {model}: {message}") { Target = model });
}
