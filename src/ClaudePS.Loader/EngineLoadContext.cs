using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace ClaudePS.Loader;

/// <summary>
/// The private load context for the engine and its dependencies on PowerShell 7: Polly and the
/// IdentityModel family load here, so Az.Accounts or Microsoft.Graph in the same session keep their
/// own versions. Shared assemblies (Abstractions, PowerShell) come from the default context.
/// </summary>
public sealed class EngineLoadContext : AssemblyLoadContext
{
    private static EngineLoadContext? _installed;
    private readonly string _folder;

    public EngineLoadContext(string dependencyFolder) : base("ClaudePS.Engine", isCollectible: false) => _folder = dependencyFolder;

    public string Folder => _folder;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string path = Path.Combine(_folder, assemblyName.Name + ".dll");
        Version? privateVersion = File.Exists(path) ? AssemblyName.GetAssemblyName(path).Version : null;
        Version? hostVersion = Default.Assemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, assemblyName.Name, StringComparison.OrdinalIgnoreCase))?.GetName().Version;
        return DependencyRules.Decide(assemblyName, hostVersion, privateVersion) switch
        {
            DependencyDecision.LoadPrivate => LoadFromAssemblyPath(path),
            _ => null, // the default context supplies it (shared, framework, or already loaded there)
        };
    }

    /// <summary>
    /// Called once by the module initializer: the default context asks this context for the engine
    /// assembly the cmdlets were compiled against. Idempotent (re-import of the module).
    /// </summary>
    public static EngineLoadContext Install(string dependencyFolder)
    {
        if (_installed is not null) return _installed;
        var context = new EngineLoadContext(dependencyFolder);
        Default.Resolving += (_, name) =>
            string.Equals(name.Name, "ClaudePS.Engine", StringComparison.OrdinalIgnoreCase) ? context.LoadFromAssemblyName(name) : null;
        _installed = context;
        return context;
    }
}
