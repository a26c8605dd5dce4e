using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace ClaudePS.Hosting;

/// <summary>
/// Path parameters the PowerShell way: a -Path style value is a wildcard pattern the FileSystem provider
/// expands (backtick escapes name [ ] literally), and a pattern or path that matches nothing is an
/// error, never silently dropped; a -LiteralPath style value is taken as written.
/// </summary>
internal static class PSPaths
{
    /// <summary>Every file matched by <paramref name="paths"/> (patterns), in order. Throws a ClaudeException
    /// with <paramref name="notFoundId"/> for a pattern or path that matches nothing; <paramref name="consequence"/>
    /// ends its message (e.g. "Nothing was sent.").</summary>
    public static List<string> ResolveFiles(PSCmdlet cmdlet, IEnumerable<string> paths, string parameter, string literalParameter, string notFoundId, string consequence = "")
    {
        var resolved = new List<string>();
        foreach (var path in paths)
        {
            var found = Resolve(cmdlet, path, parameter);
            if (found.Count == 0) throw NotFound(cmdlet, path, parameter, literalParameter, notFoundId, consequence);
            resolved.AddRange(found);
        }
        return resolved;
    }

    /// <summary>
    /// Paths that come from data (a CSV column): a file that exists under the name as written is taken
    /// literally, since data holds names like 'invoice [2024].pdf'; otherwise the value is a pattern and
    /// expands. What matches nothing is passed on as written, so the engine fails that one row (a missing
    /// attachment) instead of the whole pipeline.
    /// </summary>
    public static List<string> ResolveDataPaths(PSCmdlet cmdlet, IEnumerable<string> paths, string parameter)
    {
        var resolved = new List<string>();
        foreach (var path in paths)
        {
            var literal = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (File.Exists(literal) || !WildcardPattern.ContainsWildcardCharacters(path)) { resolved.Add(literal); continue; }
            var found = Resolve(cmdlet, path, parameter);
            if (found.Count > 0) resolved.AddRange(found);
            else resolved.Add(literal);
        }
        return resolved;
    }

    /// <summary>Literal paths (-LiteralPath style): resolved against the current location, never expanded.</summary>
    public static List<string> ResolveLiteral(PSCmdlet cmdlet, IEnumerable<string> paths) =>
        paths.Select(p => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToList();

    /// <summary>
    /// One file path for a parameter that names a single file (an output, or an input the engine checks):
    /// a pattern that matches exactly one file names it; more than one is an error; a pattern that matches
    /// nothing (or a plain path) is taken as written, backtick escapes removed, so a new file can be named.
    /// </summary>
    public static string ResolveOne(PSCmdlet cmdlet, string path, string parameter)
    {
        if (WildcardPattern.ContainsWildcardCharacters(path))
        {
            var found = Resolve(cmdlet, path, parameter);
            if (found.Count == 1) return found[0];
            if (found.Count > 1)
                throw new ClaudeException(new ClaudeError("ClaudePS.AmbiguousPath", ClaudeErrorCategory.InvalidArgument,
                    $"{parameter}: '{path}' matches {found.Count} files ({string.Join(", ", found.Take(3).Select(Path.GetFileName))}{(found.Count > 3 ? ", ..." : "")}); it takes one. " +
                    "Give one file, or escape [ ] with backticks.") { Target = path });
        }
        return cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(WildcardPattern.Unescape(path));
    }

    private static List<string> Resolve(PSCmdlet cmdlet, string path, string parameter)
    {
        System.Collections.ObjectModel.Collection<string> found;
        ProviderInfo provider;
        try
        {
            found = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException) { return new List<string>(); }
        catch (System.Management.Automation.DriveNotFoundException) { return new List<string>(); }
        if (provider.ImplementingType != typeof(FileSystemProvider))
            throw new ClaudeException(new ClaudeError("ClaudePS.NotAFileSystemPath", ClaudeErrorCategory.InvalidArgument,
                $"{parameter}: '{path}' is a {provider.Name} path; give a file system path.") { Target = path });
        return found.ToList();
    }

    private static ClaudeException NotFound(PSCmdlet cmdlet, string path, string parameter, string literalParameter, string id, string consequence)
    {
        string message;
        if (WildcardPattern.ContainsWildcardCharacters(path))
        {
            var literal = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            message = File.Exists(literal)
                ? $"{parameter}: '{path}' matches no file, because PowerShell reads [ ] * ? in it as wildcards. The file '{literal}' exists: " +
                  $"pass it with {literalParameter}, or escape the brackets with backticks ('{WildcardPattern.Escape(path)}')."
                : $"{parameter}: the pattern '{path}' matches no file. Check the folder and the pattern.";
        }
        else
        {
            message = $"{parameter}: the file '{cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)}' does not exist. Give the path of an existing file.";
        }
        return new ClaudeException(new ClaudeError(id, ClaudeErrorCategory.ObjectNotFound, (message + " " + consequence).TrimEnd()) { Target = path });
    }
}
