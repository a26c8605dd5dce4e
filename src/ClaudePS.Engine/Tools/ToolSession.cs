using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Redaction;

namespace ClaudePS.Engine.Tools;

/// <summary>Runs a tool call where the cmdlet lives: on the pipeline thread, in the caller's runspace,
/// through ShouldProcess and the confirmation policy. The cmdlet layer implements it over the pump.</summary>
public interface IToolHost
{
    Task<ToolRunResult> RunAsync(ToolRunRequest request, CancellationToken cancellationToken);
}

public sealed class ToolRunRequest
{
    public ClaudeTool Tool { get; set; } = null!;
    /// <summary>The model's arguments, checked against the schema (pinned ones are added by the host).</summary>
    public IReadOnlyDictionary<string, object?> Arguments { get; set; } = new Dictionary<string, object?>();
    /// <summary>The ShouldProcess target.</summary>
    public string CommandLine { get; set; } = "";
    /// <summary>The policy asks for a confirmation before this call.</summary>
    public bool NeedsConfirmation { get; set; }
}

public sealed class ToolRunResult
{
    /// <summary>Ran, Failed, Refused or WhatIf.</summary>
    public ClaudeToolCallStatus Status { get; set; }
    public bool Confirmed { get; set; }
    /// <summary>The command's output rendered as text.</summary>
    public string Output { get; set; } = "";
    /// <summary>The failure, or why it was not run.</summary>
    public string? Error { get; set; }
}

/// <summary>Settings of one prompt's tool loop.</summary>
public sealed class ToolLoopOptions
{
    public IReadOnlyList<ClaudeTool> Tools { get; set; } = Array.Empty<ClaudeTool>();
    public IToolHost? Host { get; set; }
    /// <summary>How many rounds of tool calls run before the loop stops (-MaxToolTurns).</summary>
    public int MaxToolTurns { get; set; } = DefaultMaxToolTurns;
    public ClaudeToolConfirmPolicy Confirm { get; set; } = ClaudeToolConfirmPolicy.StateChanging;
    /// <summary>Characters of one tool result sent to the model; longer output is cut and says so.</summary>
    public int MaxOutputChars { get; set; } = DefaultMaxOutputChars;
    /// <summary>Redact tool output with the prompt's redaction before the model sees it (default on).</summary>
    public bool RedactOutput { get; set; } = true;

    public const int DefaultMaxToolTurns = 10;
    public const int DefaultMaxOutputChars = 16_000;
}

/// <summary>
/// One prompt's tool calls: finds the tool (an invented name is refused), checks the input, asks the
/// host to run it, and turns the outcome into a <see cref="ClaudeToolCall"/> and the tool_result block the
/// model gets (redacted, capped, errors flagged).
/// </summary>
public sealed class ToolSession
{
    private readonly ToolLoopOptions _options;
    private readonly Dictionary<string, ClaudeTool> _byName = new(StringComparer.Ordinal);
    private readonly Redactor? _redactor;

