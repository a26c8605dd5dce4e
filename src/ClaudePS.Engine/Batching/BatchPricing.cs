namespace ClaudePS.Engine.Batching;

/// <summary>Prices usage for batch estimates and budget reservations; tests may plug in their own.</summary>
public interface IBatchPricing
{
    /// <summary>USD for <paramref name="usage"/> on <paramref name="model"/>; at 50 % when
    /// <paramref name="batch"/>; null when the model's price is unknown (never zero).</summary>
    decimal? Cost(string model, ClaudeUsage usage, bool batch);
}

/// <summary>The usage ledger's price table (shipped prices plus the user's overrides, Set-ClaudePrice),
/// so estimates, reservations and the ledger price alike.</summary>
public sealed class BatchPricing : IBatchPricing
{
    public static BatchPricing Default { get; } = new();

    public decimal? Cost(string model, ClaudeUsage usage, bool batch) => Usage.PriceTable.Current.Cost(model, usage, batch);
}
