using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Pipeline;
using ClaudePS.Engine.Tools;

namespace ClaudePS.Hosting;

/// <summary>
/// Runs the model's tool calls for Invoke-ClaudePrompt: each call is sent through the pump to the pipeline
/// thread, where it passes ShouldProcess (with the command line as the target, so -WhatIf and -Confirm
/// work per call), then the confirmation policy, and runs in the caller's runspace and scope.
/// </summary>
internal sealed class PipelineToolHost : IToolHost
{
    // Runs the command with its arguments splatted; errors are kept apart from output and all of it is text.
    private const string RunnerText = @"param($__claudeCommand, $__claudeArguments)
$__claudeOutput = [System.Collections.Generic.List[object]]::new()
$__claudeErrors = [System.Collections.Generic.List[string]]::new()
& $__claudeCommand @__claudeArguments 2>&1 | ForEach-Object {
    if ($_ -is [System.Management.Automation.ErrorRecord]) { $__claudeErrors.Add($_.ToString()) } else { $__claudeOutput.Add($_) }
}
[pscustomobject]@{ Text = ($__claudeOutput | Out-String -Width 160).Trim(); Errors = $__claudeErrors.ToArray() }";

    private readonly PSCmdlet _cmdlet;
    private readonly PipelinePump _pump;
    // One per command invocation: a script block is not shared between runspaces (ForEach-Object -Parallel).
    private readonly ScriptBlock _runner = ScriptBlock.Create(RunnerText);
    private bool _yesToAll, _noToAll;

    public PipelineToolHost(PSCmdlet cmdlet, PipelinePump pump)
    {
        _cmdlet = cmdlet;
        _pump = pump;
    }

    public Task<ToolRunResult> RunAsync(ToolRunRequest request, CancellationToken cancellationToken) =>
        _pump.InvokeAsync(() => Run(request), cancellationToken);

    /// <summary>On the pipeline thread.</summary>
    /// <summary>How a host says it cannot put a question to anyone (seen in pwsh 7.6): -NonInteractive
    /// throws PSInvalidOperationException, a runspace without a UI (a [powershell]::Create() pipeline)
    /// HostException; hosts that leave prompting out of their PSHostUserInterface (some runbook
    /// hosts) throw NotImplementedException, of which PSNotImplementedException is one kind. This is a
    /// catch of the host's refusal, not unfinished code of ours.</summary>
    private static bool HostCannotAsk(Exception ex) =>
        (ex is MethodInvocationException { InnerException: { } inner } ? inner : ex) is PSInvalidOperationException or HostException or NotImplementedException;

    private ToolRunResult Run(ToolRunRequest request)
    {
        bool confirmed;
        try
        {
            if (!_cmdlet.ShouldProcess($"Running the tool call \"{request.CommandLine}\" that Claude asked for.",
                    $"Claude asks to run \"{request.CommandLine}\". Run it?", "Confirm tool call", out var reason))
                return reason == ShouldProcessReason.WhatIf
                    ? new ToolRunResult { Status = ClaudeToolCallStatus.WhatIf }
                    : Refused("The user declined this call at the confirmation prompt.");
            // ShouldProcess has already asked under -Confirm (or a $ConfirmPreference of Medium or lower);
            // -Confirm:$false says not to ask. The policy asks otherwise.
            var confirmSwitch = ConfirmSwitch();
            confirmed = confirmSwitch == true || (confirmSwitch is null && PreferenceAsks());
            if (request.NeedsConfirmation && confirmSwitch is null && !confirmed)
            {
                string kind = request.Tool.ReadOnly ? "" : $"{request.Tool.CommandName} can change the system. ";
                if (!_cmdlet.ShouldContinue($"{kind}Claude asks to run:\n{request.CommandLine}\nRun it?", "Confirm tool call", ref _yesToAll, ref _noToAll))
                    return Refused("The user declined this call at the confirmation prompt.");
                confirmed = true;
            }
        }
        catch (Exception ex) when (HostCannotAsk(ex))
        {
            // A non-interactive host (a runbook, pwsh -NonInteractive) cannot ask: refuse, never hang.
            return Refused("This call needs a confirmation and the PowerShell host cannot ask for one (it is non-interactive). " +
                           "Nothing was run. The user can allow it with -ToolConfirm Never, or run the prompt in an interactive session.");
        }

        var arguments = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in request.Arguments) arguments[pair.Key] = pair.Value;
        foreach (var pair in request.Tool.GetPinnedArguments()) arguments[pair.Key] = pair.Value;
        try
        {
            var result = _cmdlet.InvokeCommand.InvokeScript(true, _runner, null, request.Tool.Command, arguments);
            var outcome = result.Count > 0 ? result[result.Count - 1] : null;
            string text = outcome?.Properties["Text"]?.Value as string ?? "";
            var errors = (outcome?.Properties["Errors"]?.Value as object[] ?? Array.Empty<object>()).Select(e => e?.ToString() ?? "").ToArray();
            return errors.Length == 0
                ? new ToolRunResult { Status = ClaudeToolCallStatus.Ran, Confirmed = confirmed, Output = text }
                : new ToolRunResult { Status = ClaudeToolCallStatus.Failed, Confirmed = confirmed, Output = text, Error = string.Join("\n", errors) };
        }
        catch (RuntimeException ex) when (ex is not PipelineStoppedException)
        {
            return new ToolRunResult { Status = ClaudeToolCallStatus.Failed, Confirmed = confirmed, Error = ex.ErrorRecord?.ToString() ?? ex.Message };
        }
    }

    /// <summary>-Confirm as given: true, false (-Confirm:$false), or null when not given.</summary>
    private bool? ConfirmSwitch() =>
        _cmdlet.MyInvocation.BoundParameters.TryGetValue("Confirm", out var value) && value is SwitchParameter s ? s.IsPresent : null;

    /// <summary>True when $ConfirmPreference makes ShouldProcess ask for this cmdlet (its ConfirmImpact is Medium).</summary>
    private bool PreferenceAsks() =>
        LanguagePrimitives.TryConvertTo<ConfirmImpact>(_cmdlet.GetVariableValue("ConfirmPreference"), out var preference) &&
        preference != ConfirmImpact.None && preference <= ConfirmImpact.Medium;

    private static ToolRunResult Refused(string why) => new() { Status = ClaudeToolCallStatus.Refused, Error = why };
}
