using System;
using System.Threading.Tasks;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Tests.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Xunit;

namespace ClaudePS.Engine.Tests.Http;

/// <summary>The endpoint breaker as the transport uses it: attempts run through its Polly pipeline.</summary>
public class EndpointBreakerTests
{
    private static (EndpointBreaker Breaker, TestClock Clock) Create(int minimumThroughput = 4, double ratio = 0.5)
    {
        var clock = new TestClock();
        var settings = ResilienceSettings.Defaults.Copy();
        settings.Clock = clock;
        settings.BreakerMinimumThroughput = minimumThroughput;
        settings.BreakerFailureRatio = ratio;
        settings.BreakerSamplingDuration = TimeSpan.FromSeconds(30);
        settings.BreakerBreakDuration = TimeSpan.FromSeconds(10);
        return (new EndpointBreaker(settings), clock);
    }

    /// <summary>An attempt that blames the endpoint (a 503), one that does not (a 429), a success, a cancellation.</summary>
    private static Outcome<string> Blaming() => Outcome.FromException<string>(Failure(503));
    private static Outcome<string> NotBlaming() => Outcome.FromException<string>(Failure(429));
    private static Outcome<string> Ok() => Outcome.FromResult("ok");
    private static Outcome<string> Canceled() => Outcome.FromException<string>(new OperationCanceledException());

    private static AttemptFailure Failure(int status) =>
        new(new ClaudeError("Test", ClaudeErrorCategory.ResourceUnavailable, "failed") { HttpStatus = status }, FailureKind.Status);

    /// <summary>Runs one attempt ending in <paramref name="end"/> through the breaker; returns what came out.</summary>
    private static Task<Outcome<string>> Attempt(EndpointBreaker breaker, Outcome<string> end) =>
        Attempt(breaker, Task.FromResult(end));

    private static async Task<Outcome<string>> Attempt(EndpointBreaker breaker, Task<Outcome<string>> end)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            return await breaker.Pipeline.ExecuteOutcomeAsync(static async (_, e) => await e, context, end);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static async Task<TimeSpan?> Refused(EndpointBreaker breaker)
    {
        var outcome = await Attempt(breaker, Ok());
        return Assert.IsType<BrokenCircuitException>(outcome.Exception).RetryAfter;
    }

    /// <summary>A breaker that two failures opened (minimum throughput 2, ratio 1) and whose 10 s break has passed.</summary>
    private static async Task<EndpointBreaker> OpenAndDueForTrialAsync()
    {
        var (breaker, clock) = Create(minimumThroughput: 2, ratio: 1);
        await Passes(breaker, Blaming());
        await Passes(breaker, Blaming());
        clock.Advance(TimeSpan.FromSeconds(10));
        return breaker;
    }

    private static async Task Passes(EndpointBreaker breaker, Outcome<string> end) =>
        Assert.IsNotType<BrokenCircuitException>((await Attempt(breaker, end)).Exception);

    [Fact]
    public async Task Stays_closed_below_the_minimum_throughput_even_when_every_attempt_failed()
    {
        var (breaker, _) = Create(minimumThroughput: 4);
        for (int i = 0; i < 3; i++) await Passes(breaker, Blaming());
        Assert.False(breaker.IsOpen);
        await Passes(breaker, Blaming());
        Assert.True(breaker.IsOpen);
        await Refused(breaker);
    }

    [Fact]
    public async Task Opens_only_at_the_failure_ratio_of_failures_that_blame_the_endpoint()
    {
        var (breaker, _) = Create(minimumThroughput: 4, ratio: 0.5);
        await Passes(breaker, Ok());
        await Passes(breaker, NotBlaming()); // a 429 is the endpoint answering: it counts as a success
        await Passes(breaker, Ok());
        await Passes(breaker, Blaming());   // 1 of 4
        await Passes(breaker, Blaming());   // 2 of 5
        Assert.False(breaker.IsOpen);
        await Passes(breaker, Blaming());   // 3 of 6 = the ratio
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public async Task Caller_cancellations_while_closed_count_as_attempts_that_did_not_fail()
    {
        var (breaker, _) = Create(minimumThroughput: 3, ratio: 0.8);
        await Passes(breaker, Canceled());
        await Passes(breaker, Canceled());
        for (int i = 0; i < 3; i++) await Passes(breaker, Blaming());
        Assert.False(breaker.IsOpen);       // 3 of 5, not 3 of 3
    }

    [Fact]
    public async Task Refuses_for_the_break_then_lets_one_trial_through_whose_success_closes_it()
    {
        var (breaker, clock) = Create(minimumThroughput: 2, ratio: 1);
        await Passes(breaker, Blaming());
        await Passes(breaker, Blaming());

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), await Refused(breaker));

        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.False(breaker.IsOpen);                  // the break is over: endpoint choice may pick it
        var verdict = new TaskCompletionSource<Outcome<string>>();
        var trial = Attempt(breaker, verdict.Task);    // the trial, still out
        Assert.True(breaker.IsOpen);
        Assert.NotNull(await Refused(breaker));        // others wait for its verdict
        verdict.SetResult(Ok());
        Assert.Null((await trial).Exception);
        Assert.False(breaker.IsOpen);
        // Closing forgets the old failures: one new failure does not reopen it.
        await Passes(breaker, Blaming());
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public async Task A_failed_trial_opens_it_for_another_full_break()
    {
        var breaker = await OpenAndDueForTrialAsync();
        await Passes(breaker, Blaming());
        Assert.True(breaker.IsOpen);
        Assert.Equal(TimeSpan.FromSeconds(10), await Refused(breaker));
    }

    [Fact]
    public async Task A_cancelled_trial_counts_as_failed_and_starts_the_break_again()
    {
        var breaker = await OpenAndDueForTrialAsync();
        await Passes(breaker, Canceled());             // the trial: the caller gave up, no evidence of health
        Assert.True(breaker.IsOpen);
        Assert.Equal(TimeSpan.FromSeconds(10), await Refused(breaker));
    }

    [Fact]
    public async Task A_trial_that_the_endpoint_answered_closes_it_even_when_the_call_failed()
    {
        var breaker = await OpenAndDueForTrialAsync();
        await Passes(breaker, NotBlaming());
        Assert.False(breaker.IsOpen);
    }

    // Polly counts in ten slices of a tenth of the sampling window (3 s here), each starting at the first
    // attempt after the last slice ended, and drops a slice whole once the window has passed since its
    // start: an attempt is forgotten between 27 and 30 s after it ended, not at exactly 30 s.
    [Fact]
    public async Task Failures_older_than_the_sampling_window_are_forgotten()
    {
        var (breaker, clock) = Create(minimumThroughput: 4, ratio: 0.5);
        await Passes(breaker, Blaming());
        clock.Advance(TimeSpan.FromSeconds(2));
        await Passes(breaker, Blaming());              // same slice as the first
        await Passes(breaker, Blaming());
        clock.Advance(TimeSpan.FromSeconds(28));       // 30 s after the slice began, 28 s after the last two
        await Passes(breaker, Blaming());              // 1 failure in the window, below the throughput
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public async Task Failures_within_the_sampling_window_still_count()
    {
        var (breaker, clock) = Create(minimumThroughput: 4, ratio: 0.5);
        await Passes(breaker, Blaming());
        await Passes(breaker, Blaming());
        await Passes(breaker, Blaming());
        clock.Advance(TimeSpan.FromSeconds(29));
        await Passes(breaker, Blaming());              // 4 failures of 4
        Assert.True(breaker.IsOpen);
    }
}
