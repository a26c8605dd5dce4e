using ClaudePS.Bench.Peers;

namespace ClaudePS.Bench.Scenarios;

/// <summary>How the peers reach the reply: through the emulator on loopback, or through a recorded
/// reply with no socket at all (only client work is left to measure).</summary>
public enum PeerTransport { Loopback, Canned }

/// <summary>The three peers of a comparison, built for one transport; disposes them together.</summary>
public sealed class PeerSet : IDisposable
{
    private readonly CannedReplyHandler? _recorded;

    private PeerSet(PeerTransport transport, IReadOnlyList<IMessagePeer> peers, CannedReplyHandler? recorded = null)
    {
        Transport = transport;
        All = peers;
        _recorded = recorded;
    }

    /// <summary>A handler for one more peer on this transport: null (its own socket) on loopback, a copy
    /// of the recorded reply when canned.</summary>
    public HttpMessageHandler? NewHandler() => _recorded?.Copy();

    public PeerTransport Transport { get; }
    public IReadOnlyList<IMessagePeer> All { get; }
    public IMessagePeer ClaudePs => All[0];
    public IMessagePeer Sdk => All[1];
    public IMessagePeer Raw => All[2];
    public string Label => Transport == PeerTransport.Loopback ? "loopback" : "canned";

    public static async Task<PeerSet> CreateAsync(PeerTransport transport, Uri emulator, bool stream, CancellationToken cancellationToken)
    {
        if (transport == PeerTransport.Loopback)
            return new PeerSet(transport, new IMessagePeer[] { new ClaudePsPeer(emulator), new AnthropicSdkPeer(emulator), new RawHttpPeer(emulator) });
        var recorded = await CannedReplyHandler.RecordAsync(emulator, stream, cancellationToken).ConfigureAwait(false);
        return new PeerSet(transport, new IMessagePeer[]
        {
            new ClaudePsPeer(emulator, recorded.Copy()), new AnthropicSdkPeer(emulator, recorded.Copy()), new RawHttpPeer(emulator, recorded.Copy()),
        }, recorded);
    }

    /// <summary>Every peer must read the same reply text, or the comparison measures different work.</summary>
    public async Task VerifySameReplyAsync(bool stream, CancellationToken cancellationToken)
    {
        string expected = await Raw.ReplyTextAsync(stream, cancellationToken).ConfigureAwait(false);
        if (expected.Length == 0) throw new InvalidOperationException($"The {Label} reply has no text.");
        foreach (var peer in All)
        {
            string text = await peer.ReplyTextAsync(stream, cancellationToken).ConfigureAwait(false);
            if (text != expected)
                throw new InvalidOperationException($"{peer.Name} read a different {(stream ? "streamed " : "")}reply over {Label} than the raw floor: '{Clip(text)}' vs '{Clip(expected)}'.");
        }
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "...";

    public void Dispose()
    {
        foreach (var peer in All) peer.Dispose();
    }
}
