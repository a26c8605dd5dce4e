using System.Text.Json;

namespace ClaudePS.Bench.Harness;

/// <summary>
/// The results file. Its shape is a contract for the docs and for anyone diffing runs:
/// {machine:{os,cores,memory,dotnet,loadAverage}, startedAt, quick, crashed:[{scenario,error}],
///  results:[{scenario,metric,value,unit,baselineName,baselineValue,ratio,target,targetMet}]}.
/// Every key is always present (null when empty); a non-finite number is written as null.
/// </summary>
public static class ResultJson
{
    public static byte[] Write(BenchRun run)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("machine");
            w.WriteString("os", run.Machine.Os);
            w.WriteNumber("cores", run.Machine.Cores);
            w.WriteNumber("memory", run.Machine.MemoryBytes);
            w.WriteString("dotnet", run.Machine.Dotnet);
            w.WriteString("loadAverage", run.Machine.LoadAverage);
            w.WriteEndObject();
            w.WriteString("startedAt", run.StartedAt);
            w.WriteBoolean("quick", run.Quick);
            w.WriteStartArray("crashed");
            foreach (var crash in run.Crashes)
            {
                w.WriteStartObject();
                w.WriteString("scenario", crash.Scenario);
                w.WriteString("error", crash.Error);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("results");
            foreach (var r in run.Results)
            {
                w.WriteStartObject();
                w.WriteString("scenario", r.Scenario);
                w.WriteString("metric", r.Metric);
                Number(w, "value", r.Value);
                w.WriteString("unit", r.Unit);
                w.WriteString("baselineName", r.BaselineName);
                Number(w, "baselineValue", r.BaselineValue);
                Number(w, "ratio", r.Ratio);
                w.WriteString("target", r.Target);
                if (r.TargetMet is { } met) w.WriteBoolean("targetMet", met);
                else w.WriteNull("targetMet");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
