using System.Diagnostics;

namespace ClaudePS.Bench.Harness;

/// <summary>Samples this process's working set every 50 ms until disposed; <see cref="PeakBytes"/> is the highest seen.</summary>
internal sealed class PeakWorkingSet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peak;

    public PeakWorkingSet() => _sampler = Task.Run(SampleAsync);

    public long PeakBytes => Interlocked.Read(ref _peak);

    private async Task SampleAsync()
    {
        using var self = Process.GetCurrentProcess();
        while (!_stop.IsCancellationRequested)
        {
            self.Refresh();
            long now = self.WorkingSet64;
            if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
            try { await Task.Delay(50, _stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>Stops sampling (after one last sample) and waits for the sampler to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sampler.ConfigureAwait(false);
        _stop.Dispose();
    }
}
