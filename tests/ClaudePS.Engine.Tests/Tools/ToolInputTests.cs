using ClaudePS.Engine.Tools;
using Xunit;

namespace ClaudePS.Engine.Tests.Tools;

/// <summary>The model's tool input checked against the tool before anything runs, and the command line shown.</summary>
public class ToolInputTests
{
    private static readonly ClaudeTool Tool = ToolFactory.Create(new ToolDefinition
    {
        Name = "Get-Thing", CommandName = "Get-Thing",
        Parameters = new()
        {
            new() { Name = "Name", Mandatory = true },
            new() { Name = "Count", Type = ClaudeToolValueType.Integer },
            new() { Name = "Ratio", Type = ClaudeToolValueType.Number },
            new() { Name = "Force", Type = ClaudeToolValueType.Boolean },
            new() { Name = "Tag", IsArray = true },
            new() { Name = "Status", AllowedValues = new[] { "Running", "Stopped" } },
            new() { Name = "ComputerName" },
        },
        Pinned = new Dictionary<string, object?> { ["ComputerName"] = "srv01" },
    });

    [Fact]
    public void Valid_input_becomes_plain_values_in_parameter_order()
    {
        var args = ToolInput.Bind(Tool, """{"Tag":["a","b"],"Force":true,"Ratio":1.5,"Count":3,"Name":"x","Status":"running"}""", out var error);
        Assert.Null(error);
        Assert.Equal(new[] { "Name", "Count", "Ratio", "Force", "Tag", "Status" }, args!.Keys);
        Assert.Equal(3L, args["Count"]);
        Assert.Equal(1.5, args["Ratio"]);
        Assert.Equal(true, args["Force"]);
        Assert.Equal(new object[] { "a", "b" }, (object?[])args["Tag"]!);
        Assert.Equal("Running", args["Status"]); // the set's own spelling
    }

    [Fact]
    public void A_single_value_for_an_array_parameter_is_accepted_as_one_item()
    {
        var args = ToolInput.Bind(Tool, """{"Name":"x","Tag":"solo"}""", out _);
        Assert.Equal(new object[] { "solo" }, (object?[])args!["Tag"]!);
    }

    [Theory]
    [InlineData("""{"Count":1}""", "'Name' is required")]
    [InlineData("""{"Name":"x","Bogus":1}""", "'Bogus' is not a parameter")]
    [InlineData("""{"Name":"x","ComputerName":"evil"}""", "'ComputerName' is not a parameter")]
    [InlineData("""{"Name":"x","Count":"three"}""", "'Count' takes a whole number")]
    [InlineData("""{"Name":"x","Count":1.5}""", "'Count' takes a whole number")]
    [InlineData("""{"Name":"x","Force":"yes"}""", "'Force' takes true or false")]
    [InlineData("""{"Name":"x","Status":"Paused"}""", "'Paused' is not allowed")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"Name":""", "not valid JSON")]
    public void Bad_input_is_refused_with_a_reason_for_the_model(string json, string expected)
    {
        Assert.Null(ToolInput.Bind(Tool, json, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_command_line_quotes_values_and_never_shows_pinned_values()
    {
        var args = ToolInput.Bind(Tool, """{"Name":"it's","Count":2,"Force":true,"Tag":["a","b"]}""", out _)!;
        Assert.Equal("Get-Thing -Name 'it''s' -Count 2 -Force -Tag 'a','b' -ComputerName <pinned>", ToolInput.CommandLine(Tool, args));
        var off = ToolInput.Bind(Tool, """{"Name":"n","Force":false}""", out _)!;
        Assert.Equal("Get-Thing -Name 'n' -Force:$false -ComputerName <pinned>", ToolInput.CommandLine(Tool, off));
    }
}
