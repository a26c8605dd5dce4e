using System;
using System.Collections.Generic;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Prompting;

/// <summary>
/// Where a request gets prompt-cache breakpoints. The rule (docs/csv.md and the cmdlet help repeat it):
/// <list type="number">
/// <item>-CacheSystemPrompt marks the system prompt (TTL 5m, or -CacheTtl 1h).</item>
/// <item>In a conversation, the last block of the new user turn is marked once the whole prompt (system,
/// history, new turn) reaches the model's minimum cacheable length, so the next turn reads the history
/// from the cache instead of paying for it again; the previous user turn's last block is marked too,
/// because that is where the previous call wrote the entry this call reads.</item>
/// <item>For a single prompt, the last large block of the user turn is marked: an attachment, or a text
/// block of at least <see cref="LargeBlockTokens"/> estimated tokens, provided the prompt up to it reaches
/// the minimum. Put documents first and the question last, and asking several questions about the same
/// document pays for it once.</item>
/// </list>
/// -NoAutoCache turns off rules 2 and 3. At most three breakpoints are placed (the API allows four).
/// Below the minimum the API simply does not cache, so an estimate that is a little off costs nothing.
/// </summary>
public static class PromptCaching
{
    /// <summary>Estimated tokens from which one text block counts as large for rule 3.</summary>
    public const int LargeBlockTokens = 4096;

    /// <summary>The smallest prompt the model caches (public documentation; newer models are assumed to be like their family).</summary>
    public static int MinimumCacheableTokens(string? model)
    {
        var m = (model ?? "").ToLowerInvariant();
        if (m.Contains("sonnet")) return 1024;
        if (m.StartsWith("claude-opus-4-1", StringComparison.Ordinal) || m.StartsWith("claude-opus-4-0", StringComparison.Ordinal) ||
            m.StartsWith("claude-opus-4-2025", StringComparison.Ordinal)) return 1024;
        return 4096; // Opus 4.5 and later, Haiku 4.5 and later
    }

    /// <summary>A rough token estimate (about four characters a token; an image about 1,600 tokens; a
    /// PDF page about 1,500): enough to decide whether a breakpoint can pay.</summary>
    public static long EstimateTokens(ClaudeContentBlock b) => b.Type switch
    {
        "image" => 1600,
        // base64 is 4/3 of the bytes; a PDF page is about 50-100 KB of file and 1,500-3,000 tokens.
        "document" => Math.Max(1500, (b.Data?.Length ?? 0) * 3L / 4 / 50),
        "redacted_thinking" => (b.Data?.Length ?? 0) * 3L / 4 / 4,
        _ => ((b.Text?.Length ?? 0) + (b.InputJson?.Length ?? 0)) / 4,
    };

    public static void Apply(MessageRequest request, PromptOptions options, bool inConversation)
    {
        string ttl = options.CacheTtl ?? "5m";
        if (ttl is not ("5m" or "1h"))
            throw MessageRequest.Invalid("cache_control.ttl", $"-CacheTtl must be 5m or 1h; it was '{ttl}'.");
        if (options.CacheSystemPrompt)
        {
            if (string.IsNullOrEmpty(request.System))
                throw MessageRequest.Invalid("system", "-CacheSystemPrompt needs a system prompt: pass -System (or use a conversation that has one).");
            request.SystemCacheTtl = ttl;
        }
        if (!options.AutoCacheBreakpoints || request.Messages.Count == 0) return;

        var turn = request.Messages[request.Messages.Count - 1];
        long prefix = (request.System?.Length ?? 0) / 4;
        for (int i = 0; i < request.Messages.Count - 1; i++)
            foreach (var b in request.Messages[i].Content) prefix += EstimateTokens(b);
        int minimum = MinimumCacheableTokens(request.Model);

        ClaudeContentBlock? mark = null;
        foreach (var b in turn.Content)
        {
            prefix += EstimateTokens(b);
            if (prefix < minimum) continue;
            if (inConversation || b.Type is "image" or "document" || EstimateTokens(b) >= LargeBlockTokens) mark = b;
        }
        if (inConversation && mark is not null)
        {
            mark = turn.Content[turn.Content.Count - 1];
            // Also the previous user turn's end, where the last call wrote its entry: that is what this call reads.
            for (int i = request.Messages.Count - 2; i >= 0; i--)
            {
                var earlier = request.Messages[i];
                if (earlier.Role != "user" || earlier.Content.Count == 0) continue;
                earlier.Content[earlier.Content.Count - 1].CacheTtl = ttl;
                break;
            }
        }
        if (mark is not null) mark.CacheTtl = ttl;
    }
}
