using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.RateLimiting;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Wire;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ClaudePS.Engine.Http;

/// <summary>
/// Everything between ClaudeClient and HttpClient for one connection. A call runs one Polly pipeline:
/// the overall deadline (<c>-TimeoutSec</c>), then the retry rules (<see cref="RetryRules"/>), then one
/// attempt: the adaptive rate limiter, endpoint choice, that endpoint's circuit breaker (Polly's, in a
/// pipeline of its own per endpoint: <see cref="EndpointBreaker"/>), the HTTP exchange (with the one
/// forced credential refresh after 401) and the reply's reader. The verbose account of retries and
/// waits is written here too.
/// </summary>
internal sealed class ClaudeTransport
{
    private static readonly string UserAgent = "ClaudePS/" + typeof(ClaudeTransport).Assembly.GetName().Version?.ToString(3);
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("ClaudePS.CallState");

    private readonly ClaudeConnection _connection;
    private readonly ResiliencePipeline _pipeline;
    /// <summary>The credential's header is one of the connection's default headers (a fixed credential).</summary>
    private readonly bool _credentialIsDefault;

    public ClaudeTransport(ClaudeConnection connection, ResilienceSettings settings)
    {
        _connection = connection;
        Settings = settings;
        _credentialIsDefault = SetDefaultHeaders(connection.Http, connection.Options, connection.Credential);
        Limiter = new AdaptiveRateLimiter(settings);
        Endpoints = new EndpointPool(connection.Endpoints, settings);
        if (settings.CacheTtl is { } ttl && ttl > TimeSpan.Zero)
            Cache = new ResponseCache(ttl, settings.CacheMaxEntries, settings.CacheMaxBytes, settings.Clock);
        _pipeline = BuildPipeline(settings.Clock);
    }

    public ResilienceSettings Settings { get; }
    public AdaptiveRateLimiter Limiter { get; }
    public EndpointPool Endpoints { get; }
    /// <summary>The response cache, when the connection has a cache TTL.</summary>
    public ResponseCache? Cache { get; }

