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
            if (arg.Length < 5 || (arg[0] != '-' && arg[0] != '/')) continue;
            if (arg == "-File" || arg == "-f" || arg == "-Command" || arg == "-c") break; // what follows belongs to the script
            var name = arg.Substring(1);
            if ("noninteractive".StartsWith(name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
