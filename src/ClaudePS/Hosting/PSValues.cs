using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;

namespace ClaudePS.Hosting;

/// <summary>PowerShell values as plain .NET values, for engine helpers that never see PSObject.</summary>
internal static class PSValues
{
    /// <summary>Unwraps PSObjects all the way down: hashtables keep their key order, PSCustomObjects become
    /// ordered dictionaries of their properties, arrays become lists.</summary>
    public static object? Unwrap(object? value, int depth = 0)
    {
        if (depth > 64) return value; // the engine reports the depth as an error
        if (value is PSObject ps)
        {
            if (ps.BaseObject is PSCustomObject)
            {
                var props = new OrderedDictionary();
                foreach (var p in ps.Properties) props[p.Name] = Unwrap(p.Value, depth + 1);
                return props;
            }
            value = ps.BaseObject;
        }
        switch (value)
        {
            case null: return null;
            case string: return value;
            case IDictionary dict:
                var copy = new OrderedDictionary();
                foreach (DictionaryEntry e in dict) copy[Unwrap(e.Key, depth + 1) ?? ""] = Unwrap(e.Value, depth + 1);
                return copy;
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items) list.Add(Unwrap(item, depth + 1));
                return list;
            default: return value;
        }
    }
}