    /// <summary>
    /// The pipeline every call runs, outermost first. The deadline runs on real time; the retry waits on
    /// the connection's clock (tests replace it to skip waits). The retry strategy only carries out what
    /// <see cref="RetryRules"/> decide: the call's own settings set the attempt count and the budget, the
    /// server's hints and the backoff set the wait.
    /// </summary>
    private ResiliencePipeline BuildPipeline(TimeProvider clock)
    {
        var retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => new ValueTask<bool>(Decide(State(args.Context), args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(State(args.Context).Decision.Delay),
                OnRetry = args =>
                {
                    OnRetry(State(args.Context), args.RetryDelay);
                    return default;
                },
            })
            // The limiter first: a wait there (or a cancellation during it) sends nothing, so it must
            // not count for or against an endpoint's breaker.
            .AddStrategy(_ => new RateLimitStep(Limiter))
            .AddStrategy(_ => new EndpointStep(this))
            .Build();
        return new ResiliencePipelineBuilder { TimeProvider = TimeProvider.System }
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = args => new ValueTask<TimeSpan>(State(args.Context).Deadline) })
            .AddPipeline(retry)
            .Build();
    }

    private static CallState State(ResilienceContext context) => context.Properties.GetValue(StateKey, null!);

    /// <summary>Sends <paramref name="request"/> with retries; returns what its reader made of the
    /// successful reply, or throws <see cref="ClaudeException"/>.</summary>
    public async ValueTask<T> SendAsync<T>(TransportRequest<T> request, Http.CallOptions call, CancellationToken cancellationToken)
    {
        var settings = call.Resilience?.ApplyTo(Settings) ?? Settings;
        var overall = call.Timeout ?? _connection.Options.Timeout;
        if (overall < settings.RetryBudget)
        {
            settings = settings.Copy();
            settings.RetryBudget = overall;
        }
        var state = new CallState<T>(request, settings, call.Log, overall);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, s) => s.Transport.ExchangeAsync(s.State, ctx.CancellationToken),
                context, (Transport: this, State: state)).ConfigureAwait(false);
        }
        catch (AttemptFailure f)
        {
            throw new ClaudeException(FinalError(f, state), f.InnerException);
        }
        catch (TimeoutRejectedException ex)
        {
            var error = ApiErrors.Timeout($"The call (with {state.Attempts} attempt{(state.Attempts == 1 ? "" : "s")})", overall, state.LastEndpoint);
            throw new ClaudeException(WithPartial(error, state.LastBuilder), ex);
        }
        catch (OperationCanceledException ex)
        {
            throw new ClaudeException(WithPartial(ApiErrors.Canceled(), state.LastBuilder), ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The attempt's second step: chooses the endpoint, runs the rest of the attempt through that
    /// endpoint's circuit breaker, and tells the endpoint pool how the attempt ended.</summary>
    private sealed class EndpointStep : ResilienceStrategy
    {
        private readonly ClaudeTransport _transport;

        public EndpointStep(ClaudeTransport transport) => _transport = transport;

        protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            var call = State(context);
            int attempt = Interlocked.Increment(ref call.Attempts);
            var (endpoint, probe) = _transport.ChooseEndpoint(call, attempt);
            call.Endpoint = endpoint;
            var outcome = await endpoint.Breaker.Pipeline.ExecuteOutcomeAsync(callback, context, state).ConfigureAwait(false);
            if (outcome.Exception is BrokenCircuitException refused)
            {
                if (probe) _transport.Endpoints.EndProbe(endpoint);
                return Outcome.FromException<TResult>(CircuitOpen(endpoint, refused));
            }
            var failure = outcome.Exception as AttemptFailure;
            if (failure is not null) failure.EndpointIndex = endpoint.Index;
            _transport.Endpoints.Report(endpoint, failure);
            return outcome;
        }
    }

    /// <summary>The attempt's first step: waits for the adaptive rate limiter and holds its lease
    /// while the attempt runs.</summary>
    private sealed class RateLimitStep : ResilienceStrategy
    {
        private readonly AdaptiveRateLimiter _limiter;

        public RateLimitStep(AdaptiveRateLimiter limiter) => _limiter = limiter;

        protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            var call = State(context);
            RateLease lease;
            try
            {
                lease = await _limiter.AcquireAsync(call.Request.Demand, call.Log is null ? null : call.LogLimiterWait, context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException canceled)
            {
                return Outcome.FromException<TResult>(canceled);
            }
            using (lease)
            {
                call.Lease = lease;
                return await callback(context, state).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Chooses the attempt's endpoint and says so when it moved.</summary>
    private (EndpointState endpoint, bool probe) ChooseEndpoint(CallState state, int attempt)
    {
        var (endpoint, probe) = Endpoints.Choose();
        if (probe) state.Log?.WriteVerbose($"Probing endpoint {endpoint.Shown} again with this request (it failed earlier).");
        else if (state.LastEndpointIndex is { } last && last != endpoint.Index)
            state.Log?.WriteVerbose($"Attempt {attempt} of {state.Request.What} goes to endpoint {endpoint.Shown} ({Endpoints.All[last].Shown} failed).");
        state.LastEndpointIndex = endpoint.Index;
        state.LastEndpoint = endpoint.Shown;
        return (endpoint, probe);
    }

    /// <summary>The failure an attempt the breaker refused becomes: transient, carrying the break's time
    /// left, which the retry rules wait out like a server hint.</summary>
    private static AttemptFailure CircuitOpen(EndpointState endpoint, BrokenCircuitException refused) =>
        new(new ClaudeError("ClaudePS.CircuitOpen", ClaudeErrorCategory.ResourceUnavailable,
            $"Recent attempts at {endpoint.Shown} mostly failed, so ClaudePS stopped sending there for a while. Try again shortly, or give a second endpoint with -BaseUri.")
        { IsTransient = true }, FailureKind.CircuitOpen, refused)
        {
            // A trial that outlasts the break leaves no time left: wait a whole break, as for a fresh one.
            ServerWait = refused.RetryAfter is { } left && left > TimeSpan.Zero ? left : endpoint.Breaker.BreakDuration,
            ServerWaitSource = "circuit breaker",
            EndpointIndex = endpoint.Index,
        };

    /// <summary>Sends the request to <paramref name="endpoint"/> with the attempt's own timeouts and reads
    /// the reply. Every way it can fail becomes an <see cref="AttemptFailure"/>; usage a failed attempt
    /// reported is settled and billed.</summary>
    private async ValueTask<T> ExchangeAsync<T>(CallState<T> state, CancellationToken ct)
    {
        var endpoint = state.Endpoint!;
        var lease = state.Lease!;
        int attempt = state.Attempts;
        var s = state.Settings;
        var request = state.Request;
        // Its own token source only when something can end this attempt alone (attempt timeout, idle stream).
        using var attemptCts = s.AttemptTimeout is not null || request.Stream ? CancellationTokenSource.CreateLinkedTokenSource(ct) : null;
        if (s.AttemptTimeout is { } limit) attemptCts!.CancelAfter(limit);
        var token = attemptCts?.Token ?? ct;
        using var idle = request.Stream ? new IdleWatchdog(s.StreamIdleTimeout, attemptCts!) : null;
        var context = new AttemptContext { Attempt = attempt, Endpoint = endpoint.Uri, ShownEndpoint = endpoint.Shown, Started = state.Started, Idle = idle };
        bool succeeded = false;
        try
        {
            using var res = await SendHttpAsync(state, request.Target(endpoint.Uri), endpoint, attempt, lease, token).ConfigureAwait(false);
            idle?.Kick();
            context.RequestId = ClaudeClient.Header(res, "request-id");
            if (_connection.ServerClock.ObservationDue() && res.Headers.Date is { } date && _connection.ServerClock.Observe(date) is { } skewNote)
                state.Log?.WriteVerbose(skewNote);
            if (!res.IsSuccessStatusCode) throw await StatusFailureAsync(res, state, lease, context).ConfigureAwait(false);
            var result = await ReadReplyAsync(res, state, lease, context, token).ConfigureAwait(false);
            succeeded = true;
            return result;
        }
        catch (AttemptFailure f) when (context.Builder is { } b)
        {
            f.Error = WithPartial(f.Error, b);
            throw;
        }
        catch (ClaudeException ex)
        {
            // The reader's own failures: an error event in the stream, a stream that ended early.
            throw Failure(WithPartial(ex.Error, context.Builder), FailureKind.Stream, context, ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested && attemptCts is { IsCancellationRequested: true })
        {
            if (idle is { Fired: true })
                throw Failure(WithPartial(new ClaudeError("ClaudePS.StreamIdle", ClaudeErrorCategory.OperationTimeout,
                    $"The stream from {endpoint.Shown} sent nothing for {RetryRules.Show(idle.Idle)}. It is retried if nothing had reached you yet; raise the stream idle timeout (CLAUDEPS_STREAM_IDLE_TIMEOUT_SEC) if the model thinks long.")
                { RequestId = context.RequestId, IsTransient = true }, context.Builder), FailureKind.StreamIdle, context, ex);
            throw Failure(WithPartial(ApiErrors.Timeout($"Attempt {attempt}", s.AttemptTimeout ?? TimeSpan.Zero, endpoint.Shown), context.Builder),
                FailureKind.AttemptTimeout, context, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw Failure(WithPartial(ApiErrors.Connection(ex, endpoint.Shown), context.Builder), FailureKind.Connection, context, ex);
        }
        catch (JsonException ex)
        {
            throw Failure(new ClaudeError("ClaudePS.InvalidResponse", ClaudeErrorCategory.InvalidResult,
                $"The reply from {endpoint.Shown} was not valid JSON: {ex.Message}") { RequestId = context.RequestId, IsTransient = true },
                FailureKind.InvalidReply, context, ex);
        }
        finally
        {
            state.LastBuilder = context.Builder;
            if (!succeeded && context.Builder is { } b && (b.Usage.InputTokens > 0 || b.Usage.OutputTokens > 0))
            {
                lease.Settle(b.Usage);
                request.OnFailedAttemptUsage(b.Usage, context);
            }
        }
    }

    /// <summary>The HTTP exchange: adds the credential unless it is a default header; after a 401 with a
    /// refreshable credential (a token revoked or rotated early), refreshes it once and sends again at once.</summary>
    private async Task<HttpResponseMessage> SendHttpAsync(CallState state, Uri uri, EndpointState endpoint, int attempt, RateLease lease, CancellationToken token)
    {
        var request = state.Request;
        var credential = _connection.Credential;
        // Credentials other than a default header (tokens that expire) are asked on every attempt.
        var auth = _credentialIsDefault ? default : await credential.GetHeaderAsync(false, token).ConfigureAwait(false);
        Limiter.MarkSent(lease);
        HttpResponseMessage res;
        using (var message = NewMessage(request, uri, attempt, auth))
            res = await _connection.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        if ((int)res.StatusCode != 401 || !credential.CanRefresh || state.Refreshed) return res;

        state.Refreshed = true;
        res.Dispose();
        state.Log?.WriteVerbose($"{request.What} got 401 from {endpoint.Shown}; refreshing the {credential.AuthKind} credential once and sending again.");
        auth = await credential.RefreshAfterRejectionAsync(auth, token).ConfigureAwait(false);
        using var again = NewMessage(request, uri, attempt, auth);
        return await _connection.Http.SendAsync(again, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
    }

    /// <summary>An error status as a failure with the server's retry hints; a 429 also pauses the limiter.</summary>
    private async Task<AttemptFailure> StatusFailureAsync(HttpResponseMessage res, CallState state, RateLease lease, AttemptContext context)
    {
        var request = state.Request;
        int status = (int)res.StatusCode;
        var (wait, source) = RetryRules.ServerWait(res.Headers, state.Settings.Clock.GetUtcNow());
        var body = await res.Content.ReadAsStringAsync().ConfigureAwait(false);
        var error = ApiErrors.FromHttp(status, body, context.RequestId, context.ShownEndpoint);
        if (status == 429) _connection.Services.Metrics.RecordRateLimited(request.Model ?? "unknown");
        if (request.Demand is not null)
            Limiter.OnResponse(lease, res.Headers, status == 429 && error.ErrorId != "ClaudePS.SpendLimitReached", wait);
        return new AttemptFailure(error, FailureKind.Status)
        { ShouldRetryHeader = RetryRules.ShouldRetry(res.Headers), ServerWait = wait, ServerWaitSource = source };
    }

    /// <summary>Reads a successful reply and syncs the limiter with its headers: a stream's as it starts
    /// (it may run for minutes), a whole reply's with its usage once read, or alone when the read gives
    /// no usage (it failed, or the reader keeps no message).</summary>
    private async ValueTask<T> ReadReplyAsync<T>(HttpResponseMessage res, CallState<T> state, RateLease lease, AttemptContext context, CancellationToken token)
    {
        var unsynced = state.Request.Demand is null ? null : res.Headers;
        if (state.Request.Stream && unsynced is not null)
        {
            Limiter.OnResponse(lease, unsynced, false, null);
            unsynced = null;
        }
        try
        {
            var result = await state.Call.ReadAsync(res, context, token).ConfigureAwait(false);
            if (context.Builder is { } done)
            {
                lease.Settle(done.Usage, unsynced);
                unsynced = null;
            }
            return result;
        }
        finally
        {
            if (unsynced is not null) Limiter.OnResponse(lease, unsynced, false, null);
        }
    }

    /// <summary>The HTTP request of one attempt. Headers go in unvalidated: every value is ours.
    /// <paramref name="auth"/> is empty when the credential is a connection default header.</summary>
    private static HttpRequestMessage NewMessage(TransportRequest request, Uri uri, int attempt, AuthHeader auth)
    {
        var message = new HttpRequestMessage(request.Method, uri);
        var headers = message.Headers;
        if (auth.Name is not null) headers.TryAddWithoutValidation(auth.Name, auth.Value);
        // A request's own value of a header wins over the connection's default (SetDefaultHeaders).
        if (attempt > 1) headers.TryAddWithoutValidation(RetryCountHeader, (attempt - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (request.Stream) headers.TryAddWithoutValidation("accept", "text/event-stream");
        if (request.Betas is { } betas) headers.TryAddWithoutValidation("anthropic-beta", betas);
        if (request.Body is not null) message.Content = new ByteArrayContent(request.Body) { Headers = { ContentType = JsonContentType } };
        return message;
    }

    /// <summary>The same header the official SDKs send, so servers and the emulator can tell retries apart.</summary>
    private const string RetryCountHeader = "x-stainless-retry-count";
    /// <summary>Only read when a request is written, so one instance serves them all.</summary>
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    /// <summary>The headers every request of the connection sends, set once on its HttpClient rather than on
    /// each request. <c>accept</c> and the retry count are defaults a stream or a retry overrides. A fixed
    /// credential (an API key or a static bearer token) is one of them: it never changes, and the
    /// connection's HttpClient talks to nothing but the connection's endpoints. Returns whether it is.</summary>
    private static bool SetDefaultHeaders(HttpClient http, Connections.ClaudeConnectionOptions options, ICredentialProvider credential)
    {
        var headers = http.DefaultRequestHeaders;
        var fixedCredential = credential as StaticCredential;
        if (fixedCredential is not null) headers.TryAddWithoutValidation(fixedCredential.Header.Name, fixedCredential.Header.Value);
        headers.TryAddWithoutValidation("anthropic-version", options.AnthropicVersion);
        if (options.Betas.Count > 0) headers.TryAddWithoutValidation("anthropic-beta", string.Join(",", options.Betas));
        headers.TryAddWithoutValidation("user-agent", UserAgent);
        headers.TryAddWithoutValidation(RetryCountHeader, "0");
        headers.TryAddWithoutValidation("accept", "application/json");
        return fixedCredential is not null;
    }

    /// <summary>The retry strategy's ShouldHandle: runs the retry rules on a failed attempt and keeps the
    /// decision for its DelayGenerator and the verbose line.</summary>
    private bool Decide(CallState state, Exception? exception, CancellationToken ct)
    {
        if (exception is not AttemptFailure f || ct.IsCancellationRequested) return false;
        var elapsed = state.Settings.Clock.GetElapsedTime(state.StartTimestamp);
        bool otherReady = f.MovesEndpoint && Endpoints.HasHealthyOtherThan(f.EndpointIndex);
        state.Decision = RetryRules.Decide(f, state.Attempts, elapsed, state.Settings, otherReady);
        state.LastFailure = f;
        return state.Decision.Retry;
    }

    /// <summary>A retry is decided: count it and say why.</summary>
    private void OnRetry(CallState state, TimeSpan delay)
    {
        if (state.LastFailure is { } failure) _connection.Services.Metrics.RecordRetry(Usage.ClaudeMetrics.StatusOf(failure.Error));
        LogRetry(state, delay);
    }

    private static void LogRetry(CallState state, TimeSpan delay)
    {
        if (state.Log is not { } log || state.LastFailure is not { } f) return;
        string status = f.Status is { } code ? $"HTTP {code}{(f.Error.ErrorType is null ? "" : " " + f.Error.ErrorType)}" : f.Kind.ToString();
        string rid = f.Error.RequestId is null ? "" : $", request id {f.Error.RequestId}";
        log.WriteVerbose($"Attempt {state.Attempts} of {state.Request.What} failed at {state.LastEndpoint}: {f.Error.ErrorId} ({status}{rid}). " +
                         $"Retry {state.Attempts} of {state.Settings.MaxRetries} in {RetryRules.Show(delay)} ({state.Decision.Reason}).");
    }

    private static ClaudeError FinalError(AttemptFailure f, CallState state)
    {
        var e = f.Error;
        if (state.Decision.GiveUpMessage is not { } why || !ReferenceEquals(state.LastFailure, f)) return e;
        return e.WithMessage($"{why}. Last error: {e.Message}");
    }

    private static AttemptFailure Failure(ClaudeError error, FailureKind kind, AttemptContext context, Exception inner)
    {
        if (error.RequestId is null && context.RequestId is not null) error = error.WithRequestId(context.RequestId);
        return new AttemptFailure(error, kind, inner)
        {
            ContentDelivered = context.Builder?.HasContent ?? false,
            Usage = context.Builder?.Usage,
        };
    }


    /// <summary>Puts the text and usage seen so far on the error when the reply had started.</summary>
    private static ClaudeError WithPartial(ClaudeError error, MessageBuilder? builder) =>
        builder is { HasContent: true } b ? error.WithPartial(b.PartialText, b.Usage) : error;

    /// <summary>The state of one logical call across its attempts.</summary>
    private abstract class CallState
    {
        protected CallState(TransportRequest request, ResilienceSettings settings, IClaudeOutputSink? log, TimeSpan deadline)
        {
            Request = request;
            Deadline = deadline;
            Settings = settings;
            Log = log;
            Started = request.Started != 0 ? request.Started : TimeProvider.System.GetTimestamp();
            // Real time unless a test replaced the clock: then the retry budget runs on the test's clock.
            StartTimestamp = ReferenceEquals(settings.Clock, TimeProvider.System) ? Started : settings.Clock.GetTimestamp();
        }

        public TransportRequest Request { get; }
        /// <summary>The call's overall time limit (real time, across all attempts and waits).</summary>
        public TimeSpan Deadline { get; }
        public ResilienceSettings Settings { get; }
        public IClaudeOutputSink? Log { get; }
        public long StartTimestamp { get; }
        /// <summary>Real-time start, for Duration and TimeToFirstToken.</summary>
        public long Started { get; }
        public int Attempts;
        public bool Refreshed { get; set; }
        public RetryDecision Decision { get; set; }
        public AttemptFailure? LastFailure { get; set; }
        public int? LastEndpointIndex { get; set; }
        public string? LastEndpoint { get; set; }
        public MessageBuilder? LastBuilder { get; set; }
        /// <summary>The current attempt's endpoint and rate-limit lease (set by the pipeline's steps).</summary>
        public EndpointState? Endpoint { get; set; }
        public RateLease? Lease { get; set; }

        /// <summary>The limiter's wait note (a method group made once per call, only when someone listens).</summary>
        public void LogLimiterWait(TimeSpan wait, string why) =>
            Log?.WriteVerbose($"Waiting {RetryRules.Show(wait)} before sending {Request.What}: client-side rate limit ({why}).");
    }

    private sealed class CallState<T> : CallState
    {
        public CallState(TransportRequest<T> request, ResilienceSettings settings, IClaudeOutputSink? log, TimeSpan deadline)
            : base(request, settings, log, deadline) => Call = request;

        /// <summary>The request, with its reader.</summary>
        public TransportRequest<T> Call { get; }
    }
}
