using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Tools;

namespace ClaudePS.Hosting;

/// <summary>
/// Reads a command's parameter metadata into the engine's plain tool model (<see cref="ToolDefinition"/>);
/// <see cref="ToolFactory"/> checks it and builds the schema. Runs on the pipeline thread (it may ask the
/// runspace for help text).
/// </summary>
internal static class ToolMetadata
{
    /// <summary>Parameter names that carry secrets whatever their type (a plain-string password is still a password).
    /// "token" but not token counts (-MaxTokens, -TokenCount, -TokenLimit).</summary>
    private static readonly Regex SecretName = new("password|passwd|secret|token(?!s|count|limit)|apikey|api_key|credential|privatekey|passphrase|connectionstring",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>A tool from a command, a script block, or a command name (what -Tool and New-ClaudeTool take).</summary>
    public static ClaudeTool Read(PSCmdlet cmdlet, object source, string? name = null, string? description = null, string? parameterSet = null,
        IDictionary? pinned = null, bool? readOnly = null, int index = 0)
    {
        source = source is PSObject ps ? ps.BaseObject : source;
        if (source is ClaudeTool tool) return tool;
        ScriptBlock? script = source as ScriptBlock;
        CommandInfo command = source switch
        {
            ScriptBlock sb => AsFunction(cmdlet, sb),
            CommandInfo info => Resolve(info),
            string text => Find(cmdlet, text),
            _ => throw Invalid($"-Tool takes commands (Get-Command), script blocks, command names or New-ClaudeTool output; it was given a {source?.GetType().Name ?? "null"}."),
        };
        string toolName = name ?? (script is null ? command.Name : "script_block_" + (index + 1).ToString(CultureInfo.InvariantCulture));
        // A script block is shown (in command lines and confirmations) by its tool name.
        string commandName = script is null ? command.Name : toolName;
        var set = PickSet(command, parameterSet, commandName);
        var help = script is null ? Help(cmdlet, command) : (null, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        var definition = new ToolDefinition
        {
            Name = toolName,
            Description = description ?? help.Item1,
            CommandName = commandName,
            ParameterSetName = set?.Name,
            ReadOnly = readOnly,
            Command = (object?)script ?? command,
        };
        if (set is not null)
            foreach (var p in set.Parameters)
            {
                if (Cmdlet.CommonParameters.Contains(p.Name) || Cmdlet.OptionalCommonParameters.Contains(p.Name)) continue;
                definition.Parameters.Add(Parameter(p, help.Item2.TryGetValue(p.Name, out var text) ? text : null));
            }
        if (pinned is not null)
            foreach (DictionaryEntry e in pinned)
            {
                string key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                var value = e.Value is PSObject v ? v.BaseObject : e.Value;
                definition.Pinned[key] = value;
                RegisterSecret(key, value);
            }
        return ToolFactory.Create(definition);
    }

    private static ClaudeToolParameter Parameter(CommandParameterInfo p, string? helpText)
    {
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        bool isArray = false;
        if (type.IsArray && type != typeof(byte[])) { type = type.GetElementType()!; isArray = true; }
        else if (type.IsGenericType && type.GetGenericArguments().Length == 1 && typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string))
        {
            type = type.GetGenericArguments()[0];
            isArray = true;
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        var (kind, supported) = Kind(type);
        var hidden = IsSecret(p.Name, type) ? ClaudeToolHiddenReason.Secret
            : supported ? ClaudeToolHiddenReason.None : ClaudeToolHiddenReason.Unsupported;
        IReadOnlyList<string>? allowed = type.IsEnum ? Enum.GetNames(type) : null;
        double? min = null, max = null;
        int? minLength = null, maxLength = null;
        string? pattern = null;
        foreach (var a in p.Attributes)
        {
            switch (a)
            {
                case ValidateSetAttribute set: allowed = set.ValidValues.ToArray(); break;
                case ValidateRangeAttribute range:
                    min = ToDouble(range.MinRange);
                    max = ToDouble(range.MaxRange);
                    break;
                case ValidateLengthAttribute length:
                    minLength = length.MinLength;
                    maxLength = length.MaxLength == int.MaxValue ? null : length.MaxLength;
                    break;
                case ValidatePatternAttribute regex: pattern = regex.RegexPattern; break;
            }
        }
        string? description = !string.IsNullOrWhiteSpace(p.HelpMessage) ? p.HelpMessage : helpText;
        return new ClaudeToolParameter
        {
            Name = p.Name, Type = kind, IsArray = isArray, Mandatory = p.IsMandatory, AllowedValues = allowed,
            Minimum = min, Maximum = max, MinLength = minLength, MaxLength = maxLength, Pattern = pattern,
            Description = description?.Trim(), TypeName = p.ParameterType.Name, Hidden = hidden,
        };
    }

    /// <summary>The JSON type for a .NET parameter type, and whether the model can write it at all.</summary>
    private static (ClaudeToolValueType, bool) Kind(Type t)
    {
        if (t == typeof(bool) || t == typeof(SwitchParameter)) return (ClaudeToolValueType.Boolean, true);
        if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte) ||
            t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort)) return (ClaudeToolValueType.Integer, true);
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return (ClaudeToolValueType.Number, true);
        // Text, and types PowerShell builds from text (an untyped function parameter is object).
        bool text = t.IsEnum || t == typeof(string) || t == typeof(char) || t == typeof(object) || t == typeof(PSObject) ||
                    t == typeof(Guid) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) ||
                    t == typeof(Uri) || t == typeof(Version) || t == typeof(System.Net.IPAddress) || t == typeof(System.Net.Mail.MailAddress);
        return (ClaudeToolValueType.String, text);
    }

    /// <summary>A pinned secret is known to the process, so a command that repeats it (a binding error quotes
    /// its argument) cannot pass it to the model: tool results are scrubbed of known secrets.</summary>
    private static void RegisterSecret(string name, object? value)
    {
        switch (value)
        {
            case PSCredential credential: KnownSecrets.Register(credential.GetNetworkCredential().Password); break;
            case SecureString secure: KnownSecrets.Register(SecureStrings.ToPlain(secure)); break;
            case string text when SecretName.IsMatch(name): KnownSecrets.Register(text); break;
        }
    }

    private static bool IsSecret(string name, Type t) =>
        t == typeof(PSCredential) || t == typeof(SecureString) || t == typeof(System.Net.NetworkCredential) ||
        typeof(System.Security.Cryptography.X509Certificates.X509Certificate).IsAssignableFrom(t) || SecretName.IsMatch(name);

    private static double? ToDouble(object? value)
    {
        if (value is null) return null;
        try { return Convert.ToDouble(value, CultureInfo.InvariantCulture); }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException) { return null; }
    }

    private static CommandParameterSetInfo? PickSet(CommandInfo command, string? name, string commandName)
    {
        var sets = command.ParameterSets;
        if (sets.Count == 0) return null;
        if (name is not null)
            return sets.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid($"{commandName} has no parameter set '{name}'. Its sets: {string.Join(", ", sets.Select(s => s.Name))}.");
        return sets.FirstOrDefault(s => s.IsDefault) ?? sets[0];
    }

    private static CommandInfo Resolve(CommandInfo info) => info is AliasInfo { ResolvedCommand: { } target } ? target : info;

    private static CommandInfo Find(PSCmdlet cmdlet, string name)
    {
        var found = cmdlet.InvokeCommand.GetCommand(name, CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Filter | CommandTypes.Alias | CommandTypes.ExternalScript);
        if (found is null)
            throw new ClaudeException(new ClaudeError("ClaudePS.ToolNotFound", ClaudeErrorCategory.ObjectNotFound,
                $"-Tool: no command named '{name}' was found. Import its module first, or pass Get-Command output.") { Target = name });
        return Resolve(found);
    }

    /// <summary>A script block's parameter metadata, read by defining it as a function in a throwaway scope
    /// (the block itself runs unchanged, in the scope it was written in).</summary>
    private static CommandInfo AsFunction(PSCmdlet cmdlet, ScriptBlock block)
    {
        var define = ScriptBlock.Create("param($__claudeToolText) $function:__ClaudePSTool = [scriptblock]::Create($__claudeToolText); Get-Command -Name __ClaudePSTool -CommandType Function");
        var result = cmdlet.InvokeCommand.InvokeScript(true, define, null, block.ToString());
        return result.Count > 0 && result[0].BaseObject is CommandInfo info ? info
            : throw Invalid("the script block's parameters could not be read.");
    }

    /// <summary>The synopsis and parameter descriptions from Get-Help (comment-based help or MAML), when there is any.</summary>
    private static (string?, Dictionary<string, string>) Help(PSCmdlet cmdlet, CommandInfo command)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? synopsis = null;
        try
        {
            var read = ScriptBlock.Create(@"param($__c)
$h = Get-Help -Name $__c -ErrorAction Ignore
if ($h -isnot [psobject] -or $h -is [string]) { return }
[pscustomobject]@{ Synopsis = [string]$h.Synopsis; Parameters = @($h.parameters.parameter | ForEach-Object { [pscustomobject]@{ Name = [string]$_.name; Text = (@($_.description | ForEach-Object { $_.Text }) -join ' ').Trim() } }) }");
            var result = cmdlet.InvokeCommand.InvokeScript(true, read, null, command.Name);
            if (result.Count == 0 || result[0] is null) return (null, parameters);
            var help = result[0];
            string? s = help.Properties["Synopsis"]?.Value as string;
            // Without real help, Get-Help's synopsis is the syntax line (it starts with the command name).
            if (!string.IsNullOrWhiteSpace(s) && !s!.TrimStart().StartsWith(command.Name, StringComparison.OrdinalIgnoreCase)) synopsis = s.Trim();
            if (help.Properties["Parameters"]?.Value is object[] items)
                foreach (var item in items.OfType<PSObject>())
                    if (item.Properties["Name"]?.Value is string n && item.Properties["Text"]?.Value is string t && t.Length > 0) parameters[n] = t;
        }
        catch (RuntimeException)
        {
            // No help is fine: names and types still make a usable schema.
        }
        return (synopsis, parameters);
    }

    private static ClaudeException Invalid(string message) =>
        new(new ClaudeError("ClaudePS.InvalidTool", ClaudeErrorCategory.InvalidArgument, message));
}
