using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

public class StructuredOutputTests
{
    public enum Mood { Calm, Angry }

    public sealed class Verdict
    {
        public string Summary { get; set; } = "";
        public Mood Mood { get; set; }
        public List<string> Labels { get; set; } = new();
        public int? Score { get; set; }
    }

    private static ClaudeResponse Reply(string text, string stop = "end_turn") => new() { Text = text, StopReason = stop, RequestId = "req_9" };

    [Fact]
    public void A_reply_is_deserialised_into_the_type_case_insensitively_with_enum_names()
    {
        var v = Assert.IsType<Verdict>(StructuredOutput.Parse(Reply("{\"summary\":\"ok\",\"MOOD\":\"Angry\",\"labels\":[\"a\",\"b\"],\"score\":null}"), typeof(Verdict)));
        Assert.Equal("ok", v.Summary);
        Assert.Equal(Mood.Angry, v.Mood);
        Assert.Equal(new[] { "a", "b" }, v.Labels);
        Assert.Null(v.Score);
    }

    public sealed class Loose
    {
        public object? Note { get; set; }
    }

    [Fact]
    public void An_untyped_property_is_asked_for_as_text_and_never_holds_a_JsonElement()
    {
        var schema = System.Text.Json.JsonDocument.Parse(JsonSchemaBuilder.FromType(typeof(Loose))).RootElement;
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("Note").GetProperty("type").GetString());
        Assert.Equal("hi", Assert.IsType<Loose>(StructuredOutput.Parse(Reply("{\"note\":\"hi\"}"), typeof(Loose))).Note);
        var nested = Assert.IsType<Loose>(StructuredOutput.Parse(Reply("{\"note\":{\"a\":[1,true]}}"), typeof(Loose))).Note;
        var dict = Assert.IsType<Dictionary<string, object?>>(nested);
        Assert.Equal(new List<object?> { 1L, true }, dict["a"]);
    }

    [Fact]
    public void A_fenced_json_reply_is_accepted()
    {
        var tree = StructuredOutput.ParseTree(Reply("```json\n{\"a\": [1, 2.5, true]}\n```"));
        var obj = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(tree);
        Assert.Equal("a", obj[0].Key);
        Assert.Equal(new object?[] { 1L, 2.5, true }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(obj[0].Value));
    }

    [Fact]
    public void A_reply_that_is_not_json_is_an_error_carrying_the_raw_text()
    {
        var ex = Assert.Throws<ClaudeException>(() => StructuredOutput.ParseTree(Reply("Sorry, here it is: {")));
        Assert.Equal("ClaudePS.InvalidStructuredOutput", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.InvalidResult, ex.Error.Category);
        Assert.Equal("Sorry, here it is: {", ex.Error.PartialText);
        Assert.Equal("req_9", ex.Error.RequestId);
    }

    [Fact]
    public void A_reply_cut_at_max_tokens_says_to_raise_max_tokens()
    {
        var ex = Assert.Throws<ClaudeException>(() => StructuredOutput.Parse(Reply("{\"summary\":\"o", "max_tokens"), typeof(Verdict)));
        Assert.Equal("ClaudePS.InvalidStructuredOutput", ex.Error.ErrorId);
        Assert.Contains("-MaxTokens", ex.Message);
        Assert.Equal("{\"summary\":\"o", ex.Error.PartialText);
    }

    [Fact]
    public void A_reply_that_does_not_fit_the_type_names_the_type()
    {
        var ex = Assert.Throws<ClaudeException>(() => StructuredOutput.Parse(Reply("{\"Mood\":\"Ecstatic\"}"), typeof(Verdict)));
        Assert.Contains("Verdict", ex.Message);
    }

    [Fact]
    public void OutputType_and_JsonSchema_together_are_refused()
    {
        var ex = Assert.Throws<ClaudeException>(() => StructuredOutput.SchemaFor(new PromptOptions { OutputType = typeof(Verdict), JsonSchema = "{}" }));
        Assert.Equal(ClaudeErrorCategory.InvalidArgument, ex.Error.Category);
    }

    [Fact]
    public void The_schema_is_written_as_output_config_format()
    {
        var request = MessageRequest.ForPrompt("hi", "claude-sonnet-4-5");
        request.OutputSchemaJson = StructuredOutput.SchemaFor(new PromptOptions { JsonSchema = "{ \"type\": \"object\" }" });
        var body = System.Text.Json.JsonDocument.Parse(MessageRequestWriter.Write(request, stream: false)).RootElement;
        var format = body.GetProperty("output_config").GetProperty("format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("object", format.GetProperty("schema").GetProperty("type").GetString());
    }
}
