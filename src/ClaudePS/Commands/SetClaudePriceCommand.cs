using System;
using System.Linq;
using System.Management.Automation;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Usage;

namespace ClaudePS.Commands;

/// <summary>
/// Sets the price of a model family (USD per million tokens), overriding or extending the shipped
/// table. Stored in prices.json in the ClaudePS data folder, so every later session and process uses it.
/// Cache prices left out follow the usual multipliers: 5-minute write 1.25 × input, 1-hour write 2 ×,
/// read 0.1 ×.
/// </summary>
[Cmdlet(VerbsCommon.Set, "ClaudePrice", SupportsShouldProcess = true)]
[OutputType(typeof(ClaudePrice))]
public sealed class SetClaudePriceCommand : PSCmdlet
{
    /// <summary>The family id (e.g. claude-sonnet-4-5); dated ids are reduced to it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Family")]
    [ValidateNotNullOrEmpty]
    public string? Model { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0.0, 100000.0)]
    public decimal InputPerMTok { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0.0, 100000.0)]
    public decimal OutputPerMTok { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0.0, 100000.0)]
    public decimal? CacheWrite5mPerMTok { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0.0, 100000.0)]
    public decimal? CacheWrite1hPerMTok { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0.0, 100000.0)]
    public decimal? CacheReadPerMTok { get; set; }

    /// <summary>Other ids that name this family (a gateway's model name, for example).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Aliases")]
    public string[]? Alias { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var paths = UsagePaths.Default;
        var family = PriceTable.NormalizeModelId(Model!);
        var price = new ClaudePrice
        {
            Family = family,
            InputPerMTok = InputPerMTok,
            OutputPerMTok = OutputPerMTok,
            CacheWrite5mPerMTok = CacheWrite5mPerMTok ?? InputPerMTok * 1.25m,
            CacheWrite1hPerMTok = CacheWrite1hPerMTok ?? InputPerMTok * 2m,
            CacheReadPerMTok = CacheReadPerMTok ?? InputPerMTok * 0.1m,
            Aliases = Alias ?? Array.Empty<string>(),
            Origin = "user",
        };
        if (!ShouldProcess(paths.PricesFile, $"Set the price of {family}: {price}")) return;
        try
        {
            var rows = PriceTable.ReadOverrides(paths.PricesFile).Where(p => !string.Equals(p.Family, family, StringComparison.OrdinalIgnoreCase)).ToList();
            rows.Add(price);
            PriceTable.SaveOverrides(paths.PricesFile, rows);
            ClaudeServices.Process.Prices = PriceTable.LoadWithOverrides(paths.PricesFile);
        }
        catch (ClaudeException ex)
        {
            ThrowTerminatingError(Hosting.ErrorRecords.From(ex.Error));
        }
        WriteVerbose($"Prices now at table version {ClaudeServices.Process.Prices.Version} ({paths.PricesFile}).");
        if (PassThru) WriteObject(ClaudeServices.Process.Prices.Find(family));
    }
}
