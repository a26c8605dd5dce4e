using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace ClaudePS.Engine.Batching;

/// <summary>Totals of a batch run: what the verbose summary and the progress bar show.</summary>
public sealed class BatchSummary
{
    public long Rows { get; internal set; }
    public long Succeeded { get; internal set; }
    public long Failed { get; internal set; }
    public long Skipped { get; internal set; }
    public long FromCheckpoint { get; internal set; }
    public long InputTokens { get; internal set; }
    public long OutputTokens { get; internal set; }
    public long CacheReadTokens { get; internal set; }
    public long CacheWriteTokens { get; internal set; }
    /// <summary>Cost of what this run sent (checkpoint replays excluded).</summary>
    public decimal CostUsd { get; internal set; }
    /// <summary>Rows whose cost was unknown (no price for the model).</summary>
    public long UnpricedRows { get; internal set; }
    public TimeSpan Elapsed { get; internal set; }
    public bool Stopped { get; internal set; }

    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        double secs = Math.Max(Elapsed.TotalSeconds, 0.001);
        return string.Format(inv,
            "{0} rows: {1} succeeded, {2} failed, {3} skipped{4}; tokens in {5:N0} (cache read {6:N0}, cache write {7:N0}), out {8:N0}; cost ${9:0.######}{10}; {11:0.0} s, {12:0.#} rows/s{13}",
            Rows, Succeeded, Failed, Skipped, FromCheckpoint > 0 ? $", {FromCheckpoint} from the checkpoint" : "",
            InputTokens, CacheReadTokens, CacheWriteTokens, OutputTokens, CostUsd,
            UnpricedRows > 0 ? $" (+{UnpricedRows} rows of unknown price)" : "",
            Elapsed.TotalSeconds, Rows / secs, Stopped ? "; stopped before the end" : "");
    }
}

/// <summary>Counts finished rows and writes progress at most every <see cref="BatchOptions.ProgressInterval"/>.</summary>
internal sealed class BatchProgress
{
    private readonly object _gate = new();
    private readonly BatchSummary _summary = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly BatchOptions _options;
    private readonly string _activity;
    private long _lastReportTicks = long.MinValue;

    public BatchProgress(BatchOptions options, string activity)
    {
        _options = options;
        _activity = activity;
    }

    public long Total { get; set; }

    public void RowAdded() { lock (_gate) _summary.Rows++; }

    public void RowFinished(ClaudeBatchResult r)
    {
        lock (_gate)
        {
            switch (r.Status)
            {
                case ClaudeBatchRowStatus.Succeeded: _summary.Succeeded++; break;
                case ClaudeBatchRowStatus.Failed: _summary.Failed++; break;
                default: _summary.Skipped++; break;
            }
            if (r.FromCheckpoint) { _summary.FromCheckpoint++; return; }
            _summary.InputTokens += r.Usage.InputTokens;
            _summary.OutputTokens += r.Usage.OutputTokens;
            _summary.CacheReadTokens += r.Usage.CacheReadTokens;
            _summary.CacheWriteTokens += r.Usage.CacheWriteTokens;
            if (r.CostUsd is { } c) _summary.CostUsd += c;
            else if (r.Status == ClaudeBatchRowStatus.Succeeded) _summary.UnpricedRows++;
        }
    }

    public BatchSummary Snapshot(bool stopped = false)
    {
        lock (_gate)
        {
            return new BatchSummary
            {
                Rows = _summary.Rows, Succeeded = _summary.Succeeded, Failed = _summary.Failed, Skipped = _summary.Skipped,
                FromCheckpoint = _summary.FromCheckpoint, InputTokens = _summary.InputTokens, OutputTokens = _summary.OutputTokens,
                CacheReadTokens = _summary.CacheReadTokens, CacheWriteTokens = _summary.CacheWriteTokens, CostUsd = _summary.CostUsd,
                UnpricedRows = _summary.UnpricedRows, Elapsed = _clock.Elapsed, Stopped = stopped,
            };
        }
    }

    /// <summary>Writes a progress record unless one was written less than the interval ago.</summary>
    public void Report(IClaudeOutputSink sink, string? operation = null, bool force = false)
    {
        long now = _clock.Elapsed.Ticks;
        long last = Interlocked.Read(ref _lastReportTicks);
        if (!force && last != long.MinValue && now - last < _options.ProgressInterval.Ticks) return;
        if (Interlocked.CompareExchange(ref _lastReportTicks, now, last) != last && !force) return;
        sink.WriteProgress(Build(operation));
    }

    public void ReportCompleted(IClaudeOutputSink sink) =>
        sink.WriteProgress(new ProgressInfo(_options.ProgressActivityId, _activity, "Done") { Completed = true, PercentComplete = 100 });

    private ProgressInfo Build(string? operation)
    {
        var s = Snapshot();
        long done = s.Succeeded + s.Failed + s.Skipped;
        long total = Math.Max(Total, s.Rows);
        var inv = CultureInfo.InvariantCulture;
        string status = string.Format(inv, "{0}/{1} rows, {2} failed, {3:N0} tokens, ${4:0.####}",
            done, Total > 0 ? total.ToString(inv) : "?", s.Failed, s.InputTokens + s.OutputTokens + s.CacheReadTokens + s.CacheWriteTokens, s.CostUsd);
        int percent = -1, eta = -1;
        if (Total > 0 && total > 0)
        {
            percent = (int)Math.Min(100, done * 100 / total);
            double rate = done / Math.Max(s.Elapsed.TotalSeconds, 0.001);
            if (done > 0 && rate > 0) eta = (int)Math.Ceiling((total - done) / rate);
        }
        return new ProgressInfo(_options.ProgressActivityId, _activity, status)
        {
            PercentComplete = percent, SecondsRemaining = eta, CurrentOperation = operation,
        };
    }
}
