using System;
using System.Collections.Generic;
using System.Globalization;

namespace ClaudePS.Emulator;

/// <summary>
/// The emulator's knobs. Every option also has a command-line flag (--name value or --name=value);
/// README.md in this folder lists them. Unknown flags (for example --urls) are left to ASP.NET Core.
/// </summary>
public sealed class EmulatorOptions
{
    /// <summary>Accepted API keys (x-api-key or Bearer); empty means any key that starts with sk-ant-.</summary>
    public List<string> ApiKeys { get; set; } = new();

    /// <summary>Clock for cache TTLs, rate-limit refill and pacing; tests inject their own.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    // ---- pacing -------------------------------------------------------------------------------
    /// <summary>Delay before the response starts (headers), every request. --latency-ms</summary>
    public int LatencyMs { get; set; }
    /// <summary>Delay between the start of the reply and its first content. --ttft-ms</summary>
    public int TimeToFirstTokenMs { get; set; }
    /// <summary>Output pace; 0 means as fast as possible. --tokens-per-second</summary>
    public double TokensPerSecond { get; set; }
    /// <summary>Fixed reply length in output tokens instead of the length derived from the prompt. --reply-tokens</summary>
    public int? ReplyTokens { get; set; }

    // ---- rate limits (0 = off) ---------------------------------------------------------------
    /// <summary>Requests per minute per API key. --rpm</summary>
    public int RequestsPerMinute { get; set; }
    /// <summary>Input tokens per minute per API key (cache reads excluded). --input-tpm</summary>
    public int InputTokensPerMinute { get; set; }
    /// <summary>Output tokens per minute per API key. --output-tpm</summary>
    public int OutputTokensPerMinute { get; set; }

    // ---- faults --------------------------------------------------------------------------------
    /// <summary>Fraction (0..1) of requests without a scenario header that get a random fault. --fault-rate</summary>
    public double FaultRate { get; set; }
    /// <summary>Kinds drawn by random injection (see <see cref="FaultKinds"/>). --fault-kinds 429,529,reset</summary>
    public List<string> RandomFaultKinds { get; set; } = new(FaultKinds.RandomDefaults);
    /// <summary>Seed of the random fault generator, for reproducible runs. --seed</summary>
    public int Seed { get; set; } = 1;
    /// <summary>Default length of a stall fault when the fault names none. --stall-seconds</summary>
    public double StallSeconds { get; set; } = 10;
    /// <summary>retry-after sent with injected 429/529 faults and exceeded limits, in seconds. --retry-after</summary>
    public int FaultRetryAfterSeconds { get; set; } = 1;
    /// <summary>When set, injected faults also send retry-after-ms (tests keep retries fast). --retry-after-ms</summary>
    public int? FaultRetryAfterMs { get; set; }
    /// <summary>Pace of the "slow" fault. --slow-tokens-per-second</summary>
    public double SlowTokensPerSecond { get; set; } = 20;

    // ---- caching / limits --------------------------------------------------------------------
    /// <summary>Prefixes shorter than this are not cached; null (the default) uses each model's minimum, as the
    /// real API does (1,024 to 4,096 tokens). Tests lower it (0 caches any prefix). --cache-min-tokens</summary>
    public int? CacheMinTokens { get; set; }
    /// <summary>Largest accepted Messages / count_tokens body. --max-body-mb</summary>
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;
    /// <summary>Pad SSE data JSON with spaces before its closing brace, as real traffic sometimes does. --pad-sse</summary>
    public bool PadSseData { get; set; }

    public static EmulatorOptions FromArgs(string[] args)
    {
        var options = new EmulatorOptions();
        bool kindsGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string? value = null;
            int eq = name.IndexOf('=');
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            string Next()
            {
                if (value != null) return value;
                if (i + 1 >= args.Length) throw new ArgumentException($"Option {name} needs a value.");
                return args[++i];
            }
            switch (name)
            {
                case "--api-key": options.ApiKeys.Add(Next()); break;
                case "--latency-ms": options.LatencyMs = Int(Next(), name); break;
                case "--ttft-ms": options.TimeToFirstTokenMs = Int(Next(), name); break;
                case "--tokens-per-second": options.TokensPerSecond = Dbl(Next(), name); break;
                case "--reply-tokens": options.ReplyTokens = Int(Next(), name); break;
                case "--rpm": options.RequestsPerMinute = Int(Next(), name); break;
                case "--input-tpm": options.InputTokensPerMinute = Int(Next(), name); break;
                case "--output-tpm": options.OutputTokensPerMinute = Int(Next(), name); break;
                case "--fault-rate": options.FaultRate = Dbl(Next(), name); break;
                case "--fault-kinds":
                    if (!kindsGiven) options.RandomFaultKinds.Clear();
                    kindsGiven = true;
                    options.RandomFaultKinds.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--seed": options.Seed = Int(Next(), name); break;
                case "--stall-seconds": options.StallSeconds = Dbl(Next(), name); break;
                case "--retry-after": options.FaultRetryAfterSeconds = Int(Next(), name); break;
                case "--retry-after-ms": options.FaultRetryAfterMs = Int(Next(), name); break;
                case "--slow-tokens-per-second": options.SlowTokensPerSecond = Dbl(Next(), name); break;
                case "--cache-min-tokens": options.CacheMinTokens = Int(Next(), name); break;
                case "--max-body-mb": options.MaxRequestBodyBytes = (long)(Dbl(Next(), name) * 1024 * 1024); break;
                case "--pad-sse": options.PadSseData = true; break;
            }
        }
        foreach (var kind in options.RandomFaultKinds)
        {
            if (!FaultSpec.TryParse(kind, options.StallSeconds, out _))
                throw new ArgumentException($"Unknown fault kind '{kind}' in --fault-kinds.");
        }
        return options;
    }

    private static int Int(string value, string name) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : throw new ArgumentException($"Option {name} needs an integer, not '{value}'.");

    private static double Dbl(string value, string name) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? n : throw new ArgumentException($"Option {name} needs a number, not '{value}'.");
}
