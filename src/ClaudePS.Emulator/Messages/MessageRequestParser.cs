using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Emulator;

internal enum ThinkingMode { None, Enabled, Adaptive }

/// <summary>One stretch of the prompt in cache order (tools, system, messages), with its tokens and
/// the cache breakpoint (TTL) it carries, if any.</summary>
internal sealed record PromptSegment(string Key, int Tokens, string? BreakpointTtl);

internal sealed record ToolSpec(string Name, JsonElement? InputSchema, string? ServerType = null);

/// <summary>A tool_result of the last user message, with the name of the tool_use it answers.</summary>
internal sealed record ToolResultSpec(string ToolName, string Text, bool IsError);

/// <summary>A validated Messages (or count_tokens) request, reduced to what the simulation needs.</summary>
internal sealed class MessageRequestSpec
{
    public required string Model { get; init; }
    public required int MaxTokens { get; init; }
    public bool Stream { get; init; }
    public IReadOnlyList<string> StopSequences { get; init; } = Array.Empty<string>();
    public ThinkingMode Thinking { get; init; }
    public int ThinkingBudget { get; init; }
    /// <summary>output_config.effort, or null for the model's default.</summary>
    public string? Effort { get; init; }
    public JsonElement? OutputSchema { get; init; }
    public IReadOnlyList<ToolSpec> Tools { get; init; } = Array.Empty<ToolSpec>();
    /// <summary>The request offers the web search server tool (tools[].type web_search_...).</summary>
    public bool WebSearch => Tools.Any(t => t.ServerType?.StartsWith("web_search", StringComparison.Ordinal) == true);
    /// <summary>The tool the model must call (tool_choice tool / any), or null.</summary>
    public ToolSpec? ForcedTool { get; init; }
    /// <summary>tool_choice none: tools are described but never called.</summary>
    public bool ToolChoiceNone { get; init; }
    public required IReadOnlyList<PromptSegment> Segments { get; init; }
    /// <summary>The last user message's text, tool_result content included (seeds the reply).</summary>
    public required string LastUserText { get; init; }
    /// <summary>Only the text blocks the user wrote in the last user message (what a tool decision reads).</summary>
    public string LastUserPrompt { get; init; } = "";
    /// <summary>The tool_result blocks of the last user message.</summary>
    public IReadOnlyList<ToolResultSpec> ToolResults { get; init; } = Array.Empty<ToolResultSpec>();
    public int InputTokens => Segments.Sum(s => s.Tokens);
}

/// <summary>
/// Validates a request body the way the real API does (status, error type, a message naming the
/// field) and linearises the prompt into token-counted segments for counting and caching.
/// </summary>
internal static class MessageRequestParser
{
    private const int BaseOverheadTokens = 5;
    private const int MessageOverheadTokens = 3;
    private const int MaxBreakpoints = 4;
    // The tool-use system prompt the API adds when tools are present (Claude 4 family figures).
    internal const int ToolSystemTokensAuto = 346;
    internal const int ToolSystemTokensForced = 313;

