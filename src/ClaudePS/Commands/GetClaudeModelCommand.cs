using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Models;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// Lists the models the endpoint offers (GET /v1/models, every page), newest first as the API orders
/// them. The list is cached per connection for 30 minutes and feeds the -Model completer; -Refresh
/// asks again. -Id with an exact id or alias asks for that one model; with wildcards it filters the list.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClaudeModel")]
[OutputType(typeof(ClaudeModelInfo))]
public sealed class GetClaudeModelCommand : ClaudeAsyncCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Model")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ModelCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Ignores the cached list and asks the endpoint again.</summary>
    [Parameter]
    public SwitchParameter Refresh { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConnectionCompleter))]
    public string? Connection { get; set; }

    private bool _listed;

    protected override void ProcessRecord()
    {
        var connection = ResolveConnection(Connection);

        if (Id is null)
        {
            if (_listed) return;
            _listed = true;
            RunEngine(async (sink, ct) =>
            {
                foreach (var m in await ModelCatalog.ListAsync(connection, Refresh, ct).ConfigureAwait(false)) sink.WriteObject(m);
            });
            return;
        }
        var ids = Id;
        RunEngine(async (sink, ct) =>
        {
            foreach (var id in ids)
            {
                try
                {
                    if (WildcardPattern.ContainsWildcardCharacters(id))
                    {
                        var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
                        foreach (var m in await ModelCatalog.ListAsync(connection, Refresh, ct).ConfigureAwait(false))
                            if (pattern.IsMatch(m.Id) || pattern.IsMatch(m.DisplayName)) sink.WriteObject(m);
                    }
                    else sink.WriteObject(await ModelCatalog.GetAsync(connection, id, ct).ConfigureAwait(false));
                }
                catch (ClaudeException ex) when (!ex.Error.IsCanceled)
                {
                    sink.WriteError(ex.Error.WithTarget(id));
                }
            }
        });
    }
}
