using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using ClaudePS.Loader;

namespace ClaudePS.Loading;

/// <summary>
/// Runs when the module is imported, before any cmdlet touches the engine. PowerShell 7: installs the
/// private load context (ClaudePS.Loader.dll, reached by reflection because this assembly targets
/// netstandard2.0). Windows PowerShell 5.1: an AssemblyResolve handler serves Dependencies/netstandard2.0,
/// standing in for the binding redirects powershell.exe lacks.
/// Cmdlet parameters and properties use only Abstractions and BCL types, so PowerShell can reflect
/// over the cmdlets before the engine is resolvable.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
    private static bool IsCoreClr => RuntimeInformation.FrameworkDescription.StartsWith(".NET", StringComparison.Ordinal) &&
                                     !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);
    private static string DependencyFolder => Path.Combine(ModuleFolder, "Dependencies", DependencyRules.DependencyFolderFor(IsCoreClr));

    public void OnImport()
    {
        if (IsCoreClr)
        {
            var loader = Assembly.LoadFrom(Path.Combine(ModuleFolder, "ClaudePS.Loader.dll"));
            loader.GetType("ClaudePS.Loader.EngineLoadContext", throwOnError: true)!
                  .GetMethod("Install", BindingFlags.Public | BindingFlags.Static)!
                  .Invoke(null, new object[] { DependencyFolder });
        }
        else
        {
            AppDomain.CurrentDomain.AssemblyResolve += ResolveDesktop;
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        if (!IsCoreClr) AppDomain.CurrentDomain.AssemblyResolve -= ResolveDesktop;
    }

    private static Assembly? ResolveDesktop(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        string path = Path.Combine(DependencyFolder, requested.Name + ".dll");
        Version? privateVersion = File.Exists(path) ? AssemblyName.GetAssemblyName(path).Version : null;
        Assembly? loaded = null;
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
            if (string.Equals(a.GetName().Name, requested.Name, StringComparison.OrdinalIgnoreCase)) { loaded = a; break; }
        return DependencyRules.DecideDesktop(requested, loaded?.GetName().Version, privateVersion) switch
        {
            DependencyDecision.UseHostCopy => loaded,
            DependencyDecision.LoadPrivate => Assembly.LoadFrom(path),
            _ => null,
        };
    }
}