    /// <summary>Parses and validates a body sent with <paramref name="apiVersion"/> (the anthropic-version header; null for the newest).</summary>
    public static MessageRequestSpec Parse(JsonElement root, bool countTokensOnly, string? apiVersion = null)
    {
        var known = ParseModel(root);
        string model = known.Id;
        int maxTokens = countTokensOnly ? 0 : ParseMaxTokens(root, known);
        bool newApi = ApiVersions.IsCurrent(apiVersion);

        bool stream = false;
        if (!countTokensOnly && root.TryGetProperty("stream", out var streamEl) && streamEl.ValueKind != JsonValueKind.Null)
        {
            if (streamEl.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Invalid("stream: Input should be a valid boolean");
            stream = streamEl.GetBoolean();
        }
        CheckSampling(root, known, newApi);

        var stops = new List<string>();
        if (root.TryGetProperty("stop_sequences", out var stopsEl) && stopsEl.ValueKind != JsonValueKind.Null)
        {
            if (stopsEl.ValueKind != JsonValueKind.Array) throw Invalid("stop_sequences: Input should be a valid list");
            int i = 0;
            foreach (var s in stopsEl.EnumerateArray())
            {
                if (s.ValueKind != JsonValueKind.String) throw Invalid($"stop_sequences.{i}: Input should be a valid string");
                string value = s.GetString()!;
                if (value.Trim().Length == 0) throw Invalid($"stop_sequences.{i}: each stop sequence must contain non-whitespace");
                stops.Add(value);
                i++;
            }
        }

        var (thinking, budget) = ParseThinking(root, maxTokens, countTokensOnly, known);
        var schema = ParseOutputSchema(root);
        string? effort = ParseEffort(root, known);

        var segments = new List<PromptSegment> { new("base", BaseOverheadTokens, null) };
        var tools = ParseTools(root, segments);
        var forced = ParseToolChoice(root, tools);
        bool choiceNone = root.TryGetProperty("tool_choice", out var tc) && tc.ValueKind == JsonValueKind.Object &&
                          tc.TryGetProperty("type", out var tct) && tct.ValueKind == JsonValueKind.String && tct.GetString() == "none";
        if (forced != null && thinking != ThinkingMode.None)
            throw Invalid("Thinking may not be enabled when tool_choice forces tool use.");
        if (tools.Count > 0)
            segments.Add(new PromptSegment("toolsystem:" + (forced is null ? "auto" : "forced"), forced is null ? ToolSystemTokensAuto : ToolSystemTokensForced, null));
        if (schema is { } s1) segments.Add(new PromptSegment("schema:" + s1.GetRawText(), TokenCounter.Count(s1.GetRawText()), null));
        ParseSystem(root, segments);
        var (lastUser, lastPrompt, toolResults) = ParseMessages(root, segments, newApi);
        if (tools.Count == 0 && HasToolBlocks(root))
            throw Invalid("Requests which include `tool_use` or `tool_result` blocks must define tools.");

        // Top-level cache_control caches everything up to the last block.
        if (root.TryGetProperty("cache_control", out var topCache) && topCache.ValueKind != JsonValueKind.Null)
        {
            string ttl = ParseCacheControl(topCache, "cache_control")!;
            var last = segments[^1];
            segments[^1] = last with { BreakpointTtl = ttl };
        }
        int breakpoints = segments.Count(s => s.BreakpointTtl != null);
        if (breakpoints > MaxBreakpoints)
            throw Invalid($"A maximum of {MaxBreakpoints} blocks with cache_control may be provided. Found {breakpoints}.");

        return new MessageRequestSpec
        {
            Model = model,
            MaxTokens = maxTokens,
            Stream = stream,
            StopSequences = stops,
            Thinking = thinking,
            ThinkingBudget = budget,
            Effort = effort,
            OutputSchema = schema,
            Tools = tools,
            ForcedTool = forced,
            ToolChoiceNone = choiceNone,
            Segments = segments,
            LastUserText = lastUser,
            LastUserPrompt = lastPrompt,
            ToolResults = toolResults,
        };
    }

    private static KnownModel ParseModel(JsonElement root)
    {
        if (!root.TryGetProperty("model", out var modelEl) || modelEl.ValueKind == JsonValueKind.Null) throw Invalid("model: Field required");
        if (modelEl.ValueKind != JsonValueKind.String) throw Invalid("model: Input should be a valid string");
        string requested = modelEl.GetString()!;
        var known = KnownModels.Find(requested);
        if (known == null) throw new EmulatorApiException(404, ErrorTypes.NotFound, $"model: {requested}");
        // Requests to a retired model fail; a deprecated one (even past its retirement date) still answers.
        if (known.Lifecycle == "retired") throw new EmulatorApiException(404, ErrorTypes.NotFound, $"model: {requested} has been retired");
        return known;
    }

    /// <summary>temperature / top_p / top_k: removed by API version 2026-10-21 (any value is an extra input);
    /// under 2023-06-01, per model (Opus 4.7 and later reject them, Claude 4.1 and 4.5 take one of temperature and top_p).</summary>
    private static void CheckSampling(JsonElement root, KnownModel model, bool newApi)
    {
        var sent = new[] { "temperature", "top_p", "top_k" }.Where(n => root.TryGetProperty(n, out var v) && v.ValueKind != JsonValueKind.Null).ToList();
        if (sent.Count == 0) return;
        if (newApi) throw Invalid($"{sent[0]}: Extra inputs are not permitted");
        CheckRange(root, "temperature", 0, 1);
        CheckRange(root, "top_p", 0, 1);
        if (root.TryGetProperty("top_k", out var topK) && topK.ValueKind != JsonValueKind.Null &&
            (topK.ValueKind != JsonValueKind.Number || !topK.TryGetInt32(out int k) || k < 0))
            throw Invalid("top_k: Input should be a non-negative integer");
        if (model.Sampling == SamplingRule.None) throw Invalid($"`{sent[0]}` is deprecated for this model.");
        if (model.Sampling == SamplingRule.OneOf && sent.Contains("temperature") && sent.Contains("top_p"))
            throw Invalid("`temperature` and `top_p` cannot both be specified for this model. Please use only one.");
    }

    private static string? ParseEffort(JsonElement root, KnownModel model)
    {
        if (!root.TryGetProperty("output_config", out var config) || config.ValueKind != JsonValueKind.Object ||
            !config.TryGetProperty("effort", out var el) || el.ValueKind == JsonValueKind.Null) return null;
        string? effort = el.ValueKind == JsonValueKind.String ? el.GetString() : null;
        if (effort is not ("low" or "medium" or "high" or "xhigh" or "max"))
            throw Invalid("output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'");
        if (model.EffortLevels.Count == 0) throw Invalid($"output_config.effort: effort is not supported by {model.Id}");
        if (!model.EffortLevels.Contains(effort)) throw Invalid($"output_config.effort: '{effort}' is not supported by {model.Id}");
        return effort;
    }

    private static int ParseMaxTokens(JsonElement root, KnownModel known)
    {
        string model = known.Id;
        if (!root.TryGetProperty("max_tokens", out var el) || el.ValueKind == JsonValueKind.Null) throw Invalid("max_tokens: Field required");
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt64(out long value)) throw Invalid("max_tokens: Input should be a valid integer");
        if (value < 1) throw Invalid("max_tokens: Input should be greater than or equal to 1");
        int limit = known.MaxTokens;
        if (value > limit)
            throw Invalid($"max_tokens: {value} > {limit}, which is the maximum allowed number of output tokens for {model}");
        return (int)value;
    }

