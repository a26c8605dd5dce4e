using System.Text.Json;
using ClaudePS.Engine.Tests.Shared;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Streaming;

/// <summary>End to end against the emulator: a request offering the web search server tool gets server_tool_use,
/// web_search_tool_result and cited text (streamed and not), and the kept blocks go back on the next turn and are
/// accepted.</summary>
public sealed class ServerToolRoundTripTests : EmulatorConnectionTest
{
    public ServerToolRoundTripTests() : base("sk-ant-test-servertools") { }

    private static MessageRequest Ask(string prompt)
    {
        var request = MessageRequest.ForPrompt(prompt, "claude-sonnet-5-5", 2000);
        request.ToolsJson.Add("""{"type":"web_search_20250305","name":"web_search","max_uses":3}""");
        return request;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Server_tool_blocks_and_citations_come_back_and_are_accepted_on_the_next_turn(bool stream)
    {
        var request = Ask("Find the harbour tide tables");
        var first = stream ? await Connection.Client.StreamMessageAsync(request, null) : await Connection.Client.CreateMessageAsync(request);

        Assert.Equal(new[] { "server_tool_use", "web_search_tool_result", "text" }, first.Content.Select(b => b.Type));
        var call = JsonDocument.Parse(first.Content[0].RawJson!).RootElement;
        Assert.Equal("web_search", call.GetProperty("name").GetString());
        Assert.Contains("harbour", call.GetProperty("input").GetProperty("query").GetString());
        Assert.True(first.Content[2].HasCitations);
        Assert.Equal(call.GetProperty("id").GetString(), JsonDocument.Parse(first.Content[1].RawJson!).RootElement.GetProperty("tool_use_id").GetString());

        var next = Ask("And tomorrow?");
        next.Messages.Insert(0, new ClaudeMessage("user", "Find the harbour tide tables"));
        next.Messages.Insert(1, new ClaudeMessage { Role = "assistant", Content = first.Content.ToList() });
        var second = await Connection.Client.CreateMessageAsync(next);
        Assert.Equal("end_turn", second.StopReason);
    }
}
