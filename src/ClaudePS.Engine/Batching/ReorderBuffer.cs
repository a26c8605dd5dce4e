using System.Collections.Generic;

namespace ClaudePS.Engine.Batching;

/// <summary>
/// Holds items that finished out of order until every earlier one has finished, then releases them in
/// sequence order (sequences start at 1). It does not bound itself: the runner admits a row only while
/// fewer than the buffer's capacity are unreleased, which bounds it.
/// </summary>
internal sealed class ReorderBuffer<T>
{
    private readonly Dictionary<long, T> _waiting = new();
    private long _next = 1;

    public int Count => _waiting.Count;
    /// <summary>The most items ever held at once.</summary>
    public int HighWater { get; private set; }
    public long NextSequence => _next;

    /// <summary>Adds item <paramref name="sequence"/> and appends to <paramref name="ready"/> every item now releasable, in order.</summary>
    public void Put(long sequence, T item, List<T> ready)
    {
        if (sequence == _next)
        {
            ready.Add(item);
            _next++;
            while (_waiting.TryGetValue(_next, out var more))
            {
                _waiting.Remove(_next);
                ready.Add(more);
                _next++;
            }
            return;
        }
        _waiting[sequence] = item;
        if (_waiting.Count > HighWater) HighWater = _waiting.Count;
    }
}