    private static void CheckRange(JsonElement root, string name, double min, double max)
    {
        if (!root.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return;
        if (el.ValueKind != JsonValueKind.Number) throw Invalid($"{name}: Input should be a valid number");
        double v = el.GetDouble();
        if (v < min) throw Invalid($"{name}: Input should be greater than or equal to {min}");
        if (v > max) throw Invalid($"{name}: Input should be less than or equal to {max}");
    }

    private static (ThinkingMode, int) ParseThinking(JsonElement root, int maxTokens, bool countTokensOnly, KnownModel model)
    {
        if (!root.TryGetProperty("thinking", out var el) || el.ValueKind == JsonValueKind.Null) return (ThinkingMode.None, 0);
        if (el.ValueKind != JsonValueKind.Object || !el.TryGetProperty("type", out var typeEl) || typeEl.ValueKind != JsonValueKind.String)
            throw Invalid("thinking.type: Field required");
        switch (typeEl.GetString())
        {
            case "disabled":
                return (ThinkingMode.None, 0);
            case "adaptive":
                if (!model.ThinkingAdaptive) throw Invalid($"thinking.type: 'adaptive' is not supported for {model.Id}; use 'enabled' with budget_tokens");
                return (ThinkingMode.Adaptive, countTokensOnly ? 0 : Math.Max(1, maxTokens / 2));
            case "enabled":
                if (!model.ThinkingEnabled)
                    throw Invalid("\"thinking.type.enabled\" is not supported for this model. Use \"thinking.type.adaptive\" and \"output_config.effort\" to control thinking behavior.");
                if (!el.TryGetProperty("budget_tokens", out var b) || b.ValueKind != JsonValueKind.Number || !b.TryGetInt32(out int budget))
                    throw Invalid("thinking.enabled.budget_tokens: Field required");
                if (budget < 1024) throw Invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
                if (!countTokensOnly && budget >= maxTokens)
                    throw Invalid("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
                return (ThinkingMode.Enabled, budget);
            default:
                throw Invalid("thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'");
        }
    }

    private static JsonElement? ParseOutputSchema(JsonElement root)
    {
        JsonElement format;
        string path;
        if (root.TryGetProperty("output_config", out var config) && config.ValueKind == JsonValueKind.Object &&
            config.TryGetProperty("format", out format) && format.ValueKind != JsonValueKind.Null)
            path = "output_config.format";
        else if (root.TryGetProperty("output_format", out format) && format.ValueKind != JsonValueKind.Null)
            path = "output_format"; // the structured-outputs beta spelling
        else
            return null;
        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var t) || t.GetString() != "json_schema")
            throw Invalid($"{path}.type: Input should be 'json_schema'");
        if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
            throw Invalid($"{path}.schema: Field required");
        return schema.Clone();
    }

