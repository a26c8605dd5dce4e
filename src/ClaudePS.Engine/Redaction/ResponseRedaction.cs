using System;
using System.Collections.Generic;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// Redacts everything of a reply that a user can see or save, in one place: <see cref="ClaudeResponse.Text"/>,
/// <see cref="ClaudeResponse.Thinking"/>, the tool-use input in <see cref="ClaudeResponse.ToolUses"/>, every
/// content block (which is what a conversation keeps and exports), and <see cref="ClaudeResponse.RawJson"/>.
/// Prompts and batch rows both go through <see cref="Apply"/>, so no output path can miss a part.
/// </summary>
/// <remarks>
/// Thinking signatures: the API signs each thinking block's text and rejects a block whose text changed
/// ("Invalid `signature` in `thinking` block"). A thinking block whose text was redacted therefore loses
/// its signature, and <see cref="Prompting.Conversations"/> leaves it out of the history it sends back.
/// The API accepts earlier assistant turns without their thinking (outside a tool-use loop, which
/// ClaudePS conversations do not run), so later turns keep working, and the unredacted thinking is not
/// kept anywhere: not in the conversation object, not in an exported file. The model loses that turn's
/// reasoning on later turns; its answer stays. Thinking blocks with nothing to redact keep their signature
/// and go back unchanged.
/// redacted_thinking blocks are encrypted data, not text anyone can read: they are not scanned and go
/// back unchanged (the API rejects a block whose data changed). The same holds in RawJson: a
/// redacted_thinking block's data and a thinking block's signature are opaque base64 that can match a
/// recognizer by chance, so <see cref="JsonRedaction"/> leaves them as the API sent them.
/// </remarks>
public static class ResponseRedaction
{
    /// <summary>The reply with every user-visible part redacted, counts by type in
    /// <see cref="ClaudeResponse.Redactions"/>; the same instance when nothing was found (or the redactor is off).</summary>
    public static ClaudeResponse Apply(Redactor redactor, ClaudeResponse response)
    {
        if (redactor is null) throw new ArgumentNullException(nameof(redactor));
        if (response is null) throw new ArgumentNullException(nameof(response));
        if (!redactor.IsActive) return response;

        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var blocks = response.Content;
        // Text and Thinking are their blocks joined; redacting the blocks as one text finds exactly what
        // redacting Text finds (which is what the live stream showed), and gives each block its part.
        var textParts = new JoinedText();
        var thinkingParts = new JoinedText();
        var slot = new int[blocks.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            slot[i] = blocks[i].Type switch
            {
                "text" => textParts.Add(blocks[i].Text),
                "thinking" => thinkingParts.Add(blocks[i].Text),
                _ => -1,
            };
        }
        var (text, textBlocks) = Joined(redactor, response.Text, textParts, counts);
        var (thinking, thinkingBlocks) = Joined(redactor, response.Thinking, thinkingParts, counts);

        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var toolUses = new List<ClaudeToolUse>(response.ToolUses.Count);
        bool toolsChanged = false;
        foreach (var t in response.ToolUses)
        {
            string input = RedactInput(redactor, t.InputJson, inputs, counts, count: true);
            if (input == t.InputJson) toolUses.Add(t);
            else
            {
                toolUses.Add(new ClaudeToolUse { Id = t.Id, Name = t.Name, InputJson = input, InputIncomplete = t.InputIncomplete });
                toolsChanged = true;
            }
        }

        var content = new List<ClaudeContentBlock>(blocks.Count);
        bool contentChanged = false;
        for (int i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            ClaudeContentBlock? changed = null;
            switch (b.Type)
            {
                case "text" when textBlocks is not null && textBlocks[slot[i]] != (b.Text ?? ""):
                    changed = Copy(b);
                    changed.Text = textBlocks[slot[i]];
                    break;
                case "thinking" when thinkingBlocks is not null && thinkingBlocks[slot[i]] != (b.Text ?? ""):
                    changed = Copy(b);
                    changed.Text = thinkingBlocks[slot[i]];
                    changed.Signature = null; // it vouched for the original text; see the remarks above
                    break;
                case "tool_use" when b.InputJson is not null:
                    // Counted through ToolUses already when it is one of them (the same call).
                    string input = RedactInput(redactor, b.InputJson, inputs, counts, count: !inputs.ContainsKey(b.InputJson));
                    if (input != b.InputJson)
                    {
                        changed = Copy(b);
                        changed.InputJson = input;
                    }
                    break;
                case "server_tool_use" when b.RawJson is not null:
                    // Kept whole as the API sent it; its input (a web search query) is the model's text, as a
                    // tool_use input is. It holds nothing opaque, so it can be redacted like any JSON.
                    var (block, found) = JsonRedaction.Redact(redactor, b.RawJson);
                    if (block != b.RawJson)
                    {
                        changed = Copy(b);
                        changed.RawJson = block;
                        changed.Text = b.Text is null ? null : redactor.Redact(b.Text).Text;
                        Add(counts, found);
                    }
                    break;
            }
            content.Add(changed ?? b);
            contentChanged |= changed is not null;
        }

        string? raw = response.RawJson is { } r ? JsonRedaction.Redact(redactor, r, reply: true).Json : null;
        if (counts.Count == 0 && !contentChanged && !toolsChanged && raw == response.RawJson) return response;
        return response.WithRedactedContent(text ?? "", thinking,
            toolsChanged ? toolUses : response.ToolUses, contentChanged ? content : response.Content, raw, counts);
    }

    /// <summary>Redacts a joined property (Text, Thinking) and its blocks; the blocks' pieces are null when there are none.</summary>
    private static (string? Whole, string[]? Pieces) Joined(Redactor redactor, string? whole, JoinedText parts, Dictionary<string, int> counts)
    {
        if (parts.Count > 0)
        {
            var joined = redactor.RedactJoined(parts);
            if (string.Equals(parts.Text, whole ?? "", StringComparison.Ordinal))
            {
                Add(counts, joined.Counts);
                return (whole is null ? null : joined.Whole, joined.Pieces);
            }
            // The property does not mirror the blocks (a hand-built reply): redact both, count the property.
            var alone = redactor.Redact(whole);
            Add(counts, alone.Counts);
            return (whole is null ? null : alone.Text, joined.Pieces);
        }
        if (whole is null) return (null, null);
        var result = redactor.Redact(whole);
        Add(counts, result.Counts);
        return (result.Text, null);
    }

    private static string RedactInput(Redactor redactor, string json, Dictionary<string, string> done, Dictionary<string, int> counts, bool count)
    {
        if (done.TryGetValue(json, out var known) && !count) return known;
        var (redacted, found) = JsonRedaction.Redact(redactor, json);
        if (count) Add(counts, found);
        done[json] = redacted;
        return redacted;
    }

    private static ClaudeContentBlock Copy(ClaudeContentBlock b) => b.Clone();

    private static void Add(Dictionary<string, int> counts, IReadOnlyDictionary<string, int> more)
    {
        foreach (var kv in more) counts[kv.Key] = counts.TryGetValue(kv.Key, out int c) ? c + kv.Value : kv.Value;
    }
}
