using ClaudePS.Engine.Usage;
using Xunit;

namespace ClaudePS.Engine.Tests.Usage;

public class PricingTests
{
    private static readonly PriceTable Shipped = PriceTable.Shipped;

    [Fact]
    public void Shipped_table_is_dated_and_sourced()
    {
        Assert.Equal("2026-11-01", Shipped.Version);
        Assert.Contains("pricing", Shipped.Source);
        Assert.All(new[] { "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5" }, id => Assert.False(Shipped.Find(id)!.Confirmed));
        Assert.True(Shipped.Find("claude-sonnet-4-5")!.Confirmed);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5")]
    [InlineData("CLAUDE-HAIKU-4-5-20251001", "claude-haiku-4-5")]
    [InlineData("claude-opus-4-20250514", "claude-opus-4")]
    [InlineData("claude-opus-4-0", "claude-opus-4")]
    [InlineData("claude-opus-4-1-20250805", "claude-opus-4-1")]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("publishers/anthropic/models/claude-opus-4-5", "claude-opus-4-5")]
    [InlineData("claude-fable-5-1", "claude-fable-5-1")]
    public void Dated_ids_aliases_and_provider_ids_map_to_their_family(string id, string family) =>
        Assert.Equal(family, Shipped.Find(id)!.Family);

    [Theory]
    [InlineData("claude-opus-4-9")]      // a newer model must not take an older one's price by prefix
    [InlineData("claude-3-5-sonnet-20241022")]
    [InlineData("gpt-4")]
    [InlineData("")]
    public void Unknown_models_have_no_price(string id)
    {
        Assert.Null(Shipped.Find(id));
        Assert.Null(Shipped.Cost(id, new ClaudeUsage { InputTokens = 1000, OutputTokens = 1000 }));
    }

    // Hand-computed: Sonnet 4.5 is 3 / 3.75 (5m) / 6 (1h) / 0.30 (read) / 15 USD per MTok.
    // 1000 in × 3 + 1500 5m-writes × 3.75 + 500 1h-writes × 6 + 10000 reads × 0.30 + 500 out × 15
    // = 3000 + 5625 + 3000 + 3000 + 7500 = 22125 per million = 0.022125 USD.
    private static readonly ClaudeUsage Mixed = new()
    {
        InputTokens = 1000, CacheWriteTokens = 2000, CacheWrite1hTokens = 500, CacheReadTokens = 10000, OutputTokens = 500,
    };

    [Fact]
    public void Cache_writes_by_ttl_reads_and_output_are_priced_separately() =>
        Assert.Equal(0.022125m, Shipped.Cost("claude-sonnet-4-5-20250929", Mixed));

    [Fact]
    public void Batch_pays_half_of_every_line()
    {
        Assert.Equal(0.0110625m, Shipped.Cost("claude-sonnet-4-5", Mixed, batch: true));
        var tierBatch = new ClaudeUsage { InputTokens = 1000, CacheWriteTokens = 2000, CacheWrite1hTokens = 500, CacheReadTokens = 10000, OutputTokens = 500, ServiceTier = "batch" };
        Assert.Equal(0.0110625m, Shipped.Cost("claude-sonnet-4-5", tierBatch));
    }

    [Fact]
    public void Writes_without_a_ttl_breakdown_are_5_minute_writes()
    {
        // Haiku 4.5: 1 000 000 writes × 1.25 = 1.25 USD (not the 1-hour 2.00).
        Assert.Equal(1.25m, Shipped.Cost("claude-haiku-4-5", new ClaudeUsage { CacheWriteTokens = 1_000_000 }));
    }

    [Theory]
    // Opus 4.1: 1M in × 15 + 1M out × 75 = 90 USD.
    [InlineData("claude-opus-4-1", 1_000_000, 1_000_000, 0, 90)]
    // Opus 4.5 / 4.6 / 5: 2M in × 5 + 100k out × 25 = 10 + 2.5 = 12.5 USD.
    [InlineData("claude-opus-4-6", 2_000_000, 100_000, 0, 12.5)]
    // Fable 5.1 reads at 0.25, Fable 5 at 1: 4M reads = 1 vs 4 USD.
    [InlineData("claude-fable-5-1", 0, 0, 4_000_000, 1)]
    [InlineData("claude-fable-5", 0, 0, 4_000_000, 4)]
    // Sonnet 5: 123 456 in × 2 + 7 890 out × 10 = 246 912 + 78 900 = 325 812 per million.
    [InlineData("claude-sonnet-5", 123_456, 7_890, 0, 0.325812)]
    // Haiku 4.5: 1 in + 1 out = 6 per million.
    [InlineData("claude-haiku-4-5", 1, 1, 0, 0.000006)]
    public void Hand_computed_costs(string model, long input, long output, long reads, double expected) =>
        Assert.Equal((decimal)expected, Shipped.Cost(model, new ClaudeUsage { InputTokens = input, OutputTokens = output, CacheReadTokens = reads }));

    [Fact]
    public void User_file_overrides_and_extends_the_shipped_table_with_a_new_version()
    {
        var dir = TempHome.Create();
        var file = Path.Combine(dir, "prices.json");
        PriceTable.SaveOverrides(file, new[]
        {
            new ClaudePrice { Family = "claude-sonnet-4-5", InputPerMTok = 2, CacheWrite5mPerMTok = 2.5m, CacheWrite1hPerMTok = 4, CacheReadPerMTok = 0.2m, OutputPerMTok = 8 },
            new ClaudePrice { Family = "my-gateway-model", InputPerMTok = 1, CacheWrite5mPerMTok = 1.25m, CacheWrite1hPerMTok = 2, CacheReadPerMTok = 0.1m, OutputPerMTok = 2, Aliases = new[] { "gw-default" } },
        });
        var table = PriceTable.LoadWithOverrides(file);
        Assert.StartsWith("2026-11-01+user.", table.Version);
        Assert.Equal(10m / 1_000_000m, table.Cost("claude-sonnet-4-5-20250929", new ClaudeUsage { InputTokens = 1, OutputTokens = 1 }));
        Assert.Equal(3m / 1_000_000m, table.Cost("gw-default", new ClaudeUsage { InputTokens = 1, OutputTokens = 1 }));
        Assert.Equal("user", table.Find("my-gateway-model")!.Origin);
        // Untouched rows keep the shipped price.
        Assert.Equal(25m, table.Find("claude-opus-4-5")!.OutputPerMTok);
    }

    [Fact]
    public void Missing_cache_columns_follow_the_usual_multipliers_and_a_broken_file_is_an_error()
    {
        var dir = TempHome.Create();
        var file = Path.Combine(dir, "prices.json");
        File.WriteAllText(file, """{"models":[{"family":"x-model","input":4,"output":20}]}""");
        var p = PriceTable.LoadWithOverrides(file).Find("x-model")!;
        Assert.Equal((5m, 8m, 0.4m), (p.CacheWrite5mPerMTok, p.CacheWrite1hPerMTok, p.CacheReadPerMTok));

        File.WriteAllText(file, """{"models":[{"family":"x-model","input":"four"}]}""");
        var ex = Assert.Throws<ClaudeException>(() => PriceTable.LoadWithOverrides(file));
        Assert.Equal("ClaudePS.PriceFileInvalid", ex.Error.ErrorId);
        Assert.Contains(file, ex.Message);
    }
}

/// <summary>A fresh data folder per test, under the temp folder.</summary>
internal static class TempHome
{
    public static string Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), "claudeps-usage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
