using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>
/// How fast a reply comes out: fixed latency before the response, time to first token, tokens per
/// second. From the options, overridden per request by x-emulator-latency-ms, x-emulator-ttft-ms,
/// x-emulator-tokens-per-second (and x-emulator-reply-tokens for the reply length).
/// </summary>
internal readonly record struct Pacing(TimeSpan Latency, TimeSpan TimeToFirstToken, double TokensPerSecond)
{
    public const string LatencyHeader = "x-emulator-latency-ms";
    public const string TtftHeader = "x-emulator-ttft-ms";
    public const string TokensPerSecondHeader = "x-emulator-tokens-per-second";
    public const string ReplyTokensHeader = "x-emulator-reply-tokens";

    public static Pacing From(HttpContext context, EmulatorOptions options) => new(
        TimeSpan.FromMilliseconds(Header(context, LatencyHeader) ?? options.LatencyMs),
        TimeSpan.FromMilliseconds(Header(context, TtftHeader) ?? options.TimeToFirstTokenMs),
        Header(context, TokensPerSecondHeader) ?? options.TokensPerSecond);

    /// <summary>The "slow" fault: a long first token and a crawl afterwards.</summary>
    public Pacing Slowed(EmulatorOptions options) => this with
    {
        TimeToFirstToken = TimeToFirstToken < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : TimeToFirstToken,
        TokensPerSecond = TokensPerSecond > 0 ? Math.Min(TokensPerSecond, options.SlowTokensPerSecond) : options.SlowTokensPerSecond,
    };

    /// <summary>How long <paramref name="tokens"/> take at this pace.</summary>
    public TimeSpan ForTokens(int tokens) => TokensPerSecond > 0 ? TimeSpan.FromSeconds(tokens / TokensPerSecond) : TimeSpan.Zero;

    public static int? ReplyTokens(HttpContext context) => (int?)Header(context, ReplyTokensHeader);

    public static Task DelayAsync(TimeSpan delay, TimeProvider clock, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, clock, cancellationToken) : Task.CompletedTask;

    private static double? Header(HttpContext context, string name)
    {
        string? text = context.Request.Headers[name].FirstOrDefault();
        if (text == null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0)
            throw new EmulatorApiException(400, ErrorTypes.InvalidRequest, $"{name}: expected a non-negative number, not '{text}'.");
        return value;
    }
}
