using System;
using System.Collections.Generic;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Streaming;

/// <summary>One server-sent event: its name (<c>message</c> when the frame had no <c>event:</c> line) and its
/// data, kept as the UTF-8 bytes it arrived in (a JSON reader takes them as they are).</summary>
public readonly struct SseFrame
{
    private readonly byte[] _data;

    public SseFrame(string eventName, byte[] data)
    {
        EventName = eventName;
        _data = data;
    }

    public string EventName { get; }
    /// <summary>The data as UTF-8.</summary>
    public ReadOnlySpan<byte> DataUtf8 => _data;
    /// <summary>The data as text (decoded on each call).</summary>
    public string Data => Utf8.Decode(_data);
}

/// <summary>
/// Incremental parser for text/event-stream. Bytes arrive in arbitrary pieces (a frame, a line, even
/// a multi-byte character can be split across reads); lines end in LF, CRLF or CR; a frame's data may
/// span several <c>data:</c> lines, joined with LF. Data is kept as bytes and whole lines only, so a
/// UTF-8 sequence split across reads arrives whole.
/// </summary>
public sealed class SseParser
{
    private byte[] _line = new byte[256];
    private int _lineLength;
    private bool _lastWasCr;
    private string? _eventName;
    // A frame almost always has one data line: it is copied out once as the frame's data; a second line
    // starts the join buffer.
    private byte[]? _firstData;
    private byte[] _joined = Array.Empty<byte>();
    private int _joinedLength;
    private bool _multiLine;

    /// <summary>Feeds bytes; completed frames are added to <paramref name="frames"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, List<SseFrame> frames)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b == (byte)'\n')
            {
                if (_lastWasCr) { _lastWasCr = false; continue; } // the LF of a CRLF pair split or not
                EndLine(frames);
            }
            else if (b == (byte)'\r')
            {
                _lastWasCr = true;
                EndLine(frames);
            }
            else
            {
                _lastWasCr = false;
                if (_lineLength == _line.Length) Array.Resize(ref _line, _line.Length * 2);
                _line[_lineLength++] = b;
            }
        }
    }

    /// <summary>Call at end of stream: a last frame without its closing blank line is still delivered.</summary>
    public void Complete(List<SseFrame> frames)
    {
        if (_lineLength > 0) EndLine(frames);
        Dispatch(frames);
    }

    private void EndLine(List<SseFrame> frames)
    {
        if (_lineLength == 0)
        {
            Dispatch(frames);
            return;
        }
        var line = new ReadOnlySpan<byte>(_line, 0, _lineLength);
        _lineLength = 0;
        if (line[0] == (byte)':') return; // comment
        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> field = colon < 0 ? line : line.Slice(0, colon);
        ReadOnlySpan<byte> value = colon < 0 ? ReadOnlySpan<byte>.Empty : line.Slice(colon + 1);
        if (value.Length > 0 && value[0] == (byte)' ') value = value.Slice(1);
        if (field.SequenceEqual("data"u8))
        {
            if (_firstData is null) _firstData = value.ToArray();
            else
            {
                if (!_multiLine) Join(_firstData);
                _multiLine = true;
                Join("\n"u8);
                Join(value);
            }
        }
        else if (field.SequenceEqual("event"u8))
            _eventName = KnownValues.EventNames.Text(value);
        // id: and retry: do not matter to the Messages API; other fields are ignored per the SSE spec.
    }

    private void Join(ReadOnlySpan<byte> bytes)
    {
        if (_joinedLength + bytes.Length > _joined.Length) Array.Resize(ref _joined, Math.Max(256, (_joinedLength + bytes.Length) * 2));
        bytes.CopyTo(_joined.AsSpan(_joinedLength));
        _joinedLength += bytes.Length;
    }

    private void Dispatch(List<SseFrame> frames)
    {
        if (_firstData is not null)
            frames.Add(new SseFrame(_eventName ?? "message", _multiLine ? _joined.AsSpan(0, _joinedLength).ToArray() : _firstData));
        _joinedLength = 0;
        _firstData = null;
        _multiLine = false;
        _eventName = null;
    }
}
