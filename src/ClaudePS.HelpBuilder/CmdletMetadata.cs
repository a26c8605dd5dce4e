using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ClaudePS.HelpBuilder;

/// <summary>A cmdlet as its attributes declare it, read without running any of its code.</summary>
public sealed class CmdletModel
{
    public required string Name { get; init; }
    public string? DefaultParameterSetName { get; init; }
    public bool SupportsShouldProcess { get; init; }
    public required IReadOnlyList<string> OutputTypes { get; init; }
    public required IReadOnlyList<ParameterModel> Parameters { get; init; }

    /// <summary>Every parameter set name (declared plus the default), or the all-sets name when there are none.</summary>
    public IReadOnlyList<string> SetNames
    {
        get
        {
            var names = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(n => n != CmdletMetadata.AllSetsName)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (DefaultParameterSetName is { Length: > 0 } d && !names.Contains(d, StringComparer.OrdinalIgnoreCase)) names.Add(d);
            if (names.Count == 0) names.Add(CmdletMetadata.AllSetsName);
            // The default set first, then alphabetical: the order Get-Command prints.
            return names.OrderBy(n => string.Equals(n, DefaultParameterSetName, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
                .ThenBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }
}

public sealed class ParameterModel
{
    public required string Name { get; init; }
    /// <summary>Short type name as help shows it: String, String[], SwitchParameter, Int32 (for Nullable&lt;Int32&gt; too).</summary>
    public required string TypeName { get; init; }
    public required IReadOnlyList<string> Aliases { get; init; }
    public required IReadOnlyList<SetModel> Sets { get; init; }
    public bool Wildcard { get; init; }
    public bool DontShow { get; init; }
    public IReadOnlyList<string> AcceptedValues { get; init; } = Array.Empty<string>();
    /// <summary>Full name of the parameter type (array element and nullable unwrapped), for INPUTS.</summary>
    public string FullTypeName { get; init; } = "";
}

public sealed record SetModel(string SetName, bool Mandatory, int Position, bool ByValue, bool ByPropertyName);

public static class CmdletMetadata
{
    public const string AllSetsName = "__AllParameterSets";
    private const string Sma = "System.Management.Automation.";

    /// <summary>Every public cmdlet class in an assembly file, loaded for metadata only.</summary>
    public static IReadOnlyList<CmdletModel> ReadAssembly(string assemblyPath, IEnumerable<string> referenceDirs)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var dir in new[] { RuntimeEnvironment.GetRuntimeDirectory(), Path.GetDirectoryName(Path.GetFullPath(assemblyPath))! }.Concat(referenceDirs))
            if (Directory.Exists(dir))
                foreach (var file in Directory.GetFiles(dir, "*.dll")) byName.TryAdd(Path.GetFileNameWithoutExtension(file), file);
        using var context = new MetadataLoadContext(new PathAssemblyResolver(byName.Values));
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        return assembly.GetTypes().Where(IsCmdlet).Select(Read).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Cmdlets of several builds merged by name: parameters united (the first build's wins on a clash).</summary>
    public static IReadOnlyList<CmdletModel> Merge(IEnumerable<IReadOnlyList<CmdletModel>> builds)
    {
        var merged = new Dictionary<string, CmdletModel>(StringComparer.OrdinalIgnoreCase);
        foreach (var build in builds)
            foreach (var c in build)
            {
                if (!merged.TryGetValue(c.Name, out var first)) { merged[c.Name] = c; continue; }
                merged[c.Name] = new CmdletModel
                {
                    Name = first.Name,
                    DefaultParameterSetName = first.DefaultParameterSetName ?? c.DefaultParameterSetName,
                    SupportsShouldProcess = first.SupportsShouldProcess || c.SupportsShouldProcess,
                    OutputTypes = first.OutputTypes.Union(c.OutputTypes).ToArray(),
                    Parameters = first.Parameters.Concat(c.Parameters.Where(p => !first.Parameters.Any(f => f.Name == p.Name))).ToArray(),
                };
            }
        return merged.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }

    public static bool IsCmdlet(Type type)
    {
        if (!type.IsClass || type.IsAbstract || !type.IsPublic) return false;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.FullName == Sma + "Cmdlet") return true;
        return false;
    }

    /// <summary>Reads a cmdlet type from a MetadataLoadContext (or a normally loaded assembly).</summary>
    public static CmdletModel Read(Type type)
    {
        var attrs = type.GetCustomAttributesData();
        var cmdlet = attrs.Single(a => a.AttributeType.FullName == Sma + "CmdletAttribute");
        var outputs = new List<string>();
        foreach (var o in attrs.Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
            foreach (var v in CtorValues(o))
                if (v is Type t) { if (t.FullName != "System.Void") outputs.Add(t.FullName!); }
                else if (v is string s) outputs.Add(s);
        var parameters = new List<ParameterModel>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (ReadParameter(property) is { } p) parameters.Add(p);
        return new CmdletModel
        {
            Name = (string)cmdlet.ConstructorArguments[0].Value! + "-" + (string)cmdlet.ConstructorArguments[1].Value!,
            DefaultParameterSetName = Named<string?>(cmdlet, "DefaultParameterSetName", null),
            SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess", false),
            OutputTypes = outputs.Distinct().ToArray(),
            Parameters = parameters,
        };
    }

    private static ParameterModel? ReadParameter(PropertyInfo property)
    {
        var attrs = property.GetCustomAttributesData();
        var parameterAttrs = attrs.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").ToArray();
        if (parameterAttrs.Length == 0) return null;
        var sets = parameterAttrs.Select(a => new SetModel(
            Named(a, "ParameterSetName", AllSetsName),
            Named(a, "Mandatory", false),
            Named(a, "Position", int.MinValue),
            Named(a, "ValueFromPipeline", false),
            Named(a, "ValueFromPipelineByPropertyName", false))).ToArray();
        return new ParameterModel
        {
            Name = property.Name,
            TypeName = ShortName(property.PropertyType),
            FullTypeName = FullName(property.PropertyType),
            Aliases = attrs.Where(a => a.AttributeType.FullName == Sma + "AliasAttribute").SelectMany(CtorValues).OfType<string>().ToArray(),
            Sets = sets,
            Wildcard = attrs.Any(a => a.AttributeType.FullName == Sma + "SupportsWildcardsAttribute"),
            DontShow = parameterAttrs.Any(a => Named(a, "DontShow", false)),
            AcceptedValues = attrs.Where(a => a.AttributeType.FullName == Sma + "ValidateSetAttribute").SelectMany(CtorValues).OfType<string>().ToArray(),
        };
    }

    public static string ShortName(Type type)
    {
        if (type.IsArray) return ShortName(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") return ShortName(type.GetGenericArguments()[0]);
        if (type.IsGenericType)
        {
            var name = type.Name.Substring(0, type.Name.IndexOf('`'));
            return name + "[" + string.Join(", ", type.GetGenericArguments().Select(ShortName)) + "]";
        }
        return type.Name;
    }

    private static string FullName(Type type)
    {
        if (type.IsArray) return FullName(type.GetElementType()!);
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") return FullName(type.GetGenericArguments()[0]);
        return type.FullName ?? type.Name;
    }

    /// <summary>Named argument of an attribute, or the fallback when the attribute leaves it unset.</summary>
    public static T Named<T>(CustomAttributeData attribute, string name, T fallback)
    {
        foreach (var arg in attribute.NamedArguments)
            if (arg.MemberName == name) return (T)arg.TypedValue.Value!;
        return fallback;
    }

    /// <summary>Positional arguments flattened: a params array becomes its elements.</summary>
    public static IEnumerable<object?> CtorValues(CustomAttributeData attribute)
    {
        foreach (var arg in attribute.ConstructorArguments)
        {
            if (arg.Value is IReadOnlyCollection<CustomAttributeTypedArgument> items)
                foreach (var item in items) yield return item.Value;
            else
                yield return arg.Value;
        }
    }
}
