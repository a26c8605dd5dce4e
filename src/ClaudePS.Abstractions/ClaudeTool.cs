using System;
using System.Collections.Generic;

namespace ClaudePS;

/// <summary>The JSON type a tool parameter takes (switches are booleans, enums strings).</summary>
public enum ClaudeToolValueType { String, Integer, Number, Boolean }

/// <summary>Why a command parameter is not shown to the model.</summary>
public enum ClaudeToolHiddenReason
{
    /// <summary>Shown to the model.</summary>
    None,
    /// <summary>Fixed with -ToolParameter: the command always gets the pinned value.</summary>
    Pinned,
    /// <summary>A credential, SecureString or secret-named parameter: never offered to the model.</summary>
    Secret,
    /// <summary>A type the model cannot write as JSON (script block, hashtable, object...).</summary>
    Unsupported,
}

/// <summary>One parameter of a tool, as derived from the command's metadata.</summary>
public sealed class ClaudeToolParameter
{
    public string Name { get; init; } = "";
    public ClaudeToolValueType Type { get; init; }
    /// <summary>True for array parameters (string[], int[] ...): the schema asks for a JSON array.</summary>
    public bool IsArray { get; init; }
    public bool Mandatory { get; init; }
    /// <summary>ValidateSet or enum values; null when any value of the type is accepted.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }
    /// <summary>ValidateRange bounds.</summary>
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    /// <summary>ValidateLength bounds.</summary>
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    /// <summary>ValidatePattern (a .NET regular expression, matched case-insensitively by PowerShell).</summary>
    public string? Pattern { get; init; }
    /// <summary>Help text (HelpMessage or the command's help), sent as the schema's description.</summary>
    public string? Description { get; init; }
    /// <summary>The .NET type's name, for display.</summary>
    public string TypeName { get; init; } = "";
    /// <summary>Why the model does not see it; None when it does.</summary>
    public ClaudeToolHiddenReason Hidden { get; init; }

    public override string ToString() => Hidden == ClaudeToolHiddenReason.None ? Name : $"{Name} (hidden: {Hidden})";
}

/// <summary>
/// A PowerShell command offered to Claude as a tool (New-ClaudeTool, or Invoke-ClaudePrompt -Tool).
/// Holds the schema the model sees and what runs: the command, one parameter set, and pinned arguments
/// whose values the model never sees (and which this object never prints).
/// </summary>
public sealed class ClaudeTool
{
    private readonly IReadOnlyDictionary<string, object?> _pinned;

    public ClaudeTool(IReadOnlyDictionary<string, object?>? pinned = null) =>
        _pinned = pinned ?? new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name the model calls (letters, digits, _ and -; at most 64).</summary>
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>The command that runs: a cmdlet or function name (a script block is shown by the tool's name).</summary>
    public string CommandName { get; init; } = "";
    /// <summary>The parameter set the tool uses (the command's default when not chosen).</summary>
    public string? ParameterSetName { get; init; }
    /// <summary>Every parameter of that set (common parameters excluded), shown or hidden.</summary>
    public IReadOnlyList<ClaudeToolParameter> Parameters { get; init; } = Array.Empty<ClaudeToolParameter>();
    /// <summary>True when the command only reads (its verb is Get, Test, Measure...; or New-ClaudeTool -ReadOnly).</summary>
    public bool ReadOnly { get; init; }
    /// <summary>The command itself (a CommandInfo or a ScriptBlock); used on the pipeline thread only.</summary>
    public object? Command { get; init; }
    /// <summary>The input_schema sent to the model (JSON).</summary>
    public string InputSchema { get; init; } = "{}";

    /// <summary>The names of the pinned parameters (their values stay inside the tool).</summary>
    public IReadOnlyCollection<string> PinnedParameters => (IReadOnlyCollection<string>)_pinned.Keys;

    /// <summary>The pinned arguments, for running the command (a method, so views and exports never show them).</summary>
    public IReadOnlyDictionary<string, object?> GetPinnedArguments() => _pinned;

    public override string ToString() => Name;
}

/// <summary>When a tool call asks the user first (Invoke-ClaudePrompt -ToolConfirm).</summary>
public enum ClaudeToolConfirmPolicy
{
    /// <summary>Commands that change state ask; read-only verbs (Get, Test, Measure...) do not.</summary>
    StateChanging,
    /// <summary>Every call asks.</summary>
    Always,
    /// <summary>No call asks (ShouldProcess still applies: -WhatIf and -Confirm work).</summary>
    Never,
}

/// <summary>What happened to one tool call.</summary>
public enum ClaudeToolCallStatus
{
    /// <summary>The command ran and succeeded.</summary>
    Ran,
    /// <summary>The command ran (or could not be bound) and failed; the model got the error.</summary>
    Failed,
    /// <summary>Not run: declined at the confirmation, no host to ask, or an unknown tool.</summary>
    Refused,
    /// <summary>Not run: -WhatIf; the model was told.</summary>
    WhatIf,
    /// <summary>Not run: -MaxToolTurns was reached.</summary>
    NotRun,
}

/// <summary>One tool call of a prompt's tool loop, as recorded on <see cref="ClaudeResponse.ToolCalls"/>.</summary>
public sealed class ClaudeToolCall
{
    /// <summary>The tool name the model asked for (it may name no tool offered: then Refused).</summary>
    public string Tool { get; init; } = "";
    public string ToolUseId { get; init; } = "";
    /// <summary>The arguments the model gave (pinned ones are not listed).</summary>
    public IReadOnlyDictionary<string, object?> Arguments { get; init; } = new Dictionary<string, object?>();
    /// <summary>The command line that ran or would have run (pinned values shown as &lt;pinned&gt;).</summary>
    public string CommandLine { get; init; } = "";
    public ClaudeToolCallStatus Status { get; init; }
    /// <summary>True when someone said yes at a confirmation prompt for this call.</summary>
    public bool Confirmed { get; init; }
    /// <summary>The tool result the model got: the command's output as text (redacted and capped), or
    /// what it was told instead (the failure, the dry run, the refusal).</summary>
    public string Output { get; init; } = "";
    /// <summary>The error or the reason it did not run; null when it ran cleanly.</summary>
    public string? Error { get; init; }
    /// <summary>True when the text sent to the model was cut at the size cap.</summary>
    public bool Truncated { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Which tool turn (1 = the model's first reply) asked for it.</summary>
    public int Turn { get; init; }

    public override string ToString() => $"{Tool}: {Status}";
}
