using System.Collections.Generic;
using System.Management.Automation;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Hosting;

/// <summary>The engine's plain JSON tree as PSCustomObjects (what ConvertFrom-Json would give).</summary>
internal static class JsonToPSObject
{
    public static object? Convert(string json) => ToPS(JsonTree.Parse(json));

    /// <summary>An already parsed <see cref="JsonTree"/> (structured output's Data) as PSCustomObjects.</summary>
    public static object? FromTree(object? tree) => ToPS(tree);

    private static object? ToPS(object? node)
    {
        switch (node)
        {
            case IReadOnlyList<KeyValuePair<string, object?>> obj:
                var ps = new PSObject();
                foreach (var kv in obj) ps.Properties.Add(new PSNoteProperty(kv.Key, ToPS(kv.Value)));
                return ps;
            case IReadOnlyList<object?> list:
                var items = new object?[list.Count];
                for (int i = 0; i < items.Length; i++) items[i] = ToPS(list[i]);
                return items;
            default:
                return node;
        }
    }
}
