using System;
using System.Collections.Generic;
using System.Reflection;

namespace ClaudePS.Loader;

/// <summary>What to do with an assembly request.</summary>
public enum DependencyDecision
{
    /// <summary>Not ours to serve: let the host resolve it (framework, PowerShell, shared types).</summary>
    DeferToHost,
    /// <summary>The host already has it at an equal or higher version: use that copy, never load twice.</summary>
    UseHostCopy,
    /// <summary>Load the module's own copy from its Dependencies folder.</summary>
    LoadPrivate,
}

/// <summary>
/// The dependency loader's decisions as pure functions, shared by the PowerShell 7 load context and
/// the Windows PowerShell 5.1 AssemblyResolve handler (this file is compiled into both), so xunit can
/// test every rule without a PowerShell host.
/// </summary>
public static class DependencyRules
{
    /// <summary>Assemblies that must have one identity for the module and the host: the public types
    /// users name and pass between cmdlets, and PowerShell itself.</summary>
    private static readonly HashSet<string> SharedAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "ClaudePS",
        "ClaudePS.Abstractions",
        "ClaudePS.Loader",
        "System.Management.Automation",
        "Microsoft.PowerShell.Commands.Utility",
        "netstandard",
        "mscorlib",
    };

    public static bool IsShared(string assemblyName) => SharedAssemblies.Contains(assemblyName);

    /// <param name="requested">The name the runtime asks for.</param>
    /// <param name="hostVersion">The version already loaded in the host's default context, if any.</param>
    /// <param name="privateVersion">The version in the module's Dependencies folder, if the file is there.</param>
    public static DependencyDecision Decide(AssemblyName requested, Version? hostVersion, Version? privateVersion)
    {
        string name = requested.Name ?? "";
        if (SharedAssemblies.Contains(name)) return DependencyDecision.DeferToHost;
        if (privateVersion is null) return DependencyDecision.DeferToHost;
        var wanted = requested.Version ?? new Version(0, 0);
        if (hostVersion is not null && hostVersion >= wanted && hostVersion >= privateVersion) return DependencyDecision.UseHostCopy;
        return DependencyDecision.LoadPrivate;
    }

    /// <summary>
    /// Windows PowerShell 5.1 has no binding redirects for modules: serve our copy for any version
    /// request of an assembly we ship (as a redirect would), unless the AppDomain already holds one at
    /// least as new as asked for.
    /// </summary>
    public static DependencyDecision DecideDesktop(AssemblyName requested, Version? alreadyLoaded, Version? privateVersion)
    {
        string name = requested.Name ?? "";
        if (SharedAssemblies.Contains(name) && !name.Equals("ClaudePS.Abstractions", StringComparison.OrdinalIgnoreCase)) return DependencyDecision.DeferToHost;
        var wanted = requested.Version ?? new Version(0, 0);
        if (alreadyLoaded is not null && alreadyLoaded >= wanted) return DependencyDecision.UseHostCopy;
        return privateVersion is null ? DependencyDecision.DeferToHost : DependencyDecision.LoadPrivate;
    }

    /// <summary>The Dependencies sub-folder for the running framework.</summary>
    public static string DependencyFolderFor(bool isCoreClr) => isCoreClr ? "net8.0" : "netstandard2.0";
}
