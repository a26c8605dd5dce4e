using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using ClaudePS.Engine.Streaming;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Streaming;

public class StreamSplitTests
{
    // The API-NOTES example, with CRLF line ends, padding inside the JSON, a ping, an unknown event,
    // a frame whose data spans two data: lines, and a multi-byte character.
    private const string Stream =
        "event: message_start\r\n" +
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01X\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}          }\r\n\r\n" +
        "event: content_block_start\n" +
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: ping\n" +
        "data: {\"type\": \"ping\"}\n\n" +
        "event: some_future_event\n" +
        "data: {\"type\": \"some_future_event\", \"x\": 1}\n\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\n" +
        "data: \"delta\":{\"type\":\"text_delta\",\"text\":\"Héllo\"}}\n\n" +
        "event: content_block_delta\r\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" wörld 🌍\"}}      \r\n\r\n" +
        "event: content_block_stop\n" +
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\n" +
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n" +
        "event: message_stop\n" +
        "data: {\"type\":\"message_stop\"}\n\n";

    [Fact]
    public void The_final_message_is_the_same_when_the_stream_is_cut_at_every_byte_boundary()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Stream);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var (text, builder) = Parse(bytes, cut);
            Assert.Equal("Héllo wörld 🌍", text);
            var response = builder.Build("req_1", null, default, null, 1);
            Assert.Equal("Héllo wörld 🌍", response.Text);
            Assert.Equal("end_turn", response.StopReason);
            Assert.Equal(25, response.Usage.InputTokens);
            Assert.Equal(15, response.Usage.OutputTokens);
            Assert.Equal("msg_01X", response.MessageId);
            Assert.True(builder.Stopped);
        }
    }

    [Fact]
    public void Every_three_way_split_parses_the_same()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Stream);
        for (int a = 0; a < bytes.Length; a += 7)
            for (int b = a; b < bytes.Length; b += 13)
            {
                var parser = new SseParser();
                var frames = new List<SseFrame>();
                parser.Feed(bytes.AsSpan(0, a), frames);
                parser.Feed(bytes.AsSpan(a, b - a), frames);
                parser.Feed(bytes.AsSpan(b), frames);
                parser.Complete(frames);
                Assert.Equal(9, frames.Count);
            }
    }

    [Fact]
    public void A_frame_without_a_closing_blank_line_is_delivered_at_end_of_stream()
    {
        var parser = new SseParser();
        var frames = new List<SseFrame>();
        parser.Feed(Encoding.UTF8.GetBytes("event: message_stop\ndata: {\"type\":\"message_stop\"}"), frames);
        Assert.Empty(frames);
        parser.Complete(frames);
        Assert.Single(frames);
        Assert.Equal("message_stop", frames[0].EventName);
    }

    [Fact]
    public void Comments_are_ignored_and_data_lines_join_with_newlines()
    {
        var parser = new SseParser();
        var frames = new List<SseFrame>();
        parser.Feed(Encoding.UTF8.GetBytes(": keep-alive\n\ndata: a\ndata: b\n\n"), frames);
        Assert.Single(frames);
        Assert.Equal("message", frames[0].EventName);
        Assert.Equal("a\nb", frames[0].Data);
    }

    private static (string Text, MessageBuilder Builder) Parse(byte[] bytes, int cut)
    {
        var parser = new SseParser();
        var frames = new List<SseFrame>();
        var builder = new MessageBuilder();
        var text = new StringBuilder();
        parser.Feed(bytes.AsSpan(0, cut), frames);
        parser.Feed(bytes.AsSpan(cut), frames);
        parser.Complete(frames);
        foreach (var f in frames)
        {
            text.Append(builder.Apply(f.EventName, f.DataUtf8));
        }
        return (text.ToString(), builder);
    }
}
