using System.Collections.Generic;
using System.Text;

namespace ClaudePS.Engine.Redaction;

/// <summary>
/// Several pieces of text laid out as one, with filler between them that is context only (a JSON
/// property name's ": ", a line break). <see cref="Redactor.RedactJoined"/> scans the whole and hands
/// back each piece redacted.
/// </summary>
internal sealed class JoinedText
{
    private readonly StringBuilder _text = new();
    private readonly List<(int Start, int End)> _pieces = new();
    private string? _built;
    // The usual reply has one text block: then the joined text is that string, not a copy of it.
    private string? _only;
    private bool _gaps;

    /// <summary>Adds a piece; returns its index in <see cref="JoinedRedaction.Pieces"/>.</summary>
    public int Add(string? piece)
    {
        int start = _text.Length;
        _text.Append(piece);
        _pieces.Add((start, _text.Length));
        _only = _pieces.Count == 1 ? piece ?? "" : null;
        _built = null;
        return _pieces.Count - 1;
    }

    /// <summary>Adds text that is scanned as context but belongs to no piece.</summary>
    public void Gap(string filler)
    {
        _text.Append(filler);
        _gaps = true;
        _built = null;
    }

    public int Count => _pieces.Count;
    internal string Text => _built ??= _only is not null && !_gaps ? _only : _text.ToString();
    internal IReadOnlyList<(int Start, int End)> Pieces => _pieces;
}

/// <summary>The outcome of <see cref="Redactor.RedactJoined"/>.</summary>
internal sealed class JoinedRedaction
{
    internal JoinedRedaction(string whole, string[] pieces, IReadOnlyDictionary<string, int> counts, bool changed)
    {
        Whole = whole;
        Pieces = pieces;
        Counts = counts;
        Changed = changed;
    }

    /// <summary>The whole joined text redacted (filler included).</summary>
    public string Whole { get; }
    /// <summary>Each piece redacted, in the order added.</summary>
    public string[] Pieces { get; }
    public IReadOnlyDictionary<string, int> Counts { get; }
    /// <summary>True when anything was found.</summary>
    public bool Changed { get; }
}
