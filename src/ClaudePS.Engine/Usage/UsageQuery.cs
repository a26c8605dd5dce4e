using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ClaudePS.Engine.Usage;

/// <summary>What Get-ClaudeUsage can group by.</summary>
[Flags]
public enum UsageGrouping
{
    None = 0,
    Model = 1,
    Day = 2,
    Hour = 4,
    Tag = 8,
    Endpoint = 16,
}

public sealed class UsageQueryOptions
{
    /// <summary>Inclusive start.</summary>
    public DateTimeOffset Since { get; set; }
    /// <summary>Exclusive end.</summary>
    public DateTimeOffset Until { get; set; }
    /// <summary>How rows are grouped: by model unless the caller says otherwise.</summary>
    public UsageGrouping GroupBy { get; set; } = UsageGrouping.Model;
    /// <summary>Only calls carrying at least one of these tags (case-insensitive); empty for all.</summary>
    public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
    /// <summary>One total row, ignoring <see cref="GroupBy"/>.</summary>
    public bool Summary { get; set; }

    /// <summary>Since local midnight today until now: the cmdlet's default window.</summary>
    public static (DateTimeOffset Since, DateTimeOffset Until) Today(DateTimeOffset now)
    {
        var local = now.ToLocalTime();
        return (new DateTimeOffset(local.Date, local.Offset), now.AddTicks(1));
    }
}

public sealed class UsageQueryResult
{
    public IReadOnlyList<ClaudeUsageReport> Rows { get; init; } = Array.Empty<ClaudeUsageReport>();
    /// <summary>Records skipped because their request id was already counted.</summary>
    public long DuplicatesSkipped { get; init; }
    public long RecordsRead { get; init; }
    public IReadOnlyList<LedgerProblem> Problems { get; init; } = Array.Empty<LedgerProblem>();
}

/// <summary>
/// Aggregates the ledger in one streaming pass: memory holds the groups, a fixed-size Bloom filter of
/// request ids, and the (rare) records whose id the filter had seen, never the records themselves.
/// Those suspects are settled exactly by a second pass that reads only when there are any, so a request
/// id is counted once even across processes and months.
/// </summary>
public sealed class UsageQuery
{
    private readonly UsageLedger _ledger;

    public UsageQuery(UsageLedger ledger) => _ledger = ledger;

    private sealed class Totals
    {
        public long Requests, Input, Output, Write5m, Write1h, Read, Unpriced;
        public decimal Cost;
        public bool AnyPriced;

        public void Add(LedgerRecord r)
        {
            // Checked: a damaged or absurd record must not wrap a total around silently.
            try
            {
                checked
                {
                    Requests++;
                    Input += r.InputTokens; Output += r.OutputTokens; Write5m += r.CacheWrite5mTokens; Write1h += r.CacheWrite1hTokens; Read += r.CacheReadTokens;
                }
                if (r.CostUsd is { } c) { Cost += c; AnyPriced = true; } else Unpriced++;
            }
            catch (OverflowException ex)
            {
                throw new ClaudeException(new ClaudeError("ClaudePS.UsageTotalOutOfRange", ClaudeErrorCategory.InvalidResult,
                    $"A usage total cannot be represented: adding the record of {r.Time:u} (request id '{r.RequestId}') goes past the largest number a total can hold. " +
                    "The ledger likely holds a damaged record with an absurd token count or cost: find and repair that line, or narrow -Since/-Until to leave it out."), ex);
            }
        }
    }

    private readonly struct GroupKey : IEquatable<GroupKey>
    {
        public GroupKey(string? model, long day, long hour, string? tag, string? endpoint) { Model = model; Day = day; Hour = hour; Tag = tag; Endpoint = endpoint; }
        public readonly string? Model, Tag, Endpoint;
        public readonly long Day, Hour;
        public bool Equals(GroupKey o) => Day == o.Day && Hour == o.Hour && string.Equals(Model, o.Model, StringComparison.Ordinal) &&
                                          string.Equals(Tag, o.Tag, StringComparison.Ordinal) && string.Equals(Endpoint, o.Endpoint, StringComparison.Ordinal);
        public override bool Equals(object? obj) => obj is GroupKey k && Equals(k);
        public override int GetHashCode()
        {
            unchecked
            {
                int h = Day.GetHashCode() * 31 + Hour.GetHashCode();
                h = h * 31 + (Model is null ? 0 : StringComparer.Ordinal.GetHashCode(Model));
                h = h * 31 + (Tag is null ? 0 : StringComparer.Ordinal.GetHashCode(Tag));
                return h * 31 + (Endpoint is null ? 0 : StringComparer.Ordinal.GetHashCode(Endpoint));
            }
        }
    }