    private static List<ToolSpec> ParseTools(JsonElement root, List<PromptSegment> segments)
    {
        var tools = new List<ToolSpec>();
        if (!root.TryGetProperty("tools", out var toolsEl) || toolsEl.ValueKind == JsonValueKind.Null) return tools;
        if (toolsEl.ValueKind != JsonValueKind.Array) throw Invalid("tools: Input should be a valid list");
        int i = 0;
        foreach (var tool in toolsEl.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("name", out var nameEl) || nameEl.ValueKind != JsonValueKind.String)
                throw Invalid($"tools.{i}.name: Field required");
            JsonElement? schema = tool.TryGetProperty("input_schema", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : null;
            string? serverType = tool.TryGetProperty("type", out var tt) && tt.ValueKind == JsonValueKind.String && tt.GetString() != "custom" ? tt.GetString() : null;
            tools.Add(new ToolSpec(nameEl.GetString()!, schema, serverType));
            string canonical = CanonicalWithoutCacheControl(tool);
            segments.Add(new PromptSegment("tool:" + canonical, TokenCounter.Count(canonical), CacheTtl(tool, $"tools.{i}")));
            i++;
        }
        return tools;
    }

    private static ToolSpec? ParseToolChoice(JsonElement root, List<ToolSpec> tools)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind != JsonValueKind.Object) return null;
        string? type = choice.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "tool":
                string? name = choice.TryGetProperty("name", out var n) ? n.GetString() : null;
                var tool = tools.FirstOrDefault(x => x.Name == name);
                if (tool == null) throw Invalid($"tool_choice.name: tool '{name}' is not among the tools of this request");
                return tool;
            case "any":
                if (tools.Count == 0) throw Invalid("tool_choice: 'any' needs at least one tool in tools");
                return tools[0];
            case "auto":
            case "none":
                return null;
            default:
                throw Invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
        }
    }

    private static void ParseSystem(JsonElement root, List<PromptSegment> segments)
    {
        if (!root.TryGetProperty("system", out var system) || system.ValueKind == JsonValueKind.Null) return;
        if (system.ValueKind == JsonValueKind.String)
        {
            string text = system.GetString()!;
            segments.Add(new PromptSegment("system:" + text, TokenCounter.Count(text), null));
            return;
        }
        if (system.ValueKind != JsonValueKind.Array) throw Invalid("system: Input should be a valid string or list of text blocks");
        int i = 0;
        foreach (var block in system.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var t) || t.GetString() != "text" ||
                !block.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw Invalid($"system.{i}: Input should be a text block with type 'text' and a 'text' string");
            string value = text.GetString()!;
            if (value.Length == 0) throw Invalid($"system.{i}.text: text content blocks must be non-empty");
            segments.Add(new PromptSegment("system:" + value, TokenCounter.Count(value), CacheTtl(block, $"system.{i}")));
            i++;
        }
    }

    /// <summary>Adds one segment per message block; returns the last user message's text (all of it, and
    /// only the written text) and its tool results. Like the API, every tool_use must be answered by a
    /// tool_result in the next message, and every tool_result must answer a tool_use of the previous one.</summary>
    private static (string, string, List<ToolResultSpec>) ParseMessages(JsonElement root, List<PromptSegment> segments, bool newApi)
    {
        var pendingUses = new Dictionary<string, string>(StringComparer.Ordinal); // id -> name, from the previous assistant message
        var lastPrompt = new StringBuilder();
        var lastResults = new List<ToolResultSpec>();
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null) throw Invalid("messages: Field required");
        if (messages.ValueKind != JsonValueKind.Array) throw Invalid("messages: Input should be a valid list");
        if (messages.GetArrayLength() == 0) throw Invalid("messages: at least one message is required");
        string lastUser = string.Empty;
        int i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object) throw Invalid($"messages.{i}: Input should be a valid dictionary");
            if (!message.TryGetProperty("role", out var roleEl) || roleEl.ValueKind == JsonValueKind.Null) throw Invalid($"messages.{i}.role: Field required");
            string? role = roleEl.ValueKind == JsonValueKind.String ? roleEl.GetString() : null;
            if (role is not ("user" or "assistant")) throw Invalid($"messages.{i}.role: Input should be 'user' or 'assistant'");
            if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null) throw Invalid($"messages.{i}.content: Field required");

            var text = new StringBuilder();
            int firstSegment = segments.Count;
            if (content.ValueKind == JsonValueKind.String)
            {
                string value = content.GetString()!;
                if (value.Length == 0 && role == "user") throw Invalid($"messages.{i}.content: text content blocks must be non-empty");
                text.Append(value);
                segments.Add(new PromptSegment($"{role}:{value}", TokenCounter.Count(value), null));
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                if (content.GetArrayLength() == 0 && role == "user") throw Invalid($"messages.{i}.content: at least one content block is required");
                int j = 0;
                foreach (var block in content.EnumerateArray())
                {
                    string path = $"messages.{i}.content.{j}";
                    if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var typeEl) || typeEl.ValueKind != JsonValueKind.String)
                        throw Invalid($"{path}.type: Field required");
                    string blockType = typeEl.GetString()!;
                    if (newApi) CheckContentRules(block, blockType, role, path);
                    int tokens = BlockTokens(block, blockType, path, text);
                    segments.Add(new PromptSegment($"{role}:{CanonicalWithoutCacheControl(block)}", tokens, CacheTtl(block, path)));
                    j++;
                }
            }
            else
            {
                throw Invalid($"messages.{i}.content: Input should be a valid string or list of content blocks");
            }
            if (segments.Count > firstSegment)
            {
                var first = segments[firstSegment];
                segments[firstSegment] = first with { Tokens = first.Tokens + MessageOverheadTokens };
            }
            if (role == "user") lastUser = text.ToString();
            CheckToolPairing(role, content, i, pendingUses, role == "user" ? lastPrompt : null, role == "user" ? lastResults : null);
            i++;
        }
        return (lastUser, lastPrompt.ToString(), lastResults);
    }

    /// <summary>Matches tool_result blocks to the previous message's tool_use blocks (400s as the API words
    /// them), and for a user message collects its written text and results.</summary>
    private static void CheckToolPairing(string role, JsonElement content, int index, Dictionary<string, string> pendingUses,
        StringBuilder? prompt, List<ToolResultSpec>? results)
    {
        var blocks = content.ValueKind == JsonValueKind.Array ? content.EnumerateArray().ToList() : new List<JsonElement>();
        if (prompt is not null)
        {
            prompt.Clear();
            results!.Clear();
            if (content.ValueKind == JsonValueKind.String) prompt.Append(content.GetString());
        }
        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in blocks)
        {
            string? type = block.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == "text" && prompt is not null && block.TryGetProperty("text", out var tx) && tx.ValueKind == JsonValueKind.String)
            {
                if (prompt.Length > 0) prompt.Append('\n');
                prompt.Append(tx.GetString());
            }
            if (type != "tool_result") continue;
            string id = block.TryGetProperty("tool_use_id", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString()! : "";
            if (role != "user" || !pendingUses.TryGetValue(id, out var name))
                throw Invalid($"messages.{index}.content: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
            answered.Add(id);
            string resultText = block.TryGetProperty("content", out var c)
                ? c.ValueKind == JsonValueKind.String ? c.GetString()! : string.Concat(c.ValueKind == JsonValueKind.Array
                    ? c.EnumerateArray().Select(x => x.TryGetProperty("text", out var xt) ? xt.GetString() : "") : Array.Empty<string?>())
                : "";
            bool isError = block.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True;
            results?.Add(new ToolResultSpec(name, resultText, isError));
        }
        if (pendingUses.Count > 0)
        {
            var missing = pendingUses.Keys.Where(id => !answered.Contains(id)).ToList();
            if (missing.Count > 0)
                throw Invalid($"messages.{index}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", missing)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
        }
        pendingUses.Clear();
        if (role == "assistant")
            foreach (var block in blocks)
                if (block.TryGetProperty("type", out var t) && t.GetString() == "tool_use" &&
                    block.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    pendingUses[id.GetString()!] = block.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
    }

    /// <summary>API version 2026-10-21: no document block in an assistant turn, no citations on a user text block
    /// (directly or inside a search_result).</summary>
    private static void CheckContentRules(JsonElement block, string type, string role, string path)
    {
        static bool Cites(JsonElement b) => b.TryGetProperty("citations", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 0;
        if (role == "assistant" && type == "document")
            throw Invalid($"{path}: document blocks are not allowed in assistant messages");
        if (role != "user") return;
        if (type == "text" && Cites(block))
            throw Invalid($"{path}.citations: text blocks in user messages cannot carry citations");
        if (type == "search_result" && block.TryGetProperty("content", out var inner) && inner.ValueKind == JsonValueKind.Array)
            foreach (var b in inner.EnumerateArray())
                if (b.ValueKind == JsonValueKind.Object && Cites(b))
                    throw Invalid($"{path}.content.citations: text blocks in user messages cannot carry citations");
    }

    private static int BlockTokens(JsonElement block, string type, string path, StringBuilder text)
    {
        switch (type)
        {
            case "text":
                if (!block.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String) throw Invalid($"{path}.text: Field required");
                string value = t.GetString()!;
                if (value.Length == 0) throw Invalid($"{path}.text: text content blocks must be non-empty");
                if (text.Length > 0) text.Append('\n');
                text.Append(value);
                return TokenCounter.Count(value);
            case "image":
                return SourceTokens(block, path, perKiloByte: 1, floor: 85, ceiling: 1600, urlTokens: 1000, isImage: true);
            case "document":
                if (block.TryGetProperty("source", out var src) && src.TryGetProperty("type", out var st) && st.GetString() == "text" &&
                    src.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
                    return TokenCounter.Count(data.GetString());
                return SourceTokens(block, path, perKiloByte: 2, floor: 100, ceiling: 100_000, urlTokens: 2000);
            case "tool_use":
                string name = block.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                string input = block.TryGetProperty("input", out var inp) ? inp.GetRawText() : "{}";
                return TokenCounter.Count(name) + TokenCounter.Count(input);
            case "tool_result":
                if (!block.TryGetProperty("content", out var c)) return 3;
                if (c.ValueKind == JsonValueKind.String)
                {
                    text.Append(c.GetString());
                    return 3 + TokenCounter.Count(c.GetString());
                }
                return 3 + TokenCounter.Count(c.GetRawText());
            case "thinking":
                if (!block.TryGetProperty("thinking", out var th) || th.ValueKind != JsonValueKind.String) throw Invalid($"{path}.thinking.thinking: Field required");
                if (!block.TryGetProperty("signature", out var sig) || sig.ValueKind != JsonValueKind.String) throw Invalid($"{path}.thinking.signature: Field required");
                // Like the API: a thinking block sent back must be exactly what was signed.
                if (sig.GetString() != ReplyComposer.Signature(th.GetString()!)) throw Invalid($"{path}: Invalid `signature` in `thinking` block");
                return TokenCounter.Count(th.GetString());
            case "redacted_thinking":
                if (!block.TryGetProperty("data", out var rd) || rd.ValueKind != JsonValueKind.String) throw Invalid($"{path}.redacted_thinking.data: Field required");
                // Like the API: the encrypted data must come back exactly as it was issued.
                string? hidden = ReplyComposer.FromRedactedData(rd.GetString()!);
                if (hidden is null) throw Invalid($"{path}: Invalid `data` in `redacted_thinking` block");
                return TokenCounter.Count(hidden);
            default:
                return TokenCounter.Count(CanonicalWithoutCacheControl(block));
        }
    }

    /// <summary>Images and PDFs: a token estimate from the decoded size (base64) or a flat figure (url).</summary>
    private static int SourceTokens(JsonElement block, string path, int perKiloByte, int floor, int ceiling, int urlTokens, bool isImage = false)
    {
        if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object ||
            !source.TryGetProperty("type", out var type))
            throw Invalid($"{path}.source: Field required");
        switch (type.GetString())
        {
            case "base64":
                if (!source.TryGetProperty("media_type", out var mt) || mt.ValueKind != JsonValueKind.String)
                    throw Invalid($"{path}.source.media_type: Field required");
                if (!source.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String)
                    throw Invalid($"{path}.source.data: Field required");
                string base64 = data.GetString()!;
                // Images: tokens from the pixel size (the documented estimate); a header it cannot read falls back to the file size.
                if (isImage && TryDecode(base64) is { } raw && ImageTokens.Dimensions(raw) is { Width: > 0, Height: > 0 } size)
                    return ImageTokens.ForSize(size.Width, size.Height);
                long bytes = base64.Length * 3L / 4;
                return (int)Math.Clamp(floor + bytes * perKiloByte / 1024, floor, ceiling);
            case "url":
            case "file":
                return urlTokens;
            default:
                throw Invalid($"{path}.source.type: Input should be 'base64', 'url' or 'file'");
        }
    }

    private static bool HasToolBlocks(JsonElement root) =>
        root.GetProperty("messages").EnumerateArray().Any(m => m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Array &&
            c.EnumerateArray().Any(b => b.ValueKind == JsonValueKind.Object && b.TryGetProperty("type", out var t) && t.GetString() is "tool_use" or "tool_result"));

    private static byte[]? TryDecode(string base64)
    {
        try { return Convert.FromBase64String(base64); }
        catch (FormatException) { return null; }
    }

    private static string? CacheTtl(JsonElement block, string path) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("cache_control", out var cc) && cc.ValueKind != JsonValueKind.Null
            ? ParseCacheControl(cc, path + ".cache_control")
            : null;

    private static string? ParseCacheControl(JsonElement cc, string path)
    {
        if (cc.ValueKind != JsonValueKind.Object || !cc.TryGetProperty("type", out var t) || t.GetString() != "ephemeral")
            throw Invalid($"{path}.type: Input should be 'ephemeral'");
        if (!cc.TryGetProperty("ttl", out var ttl) || ttl.ValueKind == JsonValueKind.Null) return "5m";
        string? value = ttl.ValueKind == JsonValueKind.String ? ttl.GetString() : null;
        if (value is not ("5m" or "1h")) throw Invalid($"{path}.ttl: Input should be '5m' or '1h'");
        return value;
    }

    /// <summary>The block's JSON without its cache_control, so moving a breakpoint keeps the prefix key.</summary>
    private static string CanonicalWithoutCacheControl(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("cache_control", out _)) return block.GetRawText();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var property in block.EnumerateObject())
            {
                if (property.NameEquals("cache_control")) continue;
                property.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static EmulatorApiException Invalid(string message) => new(400, ErrorTypes.InvalidRequest, message);
}
