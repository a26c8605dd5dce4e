using System.Reflection;
using Xunit;

namespace ClaudePS.Module.Tests;

/// <summary>
/// The cmdlet conventions of DESIGN.md §5 and §7, checked on every cmdlet class in the built ClaudePS.dll
/// (one test case per cmdlet). Only metadata is read; no cmdlet code runs.
/// </summary>
public class CmdletShapeTests
{
    public static TheoryData<string> Cmdlets => ModuleUnderTest.CmdletNames();

    /// <summary>Common parameters and their aliases (PowerShell 7.4 added ProgressAction/proga).</summary>
    private static readonly string[] CommonParameters =
    {
        "Verbose", "vb", "Debug", "db", "ErrorAction", "ea", "WarningAction", "wa", "InformationAction", "infa",
        "ErrorVariable", "ev", "WarningVariable", "wv", "InformationVariable", "iv", "OutVariable", "ov",
        "OutBuffer", "ob", "PipelineVariable", "pv", "ProgressAction", "proga",
    };

    private static readonly string[] ShouldProcessParameters = { "WhatIf", "wi", "Confirm", "cf" };

    private static readonly Lazy<HashSet<string>> ApprovedVerbs = new(() =>
    {
        // The Verbs* classes of the reference assembly: each public const field is one approved verb.
        var verbs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cls in new[] { "VerbsCommon", "VerbsCommunications", "VerbsData", "VerbsDiagnostic", "VerbsLifecycle", "VerbsOther", "VerbsSecurity" })
        {
            var type = ModuleUnderTest.PowerShellAssembly.GetType("System.Management.Automation." + cls, throwOnError: true)!;
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
                if (field.IsLiteral && field.GetRawConstantValue() is string verb) verbs.Add(verb);
        }
        return verbs;
    });

    [Fact]
    public void The_module_has_cmdlets_and_the_approved_verb_list_was_read()
    {
        Assert.Contains(ModuleUnderTest.Cmdlets, c => c.Name == "Invoke-ClaudePrompt");
        Assert.Contains("Get", ApprovedVerbs.Value);
        Assert.Contains("Invoke", ApprovedVerbs.Value);
        Assert.DoesNotContain("Fetch", ApprovedVerbs.Value);
        Assert.True(ApprovedVerbs.Value.Count > 90, $"only {ApprovedVerbs.Value.Count} verbs read");
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Uses_an_approved_verb_and_a_Claude_noun(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        Assert.True(ApprovedVerbs.Value.Contains(c.Verb), $"{c}: '{c.Verb}' is not an approved verb (Get-Verb lists them).");
        Assert.StartsWith("Claude", c.Noun, StringComparison.Ordinal);
        Assert.Equal(c.Verb + c.Noun + "Command", c.Type.Name);
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Declares_OutputType(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        Assert.True(c.OutputTypes.Count > 0, $"{c} has no [OutputType].");
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Parameter_sets_are_unambiguous(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        var sets = c.SetNames;
        if (sets.Count > 1)
        {
            Assert.False(string.IsNullOrEmpty(c.DefaultParameterSetName), $"{c} has {sets.Count} parameter sets and no DefaultParameterSetName.");
        }
        // Two sets that bind the same mandatory parameters can only be told apart by the default set.
        var signatures = sets.ToDictionary(s => s, s => Signature(c, s), StringComparer.OrdinalIgnoreCase);
        foreach (var a in sets)
            foreach (var b in sets)
            {
                if (string.CompareOrdinal(a, b) >= 0) continue;
                bool eitherIsDefault = string.Equals(a, c.DefaultParameterSetName, StringComparison.OrdinalIgnoreCase) || string.Equals(b, c.DefaultParameterSetName, StringComparison.OrdinalIgnoreCase);
                if (!eitherIsDefault)
                    Assert.False(signatures[a] == signatures[b] && signatures[a].Length > 0,
                        $"{c}: parameter sets '{a}' and '{b}' have the same mandatory parameters ({signatures[a]}); PowerShell cannot choose between them.");
            }

        // A set whose parameters are all in the default set can never be chosen.
        if (c.DefaultParameterSetName is { Length: > 0 } def && sets.Count > 1)
        {
            var inDefault = c.InSet(def).Select(x => x.Parameter.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var set in sets.Where(s => !string.Equals(s, def, StringComparison.OrdinalIgnoreCase)))
                Assert.True(c.InSet(set).Any(x => !inDefault.Contains(x.Parameter.Name)),
                    $"{c}: every parameter of set '{set}' is also in the default set '{def}', so '{set}' is unreachable.");
        }
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Positions_are_unique_within_each_set(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        var sets = c.SetNames.Count > 0 ? c.SetNames : new[] { ModuleUnderTest.AllSets };
        foreach (var set in sets)
        {
            var positioned = c.InSet(set).Where(x => x.Entry.Position != int.MinValue).ToArray();
            foreach (var group in positioned.GroupBy(x => x.Entry.Position))
                Assert.True(group.Count() == 1, $"{c}: in set '{set}', position {group.Key} is taken by {string.Join(", ", group.Select(x => "-" + x.Parameter.Name))}.");
            Assert.All(positioned, x => Assert.True(x.Entry.Position >= 0, $"{c}: -{x.Parameter.Name} has a negative position."));
        }
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void No_parameter_or_alias_collides_with_a_common_parameter(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        var reserved = new HashSet<string>(CommonParameters, StringComparer.OrdinalIgnoreCase);
        if (c.SupportsShouldProcess) reserved.UnionWith(ShouldProcessParameters);
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in c.Parameters)
            foreach (var name in p.Aliases.Prepend(p.Name))
            {
                Assert.False(reserved.Contains(name), $"{c}: '{name}' (on -{p.Name}) collides with a common parameter.");
                Assert.True(seen.TryAdd(name, p.Name), $"{c}: '{name}' names both -{p.Name} and -{seen.GetValueOrDefault(name)}.");
            }
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Parameter_and_property_types_are_not_engine_types(string cmdlet)
    {
        // PowerShell reflects over cmdlet properties before the engine's load context can resolve
        // anything, so an Engine type here fails the import on PowerShell 7.
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        foreach (var property in c.Type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static))
        {
            if (property.GetMethod is { } getter && (getter.IsPrivate || getter.IsAssembly || getter.IsFamilyAndAssembly) &&
                (property.SetMethod is null || property.SetMethod.IsPrivate || property.SetMethod.IsAssembly || property.SetMethod.IsFamilyAndAssembly))
                continue; // not visible outside the assembly
            foreach (var t in Expand(property.PropertyType))
                Assert.False(IsEngineType(t), $"{c}: property {property.Name} uses the engine type {t.FullName}; use a BCL, PowerShell or Abstractions type.");
        }
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Pipeline_input_is_bound_and_processed_per_record(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        bool takesPipeline = c.Parameters.Any(p => p.Sets.Any(s => s.FromPipeline || s.FromPipelineByPropertyName));
        if (c.Verb == "Invoke")
            Assert.True(takesPipeline, $"{c}: Invoke-* cmdlets take rows from the pipeline; mark a parameter ValueFromPipeline or ValueFromPipelineByPropertyName.");
        if (takesPipeline)
        {
            // Input bound from the pipeline is only seen record by record in ProcessRecord.
            var process = c.Type.GetMethod("ProcessRecord", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            Assert.True(process is not null && process.DeclaringType!.FullName != "System.Management.Automation.Cmdlet",
                $"{c} takes pipeline input but does not override ProcessRecord.");
        }
        // At most one parameter per set takes whole pipeline objects by value of the same type.
        foreach (var set in c.SetNames.DefaultIfEmpty(ModuleUnderTest.AllSets))
        {
            var byValue = c.InSet(set).Where(x => x.Entry.FromPipeline).GroupBy(x => x.Parameter.Type.FullName);
            Assert.All(byValue, g => Assert.True(g.Count() == 1, $"{c}: set '{set}' has several ValueFromPipeline parameters of type {g.Key}."));
        }
    }

    [Theory, MemberData(nameof(Cmdlets))]
    public void Switches_are_not_mandatory_or_positional(string cmdlet)
    {
        var c = ModuleUnderTest.Cmdlet(cmdlet);
        foreach (var p in c.Parameters.Where(p => p.Type.FullName == "System.Management.Automation.SwitchParameter"))
            Assert.All(p.Sets, s => Assert.True(!s.Mandatory && s.Position == int.MinValue, $"{c}: switch -{p.Name} is mandatory or positional."));
    }

    private static string Signature(CmdletShape c, string set) =>
        string.Join(",", c.InSet(set).Where(x => x.Entry.Mandatory).Select(x => x.Parameter.Name + ":" + x.Parameter.Type.FullName).OrderBy(s => s, StringComparer.OrdinalIgnoreCase));

    private static IEnumerable<Type> Expand(Type t)
    {
        yield return t;
        if (t.HasElementType)
            foreach (var e in Expand(t.GetElementType()!)) yield return e;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments())
                foreach (var e in Expand(a)) yield return e;
    }

    private static bool IsEngineType(Type t) =>
        t.Assembly.GetName().Name == "ClaudePS.Engine" || (t.Namespace?.StartsWith("ClaudePS.Engine", StringComparison.Ordinal) ?? false);
}
