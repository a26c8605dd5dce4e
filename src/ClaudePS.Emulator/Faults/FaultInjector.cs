using System.Collections.Concurrent;
using System.Globalization;

namespace ClaudePS.Emulator;

/// <summary>The fault kinds the emulator knows, as written in x-emulator-faults and --fault-kinds.</summary>
public static class FaultKinds
{
    public const string Reset = "reset";
    public const string ResetMidStream = "reset-mid-stream";
    public const string StreamError = "stream-error";
    public const string Stall = "stall";
    public const string Slow = "slow";
    public const string SpendCap = "spend-cap";

    /// <summary>Random injection draws from these unless told otherwise (never stall: it would slow every run).</summary>
    public static readonly IReadOnlyList<string> RandomDefaults =
        new[] { "429", "529", "500", "503", Reset, ResetMidStream, StreamError };
}

/// <summary>One parsed fault: an HTTP status (429, 500, 529...) or a connection/stream behaviour.</summary>
public readonly record struct FaultSpec(string Kind, int Status, double Seconds)
{
    /// <summary>The text recorded in accounting (e.g. "429", "stall:2", "reset").</summary>
    public override string ToString() => Kind == FaultKinds.Stall ? $"stall:{Seconds.ToString(CultureInfo.InvariantCulture)}" : Kind;

    public bool IsStatus => Status > 0;

    public static bool TryParse(string text, double defaultStallSeconds, out FaultSpec fault)
    {
        fault = default;
        text = text.Trim().ToLowerInvariant();
        if (text.Length == 3 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int status) && status >= 400)
        {
            fault = new FaultSpec(text, status, 0);
            return true;
        }
        if (text.StartsWith(FaultKinds.Stall, StringComparison.Ordinal))
        {
            double seconds = defaultStallSeconds;
            if (text.Length > FaultKinds.Stall.Length)
            {
                if (text[FaultKinds.Stall.Length] != ':' ||
                    !double.TryParse(text[(FaultKinds.Stall.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) ||
                    seconds < 0)
                    return false;
            }
            fault = new FaultSpec(FaultKinds.Stall, 0, seconds);
            return true;
        }
        switch (text)
        {
            case FaultKinds.Reset:
            case FaultKinds.ResetMidStream:
            case FaultKinds.StreamError:
            case FaultKinds.Slow:
                fault = new FaultSpec(text, 0, 0);
                return true;
            case FaultKinds.SpendCap:
                fault = new FaultSpec(text, 429, 0);
                return true;
        }
        return false;
    }
}

/// <summary>
/// Decides which fault (if any) an attempt gets: scripted by x-emulator-scenario / x-emulator-faults
/// (attempt n of a scenario gets the n-th fault, later attempts succeed), otherwise drawn at random by
/// <see cref="EmulatorOptions.FaultRate"/> from a seeded generator so runs are reproducible.
/// </summary>
public sealed class FaultInjector
{
    public const string ScenarioHeader = "x-emulator-scenario";
    public const string FaultsHeader = "x-emulator-faults";

    private readonly EmulatorOptions _options;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Random _random;
    private readonly object _randomLock = new();

    public FaultInjector(EmulatorOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>How many attempts carried this scenario id so far.</summary>
    public int AttemptsOf(string scenarioId) => _attempts.TryGetValue(scenarioId, out int n) ? n : 0;

    /// <summary>Forgets every scenario's attempt count.</summary>
    public void ResetScenarios() => _attempts.Clear();

    /// <summary>
    /// The fault for this attempt. Throws <see cref="EmulatorApiException"/> (400) when the faults header is malformed.
    /// </summary>
    public FaultSpec? Next(string? scenarioId, string? faultList)
    {
        if (!string.IsNullOrWhiteSpace(scenarioId))
        {
            var faults = ParseList(faultList);
            int attempt = _attempts.AddOrUpdate(scenarioId.Trim(), 1, (_, n) => n + 1) - 1;
            return attempt < faults.Count ? faults[attempt] : null;
        }
        if (_options.FaultRate <= 0 || _options.RandomFaultKinds.Count == 0) return null;
        string kind;
        lock (_randomLock)
        {
            if (_random.NextDouble() >= _options.FaultRate) return null;
            kind = _options.RandomFaultKinds[_random.Next(_options.RandomFaultKinds.Count)];
        }
        return FaultSpec.TryParse(kind, _options.StallSeconds, out var fault) ? fault : null;
    }

    private List<FaultSpec> ParseList(string? faultList)
    {
        var result = new List<FaultSpec>();
        if (string.IsNullOrWhiteSpace(faultList)) return result;
        foreach (var item in faultList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!FaultSpec.TryParse(item, _options.StallSeconds, out var fault))
                throw new EmulatorApiException(400, ErrorTypes.InvalidRequest,
                    $"{FaultsHeader}: unknown fault '{item}'. Use a status code (429, 500, 503, 529...), reset, reset-mid-stream, stream-error, stall[:seconds], slow or spend-cap.");
            result.Add(fault);
        }
        return result;
    }
}
