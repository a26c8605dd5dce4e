using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClaudePS.Emulator;

/// <summary>POST /v1/messages (JSON and SSE) and POST /v1/messages/count_tokens.</summary>
internal static class MessagesEndpoints
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapPost("/v1/messages", (HttpContext context) => ApiHandler.RunAsync(context, state, "messages", CreateAsync));
        app.MapPost("/v1/messages/count_tokens", (HttpContext context) => ApiHandler.RunAsync(context, state, "count_tokens", CountAsync));
    }

    private static async Task CreateAsync(ApiExchange exchange)
    {
        var context = exchange.Context;
        var state = exchange.State;
        var token = context.RequestAborted;
        var pacing = Pacing.From(context, state.Options);
        int? replyTokens = Pacing.ReplyTokens(context);
        await Pacing.DelayAsync(pacing.Latency, state.Clock, token).ConfigureAwait(false);

        MessageRequestSpec spec;
        using (var body = await RequestBody.ReadJsonAsync(context, state.Options.MaxRequestBodyBytes).ConfigureAwait(false))
            spec = MessageRequestParser.Parse(body.RootElement, countTokensOnly: false, ApiHandler.VersionOf(context));
        exchange.Model = spec.Model;
        exchange.Streamed = spec.Stream;

        var fault = NextFault(exchange);
        if (fault is { Kind: FaultKinds.StreamError } && !spec.Stream)
            throw FaultError(state.Options, 529); // no stream to break: the closest failure is an overloaded reply

        var plan = state.Simulator.Plan(spec, replyTokens);
        var peek = state.Simulator.EvaluateCache(spec, exchange.Caller.KeyId, commit: false);
        var (admitted, retryAfter, limit) = state.RateLimiter.TryAdmit(exchange.Caller.KeyId, spec.InputTokens - peek.ReadTokens, plan.OutputTokens);
        if (!admitted) throw RateLimited(state.Options, retryAfter, limit!);

        var cache = state.Simulator.EvaluateCache(spec, exchange.Caller.KeyId, commit: true);
        var reply = MessageSimulator.Complete(spec, plan, cache, "standard");
        bool cut = fault is { Kind: FaultKinds.StreamError or FaultKinds.ResetMidStream };
        if (!cut) exchange.Usage = reply.Usage;

        if (fault is { Kind: FaultKinds.Slow }) pacing = pacing.Slowed(state.Options);
        if (fault is { Kind: FaultKinds.Stall } stall)
        {
            // A stream stalls after its headers; a JSON reply stalls before anything.
            if (spec.Stream) await SseWriter.StartAsync(context.Response, token).ConfigureAwait(false);
            await Pacing.DelayAsync(TimeSpan.FromSeconds(stall.Seconds), state.Clock, token).ConfigureAwait(false);
        }

        if (spec.Stream)
        {
            await SseWriter.StreamAsync(exchange, reply, plan, pacing, fault).ConfigureAwait(false);
            return;
        }
        await Pacing.DelayAsync(pacing.TimeToFirstToken + pacing.ForTokens(plan.OutputTokens), state.Clock, token).ConfigureAwait(false);
        if (fault is { Kind: FaultKinds.ResetMidStream })
        {
            string json = reply.Message!.ToJsonString(WireJson.Options);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json[..(json.Length / 2)], token).ConfigureAwait(false);
            await exchange.AbortAfterFlushAsync().ConfigureAwait(false);
            return;
        }
        await ApiHandler.WriteJsonAsync(context, reply.Message!).ConfigureAwait(false);
    }

    private static async Task CountAsync(ApiExchange exchange)
    {
        var context = exchange.Context;
        var state = exchange.State;
        MessageRequestSpec spec;
        using (var body = await RequestBody.ReadJsonAsync(context, state.Options.MaxRequestBodyBytes).ConfigureAwait(false))
            spec = MessageRequestParser.Parse(body.RootElement, countTokensOnly: true, ApiHandler.VersionOf(context));
        exchange.Model = spec.Model;
        NextFault(exchange);
        await ApiHandler.WriteJsonAsync(context, new JsonObject { ["input_tokens"] = spec.InputTokens }).ConfigureAwait(false);
    }

    /// <summary>Draws this attempt's fault; status faults and reset happen here, the rest are returned.</summary>
    private static FaultSpec? NextFault(ApiExchange exchange)
    {
        var headers = exchange.Context.Request.Headers;
        var fault = exchange.State.Faults.Next(headers[FaultInjector.ScenarioHeader].FirstOrDefault(), headers[FaultInjector.FaultsHeader].FirstOrDefault());
        if (fault is not { } f) return null;
        exchange.Fault = f.ToString();
        if (f.Kind == FaultKinds.SpendCap)
        {
            var details = new JsonObject { ["error_code"] = "enforced_spend_limit_reached" };
            throw new EmulatorApiException(429, ErrorTypes.RateLimit,
                "You have reached your specified API usage limits. You will regain access at the start of next month, or raise the limit in the Console.", details);
        }
        if (f.IsStatus) throw FaultError(exchange.State.Options, f.Status);
        if (f.Kind == FaultKinds.Reset)
        {
            exchange.Abort();
            throw new OperationCanceledException("connection reset by an injected fault");
        }
        return f;
    }

    private static EmulatorApiException FaultError(EmulatorOptions options, int status)
    {
        var error = new EmulatorApiException(status, ErrorTypes.ForStatus(status), ErrorTypes.FaultMessage(status));
        if (status is 429 or 529 or 503) AddRetryAfter(error, options.FaultRetryAfterSeconds, options.FaultRetryAfterMs);
        return error;
    }

    private static EmulatorApiException RateLimited(EmulatorOptions options, int retryAfterSeconds, string limit)
    {
        int perMinute = limit switch
        {
            "requests" => options.RequestsPerMinute,
            "input tokens" => options.InputTokensPerMinute,
            _ => options.OutputTokensPerMinute,
        };
        var error = new EmulatorApiException(429, ErrorTypes.RateLimit,
            $"This request would exceed your organization's rate limit of {perMinute.ToString(CultureInfo.InvariantCulture)} {limit} per minute. " +
            "Wait for the time in the retry-after header, or reduce the prompt length, max_tokens or request rate.");
        AddRetryAfter(error, retryAfterSeconds, null);
        return error;
    }

    private static void AddRetryAfter(EmulatorApiException error, int seconds, int? milliseconds)
    {
        error.Headers["retry-after"] = Math.Max(0, seconds).ToString(CultureInfo.InvariantCulture);
        if (milliseconds is int ms) error.Headers["retry-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
    }
}
