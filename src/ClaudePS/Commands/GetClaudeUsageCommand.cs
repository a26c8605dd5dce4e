using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;
using ClaudePS.Hosting;

namespace ClaudePS.Commands;

/// <summary>
/// What the Claude calls cost, from the local usage ledger: requests, tokens by kind and USD per group
/// (-GroupBy Model, Day, Hour, Tag, Endpoint; days and hours in UTC), or one total with -Summary.
/// With -Source Organization and an admin key it sets the organisation's usage report beside the ledger.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClaudeUsage", DefaultParameterSetName = LedgerSet)]
[OutputType(typeof(ClaudeUsageReport), ParameterSetName = new[] { LedgerSet })]
[OutputType(typeof(ClaudeUsageComparison), ParameterSetName = new[] { OrganizationSet })]
public sealed class GetClaudeUsageCommand : ClaudeAsyncCmdlet
{
    private const string LedgerSet = "Ledger";
    private const string OrganizationSet = "Organization";

    /// <summary>Start (inclusive); local midnight today by default.</summary>
    [Parameter(Position = 0)]
    public DateTime? Since { get; set; }

    /// <summary>End (exclusive); now by default.</summary>
    [Parameter(Position = 1)]
    public DateTime? Until { get; set; }

    [Parameter(ParameterSetName = LedgerSet)]
    [ValidateSet("Model", "Day", "Hour", "Tag", "Endpoint")]
    public string[]? GroupBy { get; set; }

    /// <summary>Only calls that carry one of these tags.</summary>
    [Parameter(ParameterSetName = LedgerSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    [Parameter(ParameterSetName = LedgerSet)]
    public SwitchParameter Summary { get; set; }

    /// <summary>Ledger (default) or Organization (the Admin API usage report beside the ledger).</summary>
    [Parameter(ParameterSetName = LedgerSet)]
    [Parameter(Mandatory = true, ParameterSetName = OrganizationSet)]
    [ValidateSet("Ledger", "Organization")]
    public string Source { get; set; } = "Ledger";

    /// <summary>An Admin API key (sk-ant-admin...).</summary>
    [Parameter(Mandatory = true, ParameterSetName = OrganizationSet)]
    [ValidateNotNull]
    public SecureString? AdminKey { get; set; }

    /// <summary>The API root for the report; the default connection's endpoint, else the public API.</summary>
    [Parameter(ParameterSetName = OrganizationSet)]
    [ValidateNotNullOrEmpty]
    public string? BaseUri { get; set; }

    protected override void EndProcessing()
    {
        var now = DateTimeOffset.Now;
        var today = UsageQueryOptions.Today(now);
        var options = new UsageQueryOptions
        {
            Since = Since is { } s ? ToOffset(s) : today.Since,
            Until = Until is { } u ? ToOffset(u) : today.Until,
            Tags = Tag ?? Array.Empty<string>(),
            Summary = Summary,
        };
        if (GroupBy is not null)
        {
            options.GroupBy = UsageGrouping.None;
            foreach (var g in GroupBy) options.GroupBy |= (UsageGrouping)Enum.Parse(typeof(UsageGrouping), g, ignoreCase: true);
        }
        if (options.Until <= options.Since)
        {
            ThrowTerminating(new ClaudeException(new ClaudeError("ClaudePS.InvalidArgument", ClaudeErrorCategory.InvalidArgument,
                $"-Until ({options.Until:u}) must be later than -Since ({options.Since:u}).")));
            return;
        }
        bool organization = string.Equals(Source, "Organization", StringComparison.OrdinalIgnoreCase);
        if (organization && AdminKey is null)
        {
            ThrowTerminating(new ClaudeException(new ClaudeError("ClaudePS.AdminKeyRequired", ClaudeErrorCategory.InvalidArgument,
                "-Source Organization reads the Admin API: pass an admin key with -AdminKey (a SecureString).")));
            return;
        }
        string? adminKey = organization ? SecureStrings.ToPlain(AdminKey!) : null;
        Uri? baseUri = organization ? ResolveBaseUri() : null;

        RunEngine(async (sink, ct) =>
        {
            var ledger = new UsageLedger(UsagePaths.Default);
            if (organization) options.GroupBy = UsageGrouping.Model | UsageGrouping.Day;
            var result = new UsageQuery(ledger).Run(options);
            foreach (var p in result.Problems) sink.WriteWarning(p.ToString());
            if (result.DuplicatesSkipped > 0)
                sink.WriteVerbose($"{result.DuplicatesSkipped} record(s) repeated a request id already counted and were skipped.");
            sink.WriteVerbose($"Read {result.RecordsRead} ledger record(s) from {ledger.Paths.LedgerFolder} between {options.Since:u} and {options.Until:u}.");
            if (!organization)
            {
                foreach (var row in result.Rows) sink.WriteObject(row);
                return;
            }
            // Through the default connection's proxy when connected, as its prompts go.
            using var client = ConnectionStore.Default is { } connection
                ? new OrganizationUsageClient(baseUri!, adminKey!, connection)
                : new OrganizationUsageClient(baseUri!, adminKey!);
            var org = await client.GetMessagesUsageAsync(options.Since, options.Until, ct).ConfigureAwait(false);
            foreach (var row in OrganizationUsageClient.Compare(org, result.Rows)) sink.WriteObject(row);
        });
    }

    private Uri ResolveBaseUri()
    {
        if (BaseUri is not null) return ClaudeConnection.ParseBaseUri(BaseUri);
        if (ConnectionStore.Default is { } connection) return connection.Endpoints[0];
        return new Uri(ClaudeConnectionOptions.DefaultBaseUri);
    }

    // A DateTime without a kind is local time, as PowerShell users type it.
    private static DateTimeOffset ToOffset(DateTime value) =>
        value.Kind == DateTimeKind.Utc ? new DateTimeOffset(value) : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Local));
}