    public ToolSession(ToolLoopOptions options, RedactionOptions redaction)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Host is null) throw new ArgumentException("A tool loop needs a host that runs the commands.", nameof(options));
        if (options.MaxToolTurns < 1) throw Invalid($"-MaxToolTurns must be at least 1; it was {options.MaxToolTurns}.");
        if (options.MaxOutputChars < 100) throw Invalid($"-MaxToolOutputLength must be at least 100 characters; it was {options.MaxOutputChars}.");
        CheckNames(options.Tools);
        foreach (var tool in options.Tools) _byName.Add(tool.Name, tool);
        var redactor = Redactor.For(redaction);
        _redactor = options.RedactOutput && redactor.IsActive ? redactor : null;
    }

    public int MaxToolTurns => _options.MaxToolTurns;

    /// <summary>Tool names must be unique in a request (the model calls them by name).</summary>
    public static void CheckNames(IEnumerable<ClaudeTool> tools)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
            if (!seen.Add(tool.Name))
                throw Invalid($"Two tools are named '{tool.Name}'. Give one of them another name with New-ClaudeTool -Name.");
    }

    /// <summary>The tools[] entries of the request.</summary>
    public IEnumerable<string> Definitions()
    {
        foreach (var tool in _options.Tools) yield return ToolFactory.Definition(tool);
    }

    public async Task<(ClaudeToolCall Call, ClaudeContentBlock Result)> RunAsync(ClaudeToolUse use, int turn, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!_byName.TryGetValue(use.Name, out var tool))
            return Done(use, turn, clock, use.Name, new Dictionary<string, object?>(), new ToolRunResult
            {
                Status = ClaudeToolCallStatus.Refused,
                Error = $"There is no tool named '{use.Name}'; only these may run: {string.Join(", ", _byName.Keys)}.",
            });
        var args = ToolInput.Bind(tool, use.InputJson, out var inputError);
        if (args is null)
            return Done(use, turn, clock, tool.CommandName, new Dictionary<string, object?>(), new ToolRunResult
            {
                Status = ClaudeToolCallStatus.Failed, Error = "The tool input was not accepted: " + inputError,
            });
        string commandLine = ToolInput.CommandLine(tool, args);
        var request = new ToolRunRequest
        {
            Tool = tool,
            Arguments = args,
            CommandLine = commandLine,
            NeedsConfirmation = _options.Confirm switch
            {
                ClaudeToolConfirmPolicy.Always => true,
                ClaudeToolConfirmPolicy.Never => false,
                _ => !tool.ReadOnly,
            },
        };
        var result = await _options.Host!.RunAsync(request, cancellationToken).ConfigureAwait(false);
        return Done(use, turn, clock, commandLine, args, result);
    }

    /// <summary>A call the loop did not run because -MaxToolTurns was reached.</summary>
    public (ClaudeToolCall Call, ClaudeContentBlock Result) NotRun(ClaudeToolUse use, int turn) =>
        Done(use, turn, null, _byName.TryGetValue(use.Name, out var tool) ? tool.CommandName : use.Name, new Dictionary<string, object?>(), new ToolRunResult
        {
            Status = ClaudeToolCallStatus.NotRun,
            Error = $"Not run: the limit of {_options.MaxToolTurns} tool turn(s) (-MaxToolTurns) was reached.",
        });

    private (ClaudeToolCall, ClaudeContentBlock) Done(ClaudeToolUse use, int turn, Stopwatch? clock, string commandLine,
        IReadOnlyDictionary<string, object?> args, ToolRunResult result)
    {
        string text = result.Status switch
        {
            ClaudeToolCallStatus.Ran => result.Output.Length == 0 ? "(the command wrote no output)" : result.Output,
            ClaudeToolCallStatus.Failed => "The command failed: " + (result.Error ?? "unknown error") + (result.Output.Length > 0 ? "\nOutput before the failure:\n" + result.Output : ""),
            ClaudeToolCallStatus.WhatIf => $"Not run: this is a dry run (-WhatIf). The command would have run as: {commandLine}",
            _ => result.Error ?? "Not run.",
        };
        text = KnownSecrets.Scrub(text);
        if (_redactor is not null) text = _redactor.Redact(text).Text;
        bool truncated = text.Length > _options.MaxOutputChars;
        if (truncated)
            text = text.Substring(0, _options.MaxOutputChars) + string.Format(CultureInfo.InvariantCulture,
                "\n[output truncated: the first {0} of {1} characters are shown]", _options.MaxOutputChars, text.Length);
        bool isError = result.Status is not (ClaudeToolCallStatus.Ran or ClaudeToolCallStatus.WhatIf);
        var call = new ClaudeToolCall
        {
            Tool = use.Name,
            ToolUseId = use.Id,
            Arguments = args,
            CommandLine = commandLine,
            Status = result.Status,
            Confirmed = result.Confirmed,
            Output = text,
            Error = result.Status == ClaudeToolCallStatus.Ran ? null : Redacted(KnownSecrets.Scrub(result.Error ?? text)),
            Truncated = truncated,
            Duration = clock?.Elapsed ?? TimeSpan.Zero,
            Turn = turn,
        };
        var block = new ClaudeContentBlock { Type = "tool_result", ToolUseId = use.Id, Text = text, IsError = isError };
        return (call, block);
    }

    private string Redacted(string text) => _redactor is null ? text : _redactor.Redact(text).Text;

    /// <summary>One line per call for -Verbose and the -Stream display.</summary>
    public static string Describe(ClaudeToolCall call) => string.Format(CultureInfo.InvariantCulture,
        "[tool {0}] {1}: {2}{3} ({4:0.00} s)", call.Turn, call.CommandLine, call.Status, call.Confirmed ? ", confirmed" : "",
        call.Duration.TotalSeconds);

    private static ClaudeException Invalid(string message) =>
        new(new ClaudeError("ClaudePS.InvalidTool", ClaudeErrorCategory.InvalidArgument, message));
}
