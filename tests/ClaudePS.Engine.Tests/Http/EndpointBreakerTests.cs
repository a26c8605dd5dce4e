using System;
using ClaudePS.Engine.Http;
using ClaudePS.Engine.Resilience;
using ClaudePS.Engine.Tests.Resilience;
using Xunit;

namespace ClaudePS.Engine.Tests.Http;

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

    private static void Attempt(EndpointBreaker breaker, bool? failed)
    {
        Assert.True(breaker.TryEnter(out _));
        breaker.Record(failed);
    }

    [Fact]
    public void Stays_closed_below_the_minimum_throughput_even_when_every_attempt_failed()
    {
        var (breaker, _) = Create(minimumThroughput: 4);
        for (int i = 0; i < 3; i++) Attempt(breaker, failed: true);
        Assert.False(breaker.IsOpen);
        Attempt(breaker, failed: true);
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public void Opens_only_at_the_failure_ratio()
    {
        var (breaker, _) = Create(minimumThroughput: 4, ratio: 0.5);
        Attempt(breaker, false);
        Attempt(breaker, false);
        Attempt(breaker, false);
        Attempt(breaker, true);   // 1 of 4
        Attempt(breaker, true);   // 2 of 5
        Assert.False(breaker.IsOpen);
        Attempt(breaker, true);   // 3 of 6 = the ratio
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public void Refuses_for_the_break_then_lets_one_trial_through_whose_success_closes_it()
    {
        var (breaker, clock) = Create(minimumThroughput: 2, ratio: 1);
        Attempt(breaker, true);
        Attempt(breaker, true);

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(breaker.TryEnter(out var left));
        Assert.Equal(TimeSpan.FromSeconds(6), left);

        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.True(breaker.TryEnter(out _));        // the trial
        Assert.False(breaker.TryEnter(out _));       // others wait for its verdict
        Assert.True(breaker.IsOpen);
        breaker.Record(false);
        Assert.False(breaker.IsOpen);
        // Closing forgets the old failures: one new failure does not reopen it.
        Attempt(breaker, true);
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void A_failed_trial_opens_it_for_another_break()
    {
        var (breaker, clock) = Create(minimumThroughput: 2, ratio: 1);
        Attempt(breaker, true);
        Attempt(breaker, true);
        clock.Advance(TimeSpan.FromSeconds(10));
        Attempt(breaker, true);
        Assert.False(breaker.TryEnter(out var left));
        Assert.Equal(TimeSpan.FromSeconds(10), left);
    }

    [Fact]
    public void A_trial_without_a_verdict_hands_the_trial_to_the_next_attempt()
    {
        var (breaker, clock) = Create(minimumThroughput: 2, ratio: 1);
        Attempt(breaker, true);
        Attempt(breaker, true);
        clock.Advance(TimeSpan.FromSeconds(10));
        Attempt(breaker, null);                      // e.g. the caller cancelled
        Assert.True(breaker.TryEnter(out _));        // the next one is the trial at once
        breaker.Record(false);
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void Failures_older_than_the_sampling_window_are_forgotten()
    {
        var (breaker, clock) = Create(minimumThroughput: 4, ratio: 0.5);
        Attempt(breaker, true);
        Attempt(breaker, true);
        Attempt(breaker, true);
        clock.Advance(TimeSpan.FromSeconds(31));
        Attempt(breaker, true);                      // 1 failure in the window, below the throughput
        Assert.False(breaker.IsOpen);
    }
}
