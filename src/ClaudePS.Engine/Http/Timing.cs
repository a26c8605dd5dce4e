using System;
using System.Diagnostics;

namespace ClaudePS.Engine.Http;

/// <summary>Elapsed real time from a <see cref="Stopwatch.GetTimestamp"/> value: a call keeps one
/// timestamp instead of a Stopwatch object (netstandard2.0 has no Stopwatch.GetElapsedTime).</summary>
internal static class Timing
{
    private static readonly double TicksPerTimestamp = TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency;

    public static TimeSpan Since(long timestamp) =>
        new((long)((Stopwatch.GetTimestamp() - timestamp) * TicksPerTimestamp));
}
