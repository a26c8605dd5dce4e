using System;
using System.Collections;
using System.IO;
using System.Runtime.InteropServices;

namespace ClaudePS.Engine.Usage;

/// <summary>
/// Where the usage data lives: CLAUDEPS_HOME when set; otherwise %LOCALAPPDATA%\ClaudePS on Windows and
/// $XDG_DATA_HOME/claudeps or ~/.local/share/claudeps elsewhere. The ledger is ledger/usage-YYYY-MM.jsonl
/// (one file per UTC month); price overrides are prices.json.
/// </summary>
public sealed class UsagePaths
{
    public const string HomeVariable = "CLAUDEPS_HOME";

    public UsagePaths(string home) => Home = Path.GetFullPath(home);

    public string Home { get; }
    public string LedgerFolder => Path.Combine(Home, "ledger");
    public string PricesFile => Path.Combine(Home, "prices.json");

    /// <summary>The ledger file for the UTC month of <paramref name="time"/>.</summary>
    public string LedgerFile(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return Path.Combine(LedgerFolder, $"usage-{utc.Year:D4}-{utc.Month:D2}.jsonl");
    }

    /// <summary>The paths for this process's environment.</summary>
    public static UsagePaths Default => FromEnvironment(Environment.GetEnvironmentVariables(), RuntimeInformation.IsOSPlatform(OSPlatform.Windows));

    /// <summary>Pure: resolves the home from an environment block (tests pass their own).</summary>
    public static UsagePaths FromEnvironment(IDictionary environment, bool isWindows)
    {
        string? Get(string name) => environment[name] is string s && s.Trim().Length > 0 ? s.Trim() : null;
        if (Get(HomeVariable) is { } home) return new UsagePaths(home);
        if (isWindows)
        {
            var local = Get("LOCALAPPDATA") ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return new UsagePaths(Path.Combine(local, "ClaudePS"));
        }
        if (Get("XDG_DATA_HOME") is { } xdg && Path.IsPathRooted(xdg)) return new UsagePaths(Path.Combine(xdg, "claudeps"));
        var userHome = Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new UsagePaths(Path.Combine(userHome, ".local", "share", "claudeps"));
    }
}

/// <summary>Replaces a file in one step: readers see the old content or the new, never a half.</summary>
internal static class AtomicFile
{
    /// <param name="createFolder">Whether a missing folder is created (ClaudePS's own data) or is an error
    /// (a path the user named, as with Out-File).</param>
    public static void Write(string path, byte[] content, bool createFolder = true)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (createFolder) Directory.CreateDirectory(dir);
        else if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"The folder '{dir}' does not exist.");
        // Same folder, so the rename stays on one file system (atomic there).
        var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(content, 0, content.Length);
                fs.Flush(flushToDisk: true);
            }
            Replace(temp, full);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void Replace(string temp, string target)
    {
#if NETSTANDARD2_0
        if (File.Exists(target)) File.Replace(temp, target, null, ignoreMetadataErrors: true);
        else File.Move(temp, target);
#else
        File.Move(temp, target, overwrite: true);
#endif
    }
}
