using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Hosting;

/// <summary>Completes -Model from the connection's cached model list (Get-ClaudeModel), else the known
/// model ids. Never waits on the network: a missing or stale list is refreshed in the background.</summary>
public sealed class ModelCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ClaudeConnection? connection = null;
        try { connection = ConnectionStore.Resolve(fakeBoundParameters?["Connection"] as string); }
        catch (ClaudeException) { } // not connected: the built-in list
        foreach (var id in Engine.Models.ModelCatalog.CompletionIds(connection))
            if (id.StartsWith(wordToComplete.Trim('\'', '"'), System.StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(id, id, CompletionResultType.ParameterValue, id);
    }
}

/// <summary>Completes -Connection from the session's connection names.</summary>
public sealed class ConnectionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        foreach (var c in ConnectionStore.All)
            if (c.Info.Name.StartsWith(wordToComplete.Trim('\'', '"'), System.StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(c.Info.Name, c.Info.Name, CompletionResultType.ParameterValue, c.Info.ToString());
    }
}
