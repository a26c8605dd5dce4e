using System.Reflection;
using ClaudePS.Loader;
using Xunit;

namespace ClaudePS.Module.Tests.Loader;

/// <summary>Every branch of the resolver's decisions, for both the PowerShell 7 load context and the 5.1 handler.</summary>
public class DependencyRulesTests
{
    private static AssemblyName Name(string name, string? version) => new(version is null ? name : $"{name}, Version={version}");
    private static readonly Version V8 = new(8, 0, 0, 0), V9 = new(9, 0, 0, 0), V10 = new(10, 0, 0, 0);

    [Theory]
    [InlineData("ClaudePS")]
    [InlineData("ClaudePS.Abstractions")]
    [InlineData("claudeps.abstractions")]
    [InlineData("ClaudePS.Loader")]
    [InlineData("System.Management.Automation")]
    [InlineData("Microsoft.PowerShell.Commands.Utility")]
    [InlineData("netstandard")]
    [InlineData("mscorlib")]
    public void Shared_assemblies_always_come_from_the_host(string name)
    {
        Assert.True(DependencyRules.IsShared(name));
        // Even when a private copy exists and the host has none.
        Assert.Equal(DependencyDecision.DeferToHost, DependencyRules.Decide(Name(name, "1.0.0.0"), hostVersion: null, privateVersion: V10));
    }

    [Theory]
    [InlineData("Polly.Core")]
    [InlineData("ClaudePS.Engine")]
    [InlineData("System.Text.Json")]
    public void Other_assemblies_are_not_shared(string name) => Assert.False(DependencyRules.IsShared(name));

    [Fact]
    public void Without_a_private_copy_the_host_resolves_it()
    {
        Assert.Equal(DependencyDecision.DeferToHost, DependencyRules.Decide(Name("System.Text.Json", "8.0.0.0"), hostVersion: V10, privateVersion: null));
        Assert.Equal(DependencyDecision.DeferToHost, DependencyRules.Decide(Name("Some.Framework", "8.0.0.0"), hostVersion: null, privateVersion: null));
    }

    [Fact]
    public void Not_loaded_in_the_host_loads_privately()
    {
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.Decide(Name("Polly.Core", "8.0.0.0"), hostVersion: null, privateVersion: V8));
    }

    [Fact]
    public void Host_copy_at_an_equal_or_higher_version_is_reused_not_loaded_twice()
    {
        Assert.Equal(DependencyDecision.UseHostCopy, DependencyRules.Decide(Name("Microsoft.IdentityModel.Tokens", "8.0.0.0"), hostVersion: V8, privateVersion: V8));
        Assert.Equal(DependencyDecision.UseHostCopy, DependencyRules.Decide(Name("Microsoft.IdentityModel.Tokens", "8.0.0.0"), hostVersion: V10, privateVersion: V9));
    }

    [Fact]
    public void Host_copy_older_than_ours_is_not_used()
    {
        // Az.Accounts loaded an older IdentityModel: ours loads privately beside it.
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.Decide(Name("Microsoft.IdentityModel.Tokens", "8.0.0.0"), hostVersion: V8, privateVersion: V10));
    }

    [Fact]
    public void Host_copy_older_than_requested_is_not_used()
    {
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.Decide(Name("Polly.Core", "10.0.0.0"), hostVersion: V9, privateVersion: V8));
    }

    [Fact]
    public void A_request_without_a_version_accepts_any_host_copy_at_least_as_new_as_ours()
    {
        Assert.Equal(DependencyDecision.UseHostCopy, DependencyRules.Decide(Name("Polly.Core", null), hostVersion: V8, privateVersion: V8));
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.Decide(Name("Polly.Core", null), hostVersion: V8, privateVersion: V9));
    }

    [Theory]
    [InlineData("ClaudePS")]
    [InlineData("ClaudePS.Loader")]
    [InlineData("System.Management.Automation")]
    [InlineData("mscorlib")]
    public void Desktop_defers_shared_assemblies_to_the_host(string name) =>
        Assert.Equal(DependencyDecision.DeferToHost, DependencyRules.DecideDesktop(Name(name, "1.0.0.0"), alreadyLoaded: null, privateVersion: V10));

    [Fact]
    public void Desktop_serves_Abstractions_like_a_private_dependency()
    {
        // 5.1 may ask for Abstractions by a version the engine was built against; the loaded copy answers.
        Assert.Equal(DependencyDecision.UseHostCopy, DependencyRules.DecideDesktop(Name("ClaudePS.Abstractions", "0.1.0.0"), alreadyLoaded: new Version(0, 1, 0, 0), privateVersion: null));
    }

    [Fact]
    public void Desktop_acts_as_a_binding_redirect_to_our_copy()
    {
        // Polly asks for System.Memory 4.0.1.1; we ship 4.0.1.2 and the AppDomain has none loaded.
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.DecideDesktop(Name("System.Memory", "4.0.1.1"), alreadyLoaded: null, privateVersion: new Version(4, 0, 1, 2)));
        // Asked for a newer version than we ship: still ours, as a redirect would do.
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.DecideDesktop(Name("System.Memory", "4.0.2.0"), alreadyLoaded: null, privateVersion: new Version(4, 0, 1, 2)));
    }

    [Fact]
    public void Desktop_reuses_a_loaded_copy_at_least_as_new_as_requested()
    {
        Assert.Equal(DependencyDecision.UseHostCopy, DependencyRules.DecideDesktop(Name("System.Memory", "4.0.1.1"), alreadyLoaded: new Version(4, 0, 1, 1), privateVersion: new Version(4, 0, 1, 2)));
        Assert.Equal(DependencyDecision.UseHostCopy, DependencyRules.DecideDesktop(Name("System.Memory", null), alreadyLoaded: new Version(4, 0, 0, 0), privateVersion: null));
    }

    [Fact]
    public void Desktop_older_loaded_copy_is_replaced_by_ours_or_left_to_the_host()
    {
        Assert.Equal(DependencyDecision.LoadPrivate, DependencyRules.DecideDesktop(Name("System.Memory", "4.0.1.2"), alreadyLoaded: new Version(4, 0, 1, 0), privateVersion: new Version(4, 0, 1, 2)));
        Assert.Equal(DependencyDecision.DeferToHost, DependencyRules.DecideDesktop(Name("Unknown.Thing", "2.0.0.0"), alreadyLoaded: new Version(1, 0, 0, 0), privateVersion: null));
        Assert.Equal(DependencyDecision.DeferToHost, DependencyRules.DecideDesktop(Name("Unknown.Thing", "2.0.0.0"), alreadyLoaded: null, privateVersion: null));
    }

    [Fact]
    public void Dependency_folder_follows_the_runtime()
    {
        Assert.Equal("net8.0", DependencyRules.DependencyFolderFor(isCoreClr: true));
        Assert.Equal("netstandard2.0", DependencyRules.DependencyFolderFor(isCoreClr: false));
        // Both folders exist in the built module.
        Assert.True(Directory.Exists(Path.Combine(ModuleUnderTest.ModuleDir, "Dependencies", DependencyRules.DependencyFolderFor(true))));
        Assert.True(Directory.Exists(Path.Combine(ModuleUnderTest.ModuleDir, "Dependencies", DependencyRules.DependencyFolderFor(false))));
    }
}
