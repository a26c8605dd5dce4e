using System.Globalization;

namespace ClaudePS.Bench.Harness;

/// <summary>The console table: one line per figure, columns sized to their widest cell.</summary>
public static class ResultTable
{
    private static readonly string[] Headers = { "scenario", "metric", "value", "unit", "baseline", "baseline value", "ratio", "target", "met" };

    public static void Write(TextWriter output, IReadOnlyList<BenchResult> results)
    {
        var rows = results.Select(r => new[]
        {
            r.Scenario, r.Metric, Number(r.Value), r.Unit, r.BaselineName ?? "",
            r.BaselineValue is { } b ? Number(b) : "", r.Ratio is { } ratio ? ratio.ToString("0.000", CultureInfo.InvariantCulture) : "",
            r.Target ?? "", r.TargetMet switch { true => "yes", false => "NO", null => "" },
        }).ToList();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        bool[] rightAligned = { false, false, true, false, false, true, true, false, false };

        void Line(string[] cells) => output.WriteLine(string.Join("  ", cells.Select((c, i) => rightAligned[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        Line(Headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in rows) Line(row);
    }

    /// <summary>Three significant figures at most after the point, thousands grouped.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return value.ToString(CultureInfo.InvariantCulture);
        double abs = Math.Abs(value);
        string format = abs >= 1000 ? "#,0" : abs >= 100 ? "0.0" : abs >= 1 ? "0.00" : "0.0###";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }
}
