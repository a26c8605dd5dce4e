using System.Collections.Generic;
using System.Text;
using ClaudePS.Engine.Streaming;
using Xunit;

namespace ClaudePS.Engine.Tests.Streaming;

/// <summary>The parser's single-data-line fast path and shared event names must not change frames.</summary>
public class SseFrameJoinTests
{
    private static List<SseFrame> Parse(string text)
    {
        var parser = new SseParser();
        var frames = new List<SseFrame>();
        parser.Feed(Encoding.UTF8.GetBytes(text), frames);
        parser.Complete(frames);
        return frames;
    }

    [Fact]
    public void Several_data_lines_join_with_line_feeds_and_the_next_frame_starts_clean()
    {
        var frames = Parse("event: content_block_delta\ndata: a\ndata:\ndata: c\n\nevent: message_stop_later\ndata: only\n\ndata: x\n\n");

        Assert.Equal(3, frames.Count);
        Assert.Equal("content_block_delta", frames[0].EventName);
        Assert.Equal("a\n\nc", frames[0].Data);
        Assert.Equal("message_stop_later", frames[1].EventName);
        Assert.Equal("only", frames[1].Data);
        Assert.Equal("message", frames[2].EventName);
        Assert.Equal("x", frames[2].Data);
    }

    [Fact]
    public void Known_event_names_match_exactly_not_by_prefix_or_length()
    {
        var frames = Parse("event: pong\ndata: 1\n\nevent: ping\ndata: 2\n\nevent: message_star\ndata: 3\n\nevent: error\ndata:\n\n");

        Assert.Equal(new[] { "pong", "ping", "message_star", "error" }, frames.ConvertAll(f => f.EventName));
        Assert.Equal("", frames[3].Data);
    }
}
