using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClaudePS.Emulator;

/// <summary>How to simulate one request outside HTTP (batch processing, tests).</summary>
public sealed record SimulationSettings
{
    /// <summary>Whose prompt cache to use (an apikey_… id, as accounting records it).</summary>
    public string ApiKeyId { get; init; } = "apikey_simulator";
    /// <summary>usage.service_tier of the reply: standard, priority or batch.</summary>
    public string ServiceTier { get; init; } = "standard";
    /// <summary>Read and write the prompt cache (false: every breakpoint counts as plain input).</summary>
    public bool UseCache { get; init; } = true;
    /// <summary>Fixed reply length in tokens; null uses the options' ReplyTokens, then the derived length.</summary>
    public int? ReplyTokens { get; init; }
    /// <summary>The anthropic-version whose rules apply; null for the newest.</summary>
    public string? ApiVersion { get; init; }
}

/// <summary>The outcome of simulating one Messages request body: a message or an API error.</summary>
public sealed class SimulatedReply
{
    internal SimulatedReply(JsonObject message, EmulatorUsage usage, string model, string stopReason)
    {
        Message = message;
        Usage = usage;
        Model = model;
        StopReason = stopReason;
        StatusCode = 200;
    }

    internal SimulatedReply(EmulatorApiException error)
    {
        StatusCode = error.Status;
        ErrorType = error.ErrorType;
        ErrorMessage = error.Message;
        Error = new JsonObject { ["type"] = error.ErrorType, ["message"] = error.Message };
    }

    public bool Succeeded => Message != null;
    /// <summary>200, or the status the HTTP endpoint would have answered with.</summary>
    public int StatusCode { get; }
    /// <summary>The complete message object, exactly as POST /v1/messages returns it (treat as read-only).</summary>
    public JsonObject? Message { get; }
    public EmulatorUsage? Usage { get; }
    public string? Model { get; }
    public string? StopReason { get; }
    public string? ErrorType { get; }
    public string? ErrorMessage { get; }
    /// <summary>The inner error object {type, message} (a batch's errored result wraps it).</summary>
    public JsonObject? Error { get; }
}

internal abstract record PlannedBlock;
internal sealed record PlannedThinking(string Thinking, string Signature) : PlannedBlock;
internal sealed record PlannedRedactedThinking(string Data) : PlannedBlock;
internal sealed record PlannedText(string Text, JsonObject? Citation = null) : PlannedBlock;
/// <summary>A server tool call (web search), and its result; the text after it cites the result.</summary>
internal sealed record PlannedServerToolUse(string Id, string Name, string InputJson) : PlannedBlock;
internal sealed record PlannedWebSearchResult(string ToolUseId, JsonArray Results) : PlannedBlock;
internal sealed record PlannedToolUse(string Id, string Name, string InputJson) : PlannedBlock;

/// <summary>The reply content decided before any cache or rate-limit effect (pure in the request).</summary>
internal sealed record ReplyPlan(IReadOnlyList<PlannedBlock> Blocks, string StopReason, string? StopSequence, int OutputTokens);

/// <summary>
/// Turns a Messages request into its deterministic reply and usage. The HTTP endpoint and batch
/// processing both go through here, so a batch result equals what the endpoint would have returned.
/// </summary>
public sealed class MessageSimulator
{
    private readonly EmulatorState _state;

    internal MessageSimulator(EmulatorState state) => _state = state;

