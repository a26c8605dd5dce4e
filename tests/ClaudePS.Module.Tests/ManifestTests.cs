using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace ClaudePS.Module.Tests;

/// <summary>ClaudePS.psd1 and ClaudePS.Format.ps1xml agree with the cmdlet classes in the built dll.</summary>
public class ManifestTests
{
    private static readonly Lazy<string> ManifestText = new(() => File.ReadAllText(ModuleUnderTest.SourceManifest));

    /// <summary>The quoted strings of a top-level <c>Key = @( ... )</c> or <c>Key = '...'</c> entry.</summary>
    private static IReadOnlyList<string> Values(string key)
    {
        var text = Regex.Replace(ManifestText.Value, @"(?m)#.*$", ""); // drop comments
        var m = Regex.Match(text, $@"(?m)^\s*{key}\s*=\s*(@\((?<list>[^)]*)\)|(?<one>'[^']*'|""[^""]*""))");
        Assert.True(m.Success, $"ClaudePS.psd1 has no {key} entry.");
        var body = m.Groups["list"].Success ? m.Groups["list"].Value : m.Groups["one"].Value;
        return Regex.Matches(body, @"'(?<v>[^']*)'|""(?<v>[^""]*)""").Select(x => x.Groups["v"].Value).ToArray();
    }

    [Fact]
    public void CmdletsToExport_equals_the_cmdlet_classes_and_is_sorted()
    {
        var exported = Values("CmdletsToExport");
        var classes = ModuleUnderTest.Cmdlets.Select(c => c.Name).ToArray();
        Assert.DoesNotContain(exported, e => e.Contains('*'));
        Assert.Equal(classes.OrderBy(n => n, StringComparer.OrdinalIgnoreCase), exported.OrderBy(n => n, StringComparer.OrdinalIgnoreCase));
        Assert.Equal(exported.OrderBy(n => n, StringComparer.OrdinalIgnoreCase), exported);
    }

    [Fact]
    public void Manifest_declares_editions_versions_formats_and_root_module()
    {
        Assert.Equal(new[] { "ClaudePS.dll" }, Values("RootModule"));
        Assert.Equal(new[] { "Core", "Desktop" }, Values("CompatiblePSEditions").OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(new[] { "5.1" }, Values("PowerShellVersion"));
        Assert.Equal(new[] { "4.7.2" }, Values("DotNetFrameworkVersion"));
        Assert.Contains("ClaudePS.Format.ps1xml", Values("FormatsToProcess"));
        Assert.Empty(Values("FunctionsToExport"));
        Assert.Empty(Values("AliasesToExport"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", Values("ModuleVersion").Single());
        Assert.True(Guid.TryParse(Values("GUID").Single(), out _));
        foreach (var key in new[] { "Tags", "ProjectUri", "LicenseUri", "ReleaseNotes" })
            Assert.NotEmpty(Values(key));
    }

    [Fact]
    public void Built_module_carries_the_source_manifest_and_format_file()
    {
        Assert.Equal(File.ReadAllText(ModuleUnderTest.SourceManifest), File.ReadAllText(Path.Combine(ModuleUnderTest.ModuleDir, "ClaudePS.psd1")));
        foreach (var format in Values("FormatsToProcess"))
        {
            var built = Path.Combine(ModuleUnderTest.ModuleDir, format);
            Assert.True(File.Exists(built), $"{format} is listed in FormatsToProcess but missing from out/ClaudePS.");
            Assert.Equal(File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "src", "ClaudePS", format)), File.ReadAllText(built));
        }
    }

    [Fact]
    public void Every_Abstractions_output_type_has_a_view()
    {
        var viewed = FormatTypeNames();
        var missing = new List<string>();
        foreach (var c in ModuleUnderTest.Cmdlets)
            foreach (var t in c.OutputTypes.OfType<Type>())
                if (t.Assembly.GetName().Name == "ClaudePS.Abstractions" && t.IsPublic && !viewed.Contains(t.FullName!))
                    missing.Add($"{t.FullName} (from {c})");
        Assert.True(missing.Count == 0, "No view in ClaudePS.Format.ps1xml for: " + string.Join(", ", missing.Distinct()));
    }

    [Fact]
    public void Every_view_selects_a_type_the_module_defines_or_declares()
    {
        // A view for a type that no longer exists is dead; PSTypeNames that are not CLR types (rows the
        // module builds as PSObjects) count when a cmdlet declares them with [OutputType("Name")].
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var asm in new[] { ModuleUnderTest.ModuleAssembly, ModuleUnderTest.AbstractionsAssembly })
            foreach (var t in asm.GetTypes().Where(t => t.IsPublic)) known.Add(t.FullName!);
        foreach (var c in ModuleUnderTest.Cmdlets)
            foreach (var name in c.OutputTypes.OfType<string>()) known.Add(name);
        foreach (var name in FormatTypeNames())
            Assert.True(known.Contains(name), $"ClaudePS.Format.ps1xml has a view for '{name}', which is neither a public module type nor an [OutputType(\"{name}\")] of a cmdlet.");
    }

    [Fact]
    public void Format_views_are_well_formed()
    {
        var doc = XDocument.Load(FormatPath);
        var views = doc.Descendants("View").ToArray();
        Assert.NotEmpty(views);
        Assert.All(views, v =>
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)v.Element("Name")), "a view without a Name");
            Assert.Contains(v.Element("ViewSelectedBy")!.Elements(), e => e.Name == "TypeName" || e.Name == "SelectionSetName");
            var table = v.Element("TableControl");
            if (table is not null)
            {
                int headers = table.Element("TableHeaders")?.Elements("TableColumnHeader").Count() ?? 0;
                foreach (var row in table.Descendants("TableColumnItems"))
                    Assert.True(headers == 0 || headers == row.Elements("TableColumnItem").Count(), $"view {(string?)v.Element("Name")}: {headers} headers but {row.Elements("TableColumnItem").Count()} columns");
            }
        });
        Assert.Equal(views.Length, views.Select(v => (string?)v.Element("Name")).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void ClaudeErrorCategory_matches_PowerShell_ErrorCategory()
    {
        // ErrorRecords casts one to the other by value, so names and values must agree exactly.
        static Dictionary<string, long> Constants(Type enumType) => enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => Convert.ToInt64(f.GetRawConstantValue()));
        var ps = Constants(ModuleUnderTest.PowerShellAssembly.GetType("System.Management.Automation.ErrorCategory", throwOnError: true)!);
        var ours = Constants(ModuleUnderTest.AbstractionsAssembly.GetType("ClaudePS.ClaudeErrorCategory", throwOnError: true)!);
        Assert.True(ps.Count > 30, "the reference ErrorCategory was not read");
        Assert.Equal(ps.OrderBy(kv => kv.Key), ours.OrderBy(kv => kv.Key));
    }

    private static string FormatPath => Path.Combine(ModuleUnderTest.RepoRoot, "src", "ClaudePS", "ClaudePS.Format.ps1xml");

    private static HashSet<string> FormatTypeNames() =>
        XDocument.Load(FormatPath).Descendants("ViewSelectedBy").Elements("TypeName").Select(e => e.Value.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
