using System.Net;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Tests.Prompting;
using ClaudePS.Engine.Tools;
using Xunit;

namespace ClaudePS.Engine.Tests.Tools;

/// <summary>The tool loop on the wire, against a scripted endpoint: what each request carries.</summary>
public class ToolLoopWireTests
{
    private sealed class Host : IToolHost
    {
        public List<ToolRunRequest> Seen { get; } = new();
        public Task<ToolRunResult> RunAsync(ToolRunRequest request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            return Task.FromResult(new ToolRunResult { Status = ClaudeToolCallStatus.Ran, Output = "connected as svc" });
        }
    }

    private static ClaudeTool Tool() => ToolFactory.Create(new ToolDefinition
    {
        Name = "Get-Connection", CommandName = "Get-Connection",
        Parameters = new()
        {
            new() { Name = "Name", Mandatory = true },
            new() { Name = "Credential", Mandatory = true, Hidden = ClaudeToolHiddenReason.Secret, TypeName = "PSCredential" },
            new() { Name = "ApiToken", Hidden = ClaudeToolHiddenReason.Secret },
            new() { Name = "ComputerName" },
        },
        Pinned = new Dictionary<string, object?> { ["Credential"] = "pinned-secret-value", ["ComputerName"] = "srv-pinned-01" },
    });

    [Fact]
    public async Task Requests_carry_the_closed_schema_the_model_turn_and_the_results_and_never_a_hidden_parameter()
    {
        int call = 0;
        var api = new FakeApi((_, _) => Interlocked.Increment(ref call) == 1
            ? (HttpStatusCode.OK, FakeApi.MessageJson("""[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"Get-Connection","input":{"Name":"db"}},{"type":"tool_use","id":"toolu_2","name":"Get-Nothing","input":{}}]""", "tool_use"), null)
            : (HttpStatusCode.OK, FakeApi.TextMessage("It is connected."), null));
        using var connection = api.Connect();
        var host = new Host();
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions
        {
            Prompt = "Is db connected?",
            Tools = new ToolLoopOptions { Tools = new[] { Tool() }, Host = host },
        }, new CollectingSink(), default);

        var bodies = api.Bodies();
        Assert.Equal(2, bodies.Count);
        foreach (var body in bodies)
        {
            var tool = Assert.Single(body.GetProperty("tools").EnumerateArray());
            Assert.Equal("Get-Connection", tool.GetProperty("name").GetString());
            var schema = tool.GetProperty("input_schema");
            Assert.Equal(new[] { "Name" }, schema.GetProperty("properties").EnumerateObject().Select(p => p.Name));
            Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
            Assert.Equal("auto", body.GetProperty("tool_choice").GetProperty("type").GetString());
            string raw = body.GetRawText();
            Assert.DoesNotContain("Credential", raw);
            Assert.DoesNotContain("ApiToken", raw);
            Assert.DoesNotContain("pinned-secret-value", raw);
            Assert.DoesNotContain("srv-pinned-01", raw);
        }
        var messages = bodies[1].GetProperty("messages");
        Assert.Equal(new[] { "user", "assistant", "user" }, messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("toolu_1", messages[1].GetProperty("content")[1].GetProperty("id").GetString());
        var results = messages[2].GetProperty("content");
        Assert.Equal(("tool_result", "toolu_1", "connected as svc"), (results[0].GetProperty("type").GetString(), results[0].GetProperty("tool_use_id").GetString(), results[0].GetProperty("content").GetString()));
        Assert.False(results[0].TryGetProperty("is_error", out _));
        Assert.Equal("toolu_2", results[1].GetProperty("tool_use_id").GetString());
        Assert.True(results[1].GetProperty("is_error").GetBoolean());

        // The host got the model's arguments only; the pins are the host's to add.
        var seen = Assert.Single(host.Seen);
        Assert.Equal(new[] { "Name" }, seen.Arguments.Keys);
        Assert.Equal("Get-Connection -Name 'db' -Credential <pinned> -ComputerName <pinned>", seen.CommandLine);
        Assert.Equal(2, response.Turns);
        Assert.Equal(20, response.Usage.InputTokens);
        Assert.Equal(new[] { ClaudeToolCallStatus.Ran, ClaudeToolCallStatus.Refused }, response.ToolCalls.Select(c => c.Status));
        Assert.Equal("It is connected.", response.Text);
    }
}