    private static bool HasAny(IReadOnlyList<string> tags, HashSet<string> wanted)
    {
        for (int i = 0; i < tags.Count; i++) if (wanted.Contains(tags[i])) return true;
        return false;
    }

    public UsageQueryResult Run(UsageQueryOptions options)
    {
        try
        {
            return RunCore(options);
        }
        catch (Exception ex) when (Storage.FileErrors.IsFileSystemFailure(ex))
        {
            throw Storage.FileErrors.Wrap("ClaudePS.LedgerReadFailed", ex, "Reading the usage ledger in", _ledger.Paths.LedgerFolder,
                "Check that you may read that folder and its files, or set CLAUDEPS_HOME to the folder that holds your ledger.", writing: false);
        }
    }

    private UsageQueryResult RunCore(UsageQueryOptions options)
    {
        var files = _ledger.FilesFor(options.Since, options.Until);
        var reader = new LedgerReader();
        var groups = new Dictionary<GroupKey, Totals>();
        var grouping = options.Summary ? UsageGrouping.None : options.GroupBy;
        var tagFilter = options.Tags.Count == 0 ? null : new HashSet<string>(options.Tags, StringComparer.OrdinalIgnoreCase);
        long estimated = files.Sum(f => new FileInfo(f).Length) / 200;
        var seen = new RequestIdFilter(estimated);
        var suspects = new List<(int File, long Line, LedgerRecord Record)>();
        var completeLines = new long[files.Count];
        long read = 0;

        void Aggregate(LedgerRecord r)
        {
            if (tagFilter is not null && !HasAny(r.Tags, tagFilter)) return;
            if ((grouping & UsageGrouping.Tag) != 0 && r.Tags.Count > 0)
            {
                foreach (var tag in r.Tags.Distinct(StringComparer.Ordinal)) Group(r, tag).Add(r);
            }
            else Group(r, (grouping & UsageGrouping.Tag) != 0 ? "" : null).Add(r);
        }

        Totals Group(LedgerRecord r, string? tag)
        {
            var utc = r.Time.UtcDateTime;
            var key = new GroupKey(
                (grouping & UsageGrouping.Model) != 0 ? r.Model : null,
                (grouping & (UsageGrouping.Day | UsageGrouping.Hour)) != 0 ? utc.Date.Ticks : -1,
                (grouping & UsageGrouping.Hour) != 0 ? utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour : -1,
                tag,
                (grouping & UsageGrouping.Endpoint) != 0 ? r.Endpoint : null);
            if (!groups.TryGetValue(key, out var totals)) groups[key] = totals = new Totals();
            return totals;
        }

        bool InRange(LedgerRecord r) => r.Time >= options.Since && r.Time < options.Until;

        // Pass 1: aggregate every record whose id the filter has not seen; keep the rest aside.
        for (int f = 0; f < files.Count; f++)
        {
            int fileIndex = f;
            reader.Read(files[f], r =>
            {
                if (!InRange(r)) return;
                read++;
                if (r.RequestId is { } id && !seen.Add(id)) suspects.Add((fileIndex, reader.CurrentLine, r));
                else Aggregate(r);
            });
            completeLines[f] = reader.LastCompleteLine;
        }

        long duplicates = 0;
        if (suspects.Count > 0)
        {
            // Pass 2: which suspect ids were really counted in pass 1 (not just a filter collision)?
            // Positions are (file, line); lines appended after pass 1 are not looked at.
            var suspectIds = new HashSet<string>(suspects.Select(s => s.Record.RequestId!), StringComparer.Ordinal);
            var suspectHashes = new HashSet<ulong>(suspectIds.Select(LedgerReader.IdHash));
            var suspectPositions = new HashSet<(int, long)>(suspects.Select(s => (s.File, s.Line)));
            var counted = new HashSet<string>(StringComparer.Ordinal);
            var verifier = new LedgerReader();
            for (int f = 0; f < files.Count; f++)
            {
                int fileIndex = f;
                verifier.ScanCandidates(files[f], suspectHashes, completeLines[f], r =>
                {
                    if (InRange(r) && r.RequestId is { } id && suspectIds.Contains(id) && !suspectPositions.Contains((fileIndex, verifier.CurrentLine)))
                        counted.Add(id);
                });
            }
            foreach (var (_, _, r) in suspects)
            {
                if (counted.Add(r.RequestId!)) Aggregate(r);
                else duplicates++;
            }
        }

        var rows = groups
            .OrderBy(g => g.Key.Day).ThenBy(g => g.Key.Hour)
            .ThenBy(g => g.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Tag, StringComparer.Ordinal).ThenBy(g => g.Key.Endpoint, StringComparer.Ordinal)
            .Select(g => new ClaudeUsageReport
            {
                Model = g.Key.Model,
                Day = g.Key.Day >= 0 ? new DateTime(g.Key.Day, DateTimeKind.Utc) : null,
                Hour = g.Key.Hour >= 0 ? new DateTime(g.Key.Hour, DateTimeKind.Utc) : null,
                Tag = g.Key.Tag,
                Endpoint = g.Key.Endpoint,
                Since = options.Since,
                Until = options.Until,
                Requests = g.Value.Requests,
                InputTokens = g.Value.Input,
                OutputTokens = g.Value.Output,
                CacheWrite5mTokens = g.Value.Write5m,
                CacheWrite1hTokens = g.Value.Write1h,
                CacheReadTokens = g.Value.Read,
                CostUsd = g.Value.AnyPriced ? g.Value.Cost : null,
                UnpricedRequests = g.Value.Unpriced,
            }).ToList();
        if (options.Summary && rows.Count == 0)
            rows.Add(new ClaudeUsageReport { Since = options.Since, Until = options.Until });
        return new UsageQueryResult { Rows = rows, DuplicatesSkipped = duplicates, RecordsRead = read, Problems = reader.Problems.ToArray() };
    }
}

