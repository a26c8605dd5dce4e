using ClaudePS.Engine.Batching;
using Xunit;

namespace ClaudePS.Engine.Tests.Batching;

public sealed class CustomIdTests
{
    [Fact]
    public void Ids_are_sanitised_unique_and_reproducible()
    {
        var a = new CustomIdAllocator();
        var ids = new[] { "ticket 1", "ticket_1", "ticket/1", "ok-id", new string('x', 100), new string('x', 99) + "y", "" }.Select(a.Next).ToArray();
        Assert.Equal("ticket_1", ids[0]);
        Assert.Equal("ticket_1-2", ids[1]);
        Assert.Equal("ticket_1-3", ids[2]);
        Assert.Equal("ok-id", ids[3]);
        Assert.All(ids, id => Assert.True(CustomIdAllocator.IsValid(id), id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.NotEqual(ids[4], ids[5]);

        var again = new CustomIdAllocator();
        Assert.Equal(ids, new[] { "ticket 1", "ticket_1", "ticket/1", "ok-id", new string('x', 100), new string('x', 99) + "y", "" }.Select(again.Next));
    }

    [Fact]
    public void Reorder_buffer_releases_in_sequence()
    {
        var buffer = new ReorderBuffer<int>();
        var ready = new List<int>();
        buffer.Put(3, 3, ready);
        buffer.Put(2, 2, ready);
        Assert.Empty(ready);
        buffer.Put(1, 1, ready);
        Assert.Equal(new[] { 1, 2, 3 }, ready);
        Assert.Equal(2, buffer.HighWater);
        Assert.Equal(0, buffer.Count);
    }
}
