using System;
using System.Collections.Generic;
using System.Text;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// Redacts text that arrives in pieces. <see cref="Write"/> returns only text that no later piece can
/// change; the trailing fragment that could still grow into a match is held back until it is decided
/// or <see cref="Complete"/> is called. The concatenated output equals <see cref="Redactor.Redact"/> of
/// the concatenated input, wherever the pieces were split. Not thread-safe (one per stream).
/// </summary>
public sealed class StreamingRedactor
{
    // Committed text kept as look-behind context; longer than any recognizer's context window.
    private const int TailKeep = 256;

    private readonly Redactor _redactor;
    private readonly StringBuilder _pending = new();
    private string _tail = "";
    private readonly Dictionary<string, int> _counts = new(StringComparer.OrdinalIgnoreCase);
    private bool _completed;
    // A custom pattern timed out: the rest of the reply is redacted unscanned, once, and later pieces
    // are dropped without scanning, so one bad pattern costs one timeout per reply, not one per delta.
    private bool _failedClosed;

    internal StreamingRedactor(Redactor redactor) => _redactor = redactor;

    /// <summary>Redactions emitted so far, by type.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Characters received but not yet released.</summary>
    public int HeldLength => _pending.Length;

    /// <summary>Adds a piece; returns the redacted text that is now final (often empty or shorter than the piece).</summary>
    public string Write(string? delta)
    {
        if (_completed) throw new InvalidOperationException("The stream was already completed.");
        if (string.IsNullOrEmpty(delta) || _failedClosed) return "";
        _pending.Append(delta);
        if (!_redactor.IsActive) return ReleaseAll();
        return Process(final: false);
    }

    /// <summary>Ends the stream and returns everything still held, redacted.</summary>
    public string Complete()
    {
        if (_completed) return "";
        _completed = true;
        if (_pending.Length == 0 || _failedClosed) return "";
        if (!_redactor.IsActive) return ReleaseAll();
        return Process(final: true);
    }

    private string Process(bool final)
    {
        string window = _tail + _pending.ToString();
        var scan = _redactor.Scan(window, _tail.Length, final);
        int commit = scan.Commit - _tail.Length;
        if (commit <= 0) return "";
        var sb = new StringBuilder(commit + 32);
        _redactor.Render(window, _tail.Length, scan.Commit, scan.Findings, sb, _counts, null);
        string committed = window.Substring(0, scan.Commit);
        _tail = committed.Length > TailKeep ? committed.Substring(committed.Length - TailKeep) : committed;
        _pending.Remove(0, commit);
        if (scan.TimedOut) { _failedClosed = true; _pending.Clear(); }
        return sb.ToString();
    }

    private string ReleaseAll()
    {
        string text = _pending.ToString();
        _pending.Clear();
        return text;
    }
}
