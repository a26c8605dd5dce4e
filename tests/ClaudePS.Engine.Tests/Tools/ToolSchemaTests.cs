using System.Text.Json;
using ClaudePS.Engine.Tools;
using Xunit;

namespace ClaudePS.Engine.Tests.Tools;

/// <summary>Schema derivation from command parameter metadata, one parameter shape at a time.</summary>
public class ToolSchemaTests
{
    private static ClaudeToolParameter P(string name, ClaudeToolValueType type = ClaudeToolValueType.String, bool array = false, bool mandatory = false,
        ClaudeToolHiddenReason hidden = ClaudeToolHiddenReason.None, string typeName = "String") =>
        new() { Name = name, Type = type, IsArray = array, Mandatory = mandatory, Hidden = hidden, TypeName = typeName };

    private static ClaudeTool Tool(params ClaudeToolParameter[] parameters) =>
        ToolFactory.Create(new ToolDefinition { Name = "Get-Thing", CommandName = "Get-Thing", Parameters = parameters.ToList() });

    private static JsonElement Schema(ClaudeTool tool) => JsonDocument.Parse(tool.InputSchema).RootElement;
    private static JsonElement Prop(ClaudeTool tool, string name) => Schema(tool).GetProperty("properties").GetProperty(name);

    [Fact]
    public void The_schema_is_a_closed_object_with_mandatory_parameters_required()
    {
        var tool = Tool(P("Name", mandatory: true), P("Filter"));
        var schema = Schema(tool);
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(new[] { "Name" }, schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new[] { "Name", "Filter" }, schema.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(ClaudeToolValueType.String, "string")]
    [InlineData(ClaudeToolValueType.Integer, "integer")]
    [InlineData(ClaudeToolValueType.Number, "number")]
    [InlineData(ClaudeToolValueType.Boolean, "boolean")]
    public void Scalar_types_map_to_json_types(ClaudeToolValueType type, string json)
    {
        Assert.Equal(json, Prop(Tool(P("X", type)), "X").GetProperty("type").GetString());
    }

    [Fact]
    public void Arrays_become_json_arrays_of_their_element_type_with_constraints_on_the_items()
    {
        var p = new ClaudeToolParameter { Name = "Id", Type = ClaudeToolValueType.Integer, IsArray = true, Minimum = 1, Maximum = 65535, Description = "Process ids" };
        var prop = Prop(Tool(p), "Id");
        Assert.Equal("array", prop.GetProperty("type").GetString());
        Assert.Equal("Process ids", prop.GetProperty("description").GetString());
        var items = prop.GetProperty("items");
        Assert.Equal("integer", items.GetProperty("type").GetString());
        Assert.Equal(1, items.GetProperty("minimum").GetInt64());
        Assert.Equal(65535, items.GetProperty("maximum").GetInt64());
    }

    [Fact]
    public void ValidateSet_and_enums_become_enum()
    {
        var p = new ClaudeToolParameter { Name = "Status", AllowedValues = new[] { "Running", "Stopped" } };
        Assert.Equal(new[] { "Running", "Stopped" }, Prop(Tool(p), "Status").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void ValidateRange_on_a_number_keeps_fractions()
    {
        var p = new ClaudeToolParameter { Name = "Ratio", Type = ClaudeToolValueType.Number, Minimum = 0.5, Maximum = 2.5 };
        var prop = Prop(Tool(p), "Ratio");
        Assert.Equal(0.5, prop.GetProperty("minimum").GetDouble());
        Assert.Equal(2.5, prop.GetProperty("maximum").GetDouble());
    }

    [Fact]
    public void ValidateLength_and_ValidatePattern_constrain_strings()
    {
        var p = new ClaudeToolParameter { Name = "Code", MinLength = 2, MaxLength = 8, Pattern = "^[A-Z]+$", Description = "A code" };
        var prop = Prop(Tool(p), "Code");
        Assert.Equal(2, prop.GetProperty("minLength").GetInt32());
        Assert.Equal(8, prop.GetProperty("maxLength").GetInt32());
        Assert.Equal("^[A-Z]+$", prop.GetProperty("pattern").GetString());
        Assert.Equal("A code", prop.GetProperty("description").GetString());
    }

    [Fact]
    public void Range_keywords_are_not_put_on_strings_and_length_keywords_not_on_numbers()
    {
        var s = new ClaudeToolParameter { Name = "S", Minimum = 1, Maximum = 3 };
        var n = new ClaudeToolParameter { Name = "N", Type = ClaudeToolValueType.Integer, MinLength = 1, Pattern = "x" };
        var tool = Tool(s, n);
        Assert.False(Prop(tool, "S").TryGetProperty("minimum", out _));
        Assert.False(Prop(tool, "N").TryGetProperty("minLength", out _));
        Assert.False(Prop(tool, "N").TryGetProperty("pattern", out _));
    }

    [Fact]
    public void Secret_and_unsupported_parameters_never_appear_in_the_schema()
    {
        var tool = Tool(P("Name"), P("Credential", hidden: ClaudeToolHiddenReason.Secret, typeName: "PSCredential"),
            P("Filter", hidden: ClaudeToolHiddenReason.Unsupported, typeName: "ScriptBlock"));
        Assert.DoesNotContain("Credential", tool.InputSchema);
        Assert.DoesNotContain("Filter", tool.InputSchema);
        Assert.Equal(ClaudeToolHiddenReason.Secret, tool.Parameters.Single(p => p.Name == "Credential").Hidden);
    }

    [Fact]
    public void Pinned_parameters_are_hidden_even_when_mandatory_and_their_values_are_kept_apart()
    {
        var tool = ToolFactory.Create(new ToolDefinition
        {
            Name = "Get-Thing", CommandName = "Get-Thing",
            Parameters = new() { P("ComputerName", mandatory: true), P("Credential", mandatory: true, hidden: ClaudeToolHiddenReason.Secret, typeName: "PSCredential"), P("Name") },
            Pinned = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["computername"] = "srv01", ["Credential"] = "secret-value" },
        });
        Assert.DoesNotContain("ComputerName", tool.InputSchema);
        Assert.DoesNotContain("Credential", tool.InputSchema);
        Assert.DoesNotContain("srv01", tool.InputSchema);
        Assert.Equal(new[] { "Name" }.Length, JsonDocument.Parse(tool.InputSchema).RootElement.GetProperty("properties").EnumerateObject().Count());
        Assert.Equal("srv01", tool.GetPinnedArguments()["ComputerName"]); // the parameter's own spelling
        Assert.Equal(ClaudeToolHiddenReason.Pinned, tool.Parameters.Single(p => p.Name == "Credential").Hidden);
        Assert.Empty(JsonDocument.Parse(tool.InputSchema).RootElement.GetProperty("required").EnumerateArray());
    }

    [Fact]
    public void A_mandatory_secret_that_is_not_pinned_is_refused_with_what_to_do()
    {
        var ex = Assert.Throws<ClaudeException>(() => Tool(P("Credential", mandatory: true, hidden: ClaudeToolHiddenReason.Secret, typeName: "PSCredential")));
        Assert.Equal("ClaudePS.InvalidTool", ex.Error.ErrorId);
        Assert.Contains("-ToolParameter", ex.Error.Message);
    }

    [Fact]
    public void A_mandatory_unsupported_parameter_that_is_not_pinned_is_refused()
    {
        var ex = Assert.Throws<ClaudeException>(() => Tool(P("Script", mandatory: true, hidden: ClaudeToolHiddenReason.Unsupported, typeName: "ScriptBlock")));
        Assert.Contains("ScriptBlock", ex.Error.Message);
    }

    [Fact]
    public void Pinning_a_parameter_the_command_does_not_have_is_refused_naming_the_real_ones()
    {
        var ex = Assert.Throws<ClaudeException>(() => ToolFactory.Create(new ToolDefinition
        {
            Name = "Get-Thing", CommandName = "Get-Thing", Parameters = new() { P("Name") },
            Pinned = new Dictionary<string, object?> { ["Nope"] = 1 },
        }));
        Assert.Contains("'Nope'", ex.Error.Message);
        Assert.Contains("Name", ex.Error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a.b")]
    public void Invalid_tool_names_are_refused(string name)
    {
        var ex = Assert.Throws<ClaudeException>(() => ToolFactory.Create(new ToolDefinition { Name = name, CommandName = "x" }));
        Assert.Equal("ClaudePS.InvalidTool", ex.Error.ErrorId);
    }

    [Theory]
    [InlineData("Get-Service", true)]
    [InlineData("test-path", true)]
    [InlineData("Measure-Object", true)]
    [InlineData("Restart-Service", false)]
    [InlineData("Remove-Item", false)]
    [InlineData("Set-Content", false)]
    [InlineData("MyScript", false)]
    public void Read_only_is_decided_by_the_verb(string command, bool readOnly)
    {
        Assert.Equal(readOnly, ToolVerbs.IsReadOnly(command));
        Assert.Equal(readOnly, ToolFactory.Create(new ToolDefinition { Name = "t", CommandName = command }).ReadOnly);
    }

    [Fact]
    public void The_definition_names_the_tool_and_a_default_description_names_the_command()
    {
        var tool = Tool(P("Name"));
        using var doc = JsonDocument.Parse(ToolFactory.Definition(tool));
        Assert.Equal("Get-Thing", doc.RootElement.GetProperty("name").GetString());
        Assert.Contains("Get-Thing", doc.RootElement.GetProperty("description").GetString());
        Assert.Equal("object", doc.RootElement.GetProperty("input_schema").GetProperty("type").GetString());
    }
}