    /// <summary>Simulates one request body (JSON text); validation failures come back as an error reply.</summary>
    public SimulatedReply Simulate(string requestJson, SimulationSettings? settings = null)
    {
        try
        {
            using var document = JsonDocument.Parse(requestJson);
            return Simulate(document.RootElement, settings);
        }
        catch (JsonException ex)
        {
            return new SimulatedReply(new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"Request body is not valid JSON: {ex.Message}"));
        }
    }

    /// <summary>Simulates one request body; validation failures come back as an error reply.</summary>
    public SimulatedReply Simulate(JsonElement request, SimulationSettings? settings = null)
    {
        settings ??= new SimulationSettings();
        try
        {
            if (request.ValueKind != JsonValueKind.Object)
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, "Request body must be a JSON object.");
            var spec = MessageRequestParser.Parse(request, countTokensOnly: false, settings.ApiVersion);
            var plan = Plan(spec, settings.ReplyTokens);
            var cache = settings.UseCache ? EvaluateCache(spec, settings.ApiKeyId, commit: true) : new CacheOutcome(0, 0, 0, spec.InputTokens);
            return Complete(spec, plan, cache, settings.ServiceTier);
        }
        catch (EmulatorApiException ex)
        {
            return new SimulatedReply(ex);
        }
    }

    /// <summary>The input tokens count_tokens reports for a request body (throws <see cref="EmulatorApiException"/> if invalid).</summary>
    public int CountTokens(JsonElement request) => MessageRequestParser.Parse(request, countTokensOnly: true).InputTokens;

    internal CacheOutcome EvaluateCache(MessageRequestSpec spec, string apiKeyId, bool commit) =>
        _state.Cache.Evaluate(apiKeyId, spec.Model, spec.Segments, commit);

    internal ReplyPlan Plan(MessageRequestSpec spec, int? replyTokens)
    {
        var plan = PlanCore(spec, replyTokens);
        return spec.WebSearch && spec.ForcedTool is null ? WithWebSearch(spec, plan) : plan;
    }

    /// <summary>With the web search server tool in the request, the reply searches first (server_tool_use, then
    /// web_search_tool_result) and its text cites the first result, as the API's replies do.</summary>
    private static ReplyPlan WithWebSearch(MessageRequestSpec spec, ReplyPlan plan)
    {
        var words = ReplyComposer.ContentWords(spec.LastUserText);
        string query = words.Count == 0 ? "news" : string.Join(" ", words.Take(4));
        string id = "srvtoolu_" + ReplyComposer.Signature(query)[..16].Replace('+', 'a').Replace('/', 'b');
        string input = new JsonObject { ["query"] = query }.ToJsonString(WireJson.Options);
        string url = "https://example.org/search/" + Uri.EscapeDataString(query.Replace(' ', '-'));
        var results = new JsonArray(new JsonObject
        {
            ["type"] = "web_search_result", ["title"] = "About " + query, ["url"] = url,
            ["encrypted_content"] = ReplyComposer.RedactedData("page about " + query), ["page_age"] = "December 1, 2026",
        });
        var blocks = plan.Blocks.ToList();
        int at = blocks.FindIndex(b => b is PlannedText or PlannedToolUse);
        if (at < 0) at = blocks.Count;
        blocks.Insert(at, new PlannedServerToolUse(id, "web_search", input));
        blocks.Insert(at + 1, new PlannedWebSearchResult(id, results));
        int text = blocks.FindIndex(b => b is PlannedText);
        if (text >= 0 && blocks[text] is PlannedText t)
            blocks[text] = t with
            {
                Citation = new JsonObject
                {
                    ["type"] = "web_search_result_location", ["url"] = url, ["title"] = "About " + query,
                    ["cited_text"] = t.Text.Length > 40 ? t.Text[..40] : t.Text, ["encrypted_index"] = ReplyComposer.RedactedData(url),
                },
            };
        return plan with { Blocks = blocks, OutputTokens = plan.OutputTokens + TokenCounter.Count(input) };
    }

    private ReplyPlan PlanCore(MessageRequestSpec spec, int? replyTokens)
    {
        var words = ReplyComposer.ContentWords(spec.LastUserText);
        int seed = ReplyComposer.Seed(spec.Model, spec.Segments);
        int budget = spec.MaxTokens;
        int output = 0;
        var blocks = new List<PlannedBlock>();

        if (spec.Thinking != ThinkingMode.None)
        {
            string thinking = ReplyComposer.Thinking(words, seed, Math.Min(spec.ThinkingBudget, budget));
            int tokens = TokenCounter.Count(thinking);
            // The API's documented test trigger: this string in the prompt makes the thinking come back encrypted.
            blocks.Add(spec.LastUserText.Contains(ReplyComposer.RedactedThinkingTrigger, StringComparison.Ordinal)
                ? new PlannedRedactedThinking(ReplyComposer.RedactedData(thinking))
                : new PlannedThinking(thinking, ReplyComposer.Signature(thinking)));
            output += tokens;
            budget -= tokens;
            if (budget <= 0) return new ReplyPlan(blocks, "max_tokens", null, output);
        }

        if (spec.ForcedTool is { } tool)
        {
            var input = tool.InputSchema is { } schema ? SchemaFaker.Generate(schema, words) : new JsonObject();
            string inputJson = (input ?? new JsonObject()).ToJsonString(WireJson.Options);
            int tokens = TokenCounter.Count(tool.Name) + TokenCounter.Count(inputJson);
            if (tokens > budget) return new ReplyPlan(blocks, "max_tokens", null, output + budget);
            blocks.Add(new PlannedToolUse(RequestIds.New("toolu_"), tool.Name, inputJson));
            return new ReplyPlan(blocks, "tool_use", null, output + tokens);
        }

        var toolCalls = ToolPlanner.Choose(spec, words);
        if (toolCalls.Count > 0)
        {
            // A short lead-in, then one tool_use per call, as the models do.
            string lead = "I'll check that with " + string.Join(" and ", toolCalls.Select(c => c.Name)) + ".";
            int tokens = TokenCounter.Count(lead) + toolCalls.Sum(c => TokenCounter.Count(c.Name) + TokenCounter.Count(c.InputJson));
            if (tokens > budget) return new ReplyPlan(blocks, "max_tokens", null, output + budget);
            blocks.Add(new PlannedText(lead));
            foreach (var (name, inputJson) in toolCalls) blocks.Add(new PlannedToolUse(RequestIds.New("toolu_"), name, inputJson));
            return new ReplyPlan(blocks, "tool_use", null, output + tokens);
        }

        string text = spec.OutputSchema is { } outputSchema
            ? (SchemaFaker.Generate(outputSchema, words)?.ToJsonString(WireJson.Options) ?? "null")
            : spec.ToolResults.Count > 0 && spec.LastUserPrompt.Trim().Length == 0
                ? ToolPlanner.Answer(spec.ToolResults)
                : ReplyComposer.Text(words, seed, replyTokens ?? _state.Options.ReplyTokens ??
                    (spec.Effort is null ? null : ReplyComposer.ForEffort(ReplyComposer.DefaultTokens(seed), spec.Effort)));

        // The earliest stop sequence ends the reply, unless max_tokens ends it first.
        int stopAt = -1;
        string? stop = null;
        foreach (var candidate in spec.StopSequences)
        {
            int at = text.IndexOf(candidate, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
                stop = candidate;
            }
        }
        if (stop != null)
        {
            string before = text[..stopAt];
            int tokens = TokenCounter.Count(before) + TokenCounter.Count(stop);
            if (tokens <= budget)
            {
                if (before.Length > 0) blocks.Add(new PlannedText(before));
                return new ReplyPlan(blocks, "stop_sequence", stop, output + tokens);
            }
        }
        int textTokens = TokenCounter.Count(text);
        if (textTokens > budget)
        {
            blocks.Add(new PlannedText(TokenCounter.Truncate(text, budget)));
            return new ReplyPlan(blocks, "max_tokens", null, output + budget);
        }
        blocks.Add(new PlannedText(text));
        return new ReplyPlan(blocks, "end_turn", null, output + textTokens);
    }

    internal static EmulatorUsage UsageOf(ReplyPlan plan, CacheOutcome cache, string serviceTier) => new()
    {
        InputTokens = cache.UncachedTokens,
        OutputTokens = plan.OutputTokens,
        CacheCreationInputTokens = cache.CreationTokens,
        CacheReadInputTokens = cache.ReadTokens,
        CacheCreation5mInputTokens = cache.Creation5mTokens,
        CacheCreation1hInputTokens = cache.Creation1hTokens,
        ServiceTier = serviceTier,
    };

    internal static SimulatedReply Complete(MessageRequestSpec spec, ReplyPlan plan, CacheOutcome cache, string serviceTier)
    {
        var usage = UsageOf(plan, cache, serviceTier);
        var message = WireJson.Message(RequestIds.New("msg_"), spec.Model, plan.Blocks.Select(WireJson.Block), plan.StopReason, plan.StopSequence, WireJson.Usage(usage));
        return new SimulatedReply(message, usage, spec.Model, plan.StopReason);
    }
}