/// <summary>A Bloom filter of request ids with a fixed ceiling (8 MB): "maybe seen" answers are checked
/// exactly afterwards, so a false positive costs a second read, never a wrong total.</summary>
internal sealed class RequestIdFilter
{
    private const int Probes = 7;
    private readonly ulong[] _bits;
    private readonly ulong _mask;

    public RequestIdFilter(long expectedItems)
    {
        // About 32 bits per expected id, a power of two between 2^16 and 2^26 bits.
        long wanted = Math.Max(1L << 16, Math.Min(1L << 26, expectedItems * 32));
        int log = 16;
        while ((1L << log) < wanted) log++;
        _bits = new ulong[(1L << log) / 64];
        _mask = (1UL << log) - 1;
    }

    /// <summary>Adds <paramref name="id"/>; false when it may have been added before.</summary>
    public bool Add(string id)
    {
        ulong h = Hash(id);
        ulong h1 = h & 0xFFFFFFFF, h2 = (h >> 32) | 1;
        bool added = false;
        for (ulong i = 0; i < Probes; i++)
        {
            ulong bit = (h1 + i * h2) & _mask;
            ref ulong word = ref _bits[bit >> 6];
            ulong flag = 1UL << (int)(bit & 63);
            if ((word & flag) == 0) { word |= flag; added = true; }
        }
        return added;
    }

    private static ulong Hash(string s)
    {
        unchecked
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
            // FNV's low bits mix poorly: finalise (splitmix64).
            h ^= h >> 30; h *= 0xbf58476d1ce4e5b9UL; h ^= h >> 27; h *= 0x94d049bb133111ebUL; h ^= h >> 31;
            return h;
        }
    }
}
