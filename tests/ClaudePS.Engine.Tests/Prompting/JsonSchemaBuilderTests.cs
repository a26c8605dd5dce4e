using System.Collections;
using System.Collections.Specialized;
using System.ComponentModel;
using System.Text.Json;
using ClaudePS.Engine.Prompting;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

public class JsonSchemaBuilderTests
{
    public enum Priority { Low, Normal, Urgent }

    public sealed class Ticket
    {
        [Description("One line summary")]
        public string Title { get; set; } = "";
        public Priority Priority { get; set; }
        public int Count { get; set; }
        public double Score { get; set; }
        public bool Escalate { get; set; }
        public int? Minutes { get; set; }
        public DateTime Due { get; set; }
        public List<Tag> Tags { get; set; } = new();
        public string[] Owners { get; set; } = Array.Empty<string>();
        public string Computed => Title + "!";   // read-only: not part of the schema
    }

    public sealed class Tag
    {
        public string Name { get; set; } = "";
    }

    /// <summary>Stands in for PowerShell's attribute, which the builder matches by name.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class ValidateSetAttribute : Attribute
    {
        public ValidateSetAttribute(params string[] values) => ValidValues = values;
        public IList<string> ValidValues { get; }
    }

    public sealed class Routed
    {
        [ValidateSet("P1", "P2", "P3")]
        public string Priority { get; set; } = "";
    }

    [Fact]
    public void A_ValidateSet_on_a_string_property_becomes_an_enum()
    {
        var p = JsonDocument.Parse(JsonSchemaBuilder.FromType(typeof(Routed))).RootElement.GetProperty("properties").GetProperty("Priority");
        Assert.Equal("string", p.GetProperty("type").GetString());
        Assert.Equal(new[] { "P1", "P2", "P3" }, p.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    public sealed class Node
    {
        public string Name { get; set; } = "";
        public List<Node> Children { get; set; } = new();
    }

    [Fact]
    public void A_type_becomes_a_strict_object_schema_with_every_settable_property_required()
    {
        var schema = JsonDocument.Parse(JsonSchemaBuilder.FromType(typeof(Ticket))).RootElement;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        var required = schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(new[] { "Title", "Priority", "Count", "Score", "Escalate", "Minutes", "Due", "Tags", "Owners" }, required);

        var p = schema.GetProperty("properties");
        Assert.False(p.TryGetProperty("Computed", out _));
        Assert.Equal("string", p.GetProperty("Title").GetProperty("type").GetString());
        Assert.Equal("One line summary", p.GetProperty("Title").GetProperty("description").GetString());
        Assert.Equal(new[] { "Low", "Normal", "Urgent" }, p.GetProperty("Priority").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("integer", p.GetProperty("Count").GetProperty("type").GetString());
        Assert.Equal("number", p.GetProperty("Score").GetProperty("type").GetString());
        Assert.Equal("boolean", p.GetProperty("Escalate").GetProperty("type").GetString());
        var anyOf = p.GetProperty("Minutes").GetProperty("anyOf").EnumerateArray().ToArray();
        Assert.Equal("integer", anyOf[0].GetProperty("type").GetString());
        Assert.Equal("null", anyOf[1].GetProperty("type").GetString());
        Assert.Equal("date-time", p.GetProperty("Due").GetProperty("format").GetString());
        var tags = p.GetProperty("Tags");
        Assert.Equal("array", tags.GetProperty("type").GetString());
        Assert.Equal("Name", tags.GetProperty("items").GetProperty("required")[0].GetString());
        Assert.Equal("string", p.GetProperty("Owners").GetProperty("items").GetProperty("type").GetString());
    }

    [Fact]
    public void A_self_referencing_type_is_refused_with_a_clear_error()
    {
        var ex = Assert.Throws<ClaudeException>(() => JsonSchemaBuilder.FromType(typeof(Node)));
        Assert.Equal("ClaudePS.InvalidSchema", ex.Error.ErrorId);
        Assert.Contains("Node", ex.Message);
    }

    [Theory]
    [InlineData(typeof(string))]
    [InlineData(typeof(List<Tag>))]
    [InlineData(typeof(Hashtable))]
    public void A_top_level_type_without_a_fixed_object_shape_is_refused(Type type)
    {
        var ex = Assert.Throws<ClaudeException>(() => JsonSchemaBuilder.FromType(type));
        Assert.Equal(ClaudeErrorCategory.InvalidArgument, ex.Error.Category);
    }

    [Fact]
    public void A_hashtable_schema_keeps_order_nesting_arrays_and_scalar_types()
    {
        var props = new OrderedDictionary
        {
            ["name"] = new Hashtable { ["type"] = "string" },
            ["level"] = new OrderedDictionary { ["type"] = "string", ["enum"] = new object[] { "low", "high" } },
            ["score"] = new Hashtable { ["type"] = typeof(double) },
        };
        var schema = new OrderedDictionary
        {
            ["type"] = "object",
            ["properties"] = props,
            ["required"] = new List<object> { "name", "level" },
            ["additionalProperties"] = false,
            ["maxItems"] = 3,
        };
        var json = JsonSchemaBuilder.FromDictionary(schema);
        Assert.Equal(
            "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"level\":{\"type\":\"string\",\"enum\":[\"low\",\"high\"]},\"score\":{\"type\":\"number\"}}," +
            "\"required\":[\"name\",\"level\"],\"additionalProperties\":false,\"maxItems\":3}", json);
    }

    [Fact]
    public void A_hashtable_that_contains_itself_is_an_error_not_a_stack_overflow()
    {
        var loop = new Hashtable();
        loop["self"] = loop;
        Assert.Equal("ClaudePS.InvalidSchema", Assert.Throws<ClaudeException>(() => JsonSchemaBuilder.FromDictionary(loop)).Error.ErrorId);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    public void Schema_text_must_be_a_json_object(string text) =>
        Assert.Equal("ClaudePS.InvalidSchema", Assert.Throws<ClaudeException>(() => JsonSchemaBuilder.Normalize(text)).Error.ErrorId);
}
