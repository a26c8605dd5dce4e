using System.Text.Json;
using ClaudePS.Bench.Harness;
using Xunit;

namespace ClaudePS.Bench.Tests;

/// <summary>
/// Keeps the benchmark harness from rotting: every scenario in the bench assembly runs in --quick mode
/// against its in-process loopback emulator, and the results file keeps its documented shape. Speed is
/// never asserted here (that is what the benchmark reports).
/// </summary>
public sealed class QuickRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "claudeps-bench-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 600_000)]
    public async Task All_scenarios_run_in_quick_mode_and_write_the_documented_json()
    {
        string path = Path.Combine(_folder, "quick.json");
        var log = new StringWriter();

        int exit = await Program.RunAsync(new[] { "all", "--quick", "--out", path }, log);

        Assert.True(exit == 0, "bench exited " + exit + ":\n" + log);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var machine = root.GetProperty("machine");
        Assert.True(machine.GetProperty("cores").GetInt32() >= 1);
        Assert.True(machine.GetProperty("memory").GetInt64() > 0);
        Assert.False(string.IsNullOrEmpty(machine.GetProperty("os").GetString()));
        Assert.Contains(".NET", machine.GetProperty("dotnet").GetString());
        Assert.True(root.GetProperty("quick").GetBoolean());
        Assert.True(root.GetProperty("startedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(0, root.GetProperty("crashed").GetArrayLength());

        var results = root.GetProperty("results").EnumerateArray().ToList();
        string[] keys = { "scenario", "metric", "value", "unit", "baselineName", "baselineValue", "ratio", "target", "targetMet" };
        foreach (var result in results)
        {
            Assert.Equal(keys, result.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Number, result.GetProperty("value").ValueKind);
            // A ratio needs a named baseline with a value (a zero baseline leaves the ratio null).
            if (result.GetProperty("ratio").ValueKind == JsonValueKind.Number)
            {
                Assert.Equal(JsonValueKind.String, result.GetProperty("baselineName").ValueKind);
                Assert.Equal(JsonValueKind.Number, result.GetProperty("baselineValue").ValueKind);
            }
            if (result.GetProperty("baselineValue").ValueKind == JsonValueKind.Number)
                Assert.Equal(JsonValueKind.String, result.GetProperty("baselineName").ValueKind);
            Assert.Equal(result.GetProperty("target").ValueKind == JsonValueKind.String, result.GetProperty("targetMet").ValueKind != JsonValueKind.Null);
        }

        // Every discovered scenario reported something, so a newly merged one cannot silently drop out.
        var reported = results.Select(r => r.GetProperty("scenario").GetString()).ToHashSet();
        foreach (var name in ScenarioCatalog.Discover(typeof(Program).Assembly).Names) Assert.Contains(name, reported);

        var throughput = results.Single(r => r.GetProperty("metric").GetString() == "loopback c=64 ClaudePS throughput"
            && r.GetProperty("baselineName").GetString() == "raw HttpClient");
        Assert.True(throughput.GetProperty("value").GetDouble() > 0);
        Assert.Contains("client-overhead", reported);
        Assert.Contains("streaming", reported);
        Assert.Contains("client-overhead", log.ToString());
    }

    [Fact]
    public void The_catalog_finds_the_scenarios_by_reflection_with_unique_names()
    {
        var catalog = ScenarioCatalog.Discover(typeof(Program).Assembly);

        Assert.Contains("client-overhead", catalog.Names);
        Assert.Contains("streaming", catalog.Names);
        Assert.Equal(catalog.Names.Count, catalog.Names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(catalog.Names.Count, catalog.Select(new[] { "all" }).Count);
        Assert.Equal("streaming", Assert.Single(catalog.Select(new[] { "STREAMING", "streaming" })).Name);
    }

    [Fact]
    public async Task Bad_arguments_exit_2_without_running_anything()
    {
        var log = new StringWriter();
        Assert.Equal(2, await Program.RunAsync(new[] { "no-such-scenario", "--out", Path.Combine(_folder, "x.json") }, log));
        Assert.Contains("no benchmark scenario named 'no-such-scenario'", log.ToString());
        Assert.Equal(2, await Program.RunAsync(new[] { "all", "--out" }, new StringWriter()));
        Assert.Equal(2, await Program.RunAsync(new[] { "all", "--fast" }, new StringWriter()));
        Assert.Equal(2, await Program.RunAsync(Array.Empty<string>(), new StringWriter()));
        Assert.False(File.Exists(Path.Combine(_folder, "x.json")));

        var listed = new StringWriter();
        Assert.Equal(0, await Program.RunAsync(new[] { "--list" }, listed));
        Assert.Contains("client-overhead", listed.ToString());
    }

    [Fact]
    public void Json_writes_every_key_and_turns_non_finite_numbers_into_null()
    {
        var run = new BenchRun(new MachineInfo("os", 2, 1024, ".NET 10", null), DateTimeOffset.UnixEpoch, Quick: false,
            new[]
            {
                new BenchResult("s", "m", double.NaN, "u"),
                new BenchResult("s", "m2", 3, "u", "base", 2, ">= 1", true),
            },
            new[] { new ScenarioCrash("t", "boom") });

        using var doc = JsonDocument.Parse(ResultJson.Write(run));
        var results = doc.RootElement.GetProperty("results");
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("value").ValueKind);
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("ratio").ValueKind);
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("targetMet").ValueKind);
        Assert.Equal(1.5, results[1].GetProperty("ratio").GetDouble());
        Assert.True(results[1].GetProperty("targetMet").GetBoolean());
        Assert.Equal("boom", doc.RootElement.GetProperty("crashed")[0].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("machine").GetProperty("loadAverage").ValueKind);
    }

    [Fact]
    public void Median_spread_and_percentile_are_what_the_docs_say()
    {
        Assert.Equal(2, Sampling.Median(new double[] { 3, 1, 2 }));
        Assert.Equal(2.5, Sampling.Median(new double[] { 4, 1, 2, 3 }));
        Assert.Equal(1.0, Sampling.Spread(new double[] { 1, 2, 3 }));
        Assert.Equal(99, Sampling.Percentile(Enumerable.Range(1, 100).Select(i => (double)i), 0.99));
        Assert.Equal(1, Sampling.Percentile(new double[] { 5, 1 }, 0));
    }
}
