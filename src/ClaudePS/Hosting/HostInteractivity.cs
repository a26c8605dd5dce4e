using System;
using System.Management.Automation.Host;

namespace ClaudePS.Hosting;

/// <summary>
/// Whether someone may be watching the host, so that live text (a streamed reply) can be shown on it.
/// A console host started with -NonInteractive, or whose standard output is redirected (a runbook, a CI
/// step, a parent process reading JSON), shows host output on that same standard output: live text there
/// would corrupt what the reader gets, so it goes only to the information stream.
/// </summary>
internal static class HostInteractivity
{
    private static readonly Lazy<bool> StartedNonInteractive = new(() => HasNonInteractiveSwitch(Environment.GetCommandLineArgs()));

    public static bool ShowsLiveText(PSHost? host)
    {
        if (host is null) return false;
        if (!string.Equals(host.Name, "ConsoleHost", StringComparison.Ordinal)) return true; // VS Code, ISE, custom hosts
        return !StartedNonInteractive.Value && !Console.IsOutputRedirected;
    }

    /// <summary>pwsh accepts any prefix of -NonInteractive down to -noni, with - or / (Windows) and any case.</summary>
    internal static bool HasNonInteractiveSwitch(string[] args)
    {
        foreach (var arg in args)
        {
            if (arg.Length < 2 || (arg[0] != '-' && arg[0] != '/')) continue;
            var name = arg.Substring(1);
            if (IsScriptSwitch(name)) break; // what follows belongs to the script, not to pwsh
            if (name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>-File / -Command as pwsh takes them: -f, -c, or a prefix of the whole name, in any case.</summary>
    private static bool IsScriptSwitch(string name) =>
        name.Equals("f", StringComparison.OrdinalIgnoreCase) || name.Equals("c", StringComparison.OrdinalIgnoreCase) ||
        (name.Length >= 3 && ("file".StartsWith(name, StringComparison.OrdinalIgnoreCase) || "command".StartsWith(name, StringComparison.OrdinalIgnoreCase)));
}
