using System.Net;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Pipeline;
using ClaudePS.Engine.Wire;
using Xunit;

namespace ClaudePS.Engine.Tests.Pipeline;

/// <summary>Ctrl+C (the cmdlet's stop token, through the pump) cancels the HTTP call in flight.</summary>
public class CancellationReachesHttpTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>Holds every request until its token is canceled (or the guard runs out).</summary>
    private sealed class WaitingHandler : HttpMessageHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool SawCancellation { get; private set; }
        public bool StreamBody { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (StreamBody)
            {
                // Headers arrive at once; the body then stalls until canceled.
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StreamContent(new StallingStream(this)),
                };
            }
            Started.TrySetResult();
            try { await Task.Delay(Guard, cancellationToken); }
            catch (OperationCanceledException) { SawCancellation = true; throw; }
            return new HttpResponseMessage(HttpStatusCode.InternalServerError);
        }

        private sealed class StallingStream(WaitingHandler owner) : Stream
        {
            private bool _sentStart;
            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (!_sentStart)
                {
                    _sentStart = true;
                    var start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"u8.ToArray();
                    start.CopyTo(buffer);
                    return start.Length;
                }
                owner.Started.TrySetResult();
                try { await Task.Delay(Guard, cancellationToken); }
                catch (OperationCanceledException) { owner.SawCancellation = true; throw; }
                return 0;
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => 0; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    private static ClaudeConnection Connect(HttpMessageHandler handler) => ClaudeConnection.Create(new ClaudeConnectionOptions
    {
        BaseUris = { new Uri("http://127.0.0.1:9/") },
        Credential = new ApiKeyCredential("sk-ant-test-key"),
        DefaultModel = "claude-sonnet-4-5",
    }, new Dictionary<string, string>(), handler);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stopping_the_pipeline_cancels_the_request_in_flight(bool stream)
    {
        var handler = new WaitingHandler { StreamBody = stream };
        using var connection = Connect(handler);
        using var stop = new CancellationTokenSource();
        _ = handler.Started.Task.ContinueWith(_ => stop.Cancel()); // Ctrl+C once the call is on the wire

        var ex = Assert.Throws<ClaudeException>(() => PipelinePump.Run(new RecordingSink(), async (sink, ct) =>
        {
            var request = MessageRequest.ForPrompt("hello");
            if (stream) await connection.Client.StreamMessageAsync(request, sink.WriteHostText, cancellationToken: ct);
            else await connection.Client.CreateMessageAsync(request, cancellationToken: ct);
        }, stop.Token));

        Assert.Equal("ClaudePS.Canceled", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.OperationStopped, ex.Error.Category);
        Assert.True(handler.SawCancellation, "the HTTP call did not observe the cancellation");
    }

    [Fact]
    public void The_connection_timeout_ends_a_stalled_call_as_a_timeout_not_a_cancel()
    {
        var handler = new WaitingHandler();
        using var connection = ClaudeConnection.Create(new ClaudeConnectionOptions
        {
            BaseUris = { new Uri("http://127.0.0.1:9/") },
            Credential = new ApiKeyCredential("sk-ant-test-key"),
            DefaultModel = "claude-sonnet-4-5",
            Timeout = TimeSpan.FromMilliseconds(200),
        }, new Dictionary<string, string>(), handler);

        var ex = Assert.Throws<ClaudeException>(() => PipelinePump.Run(new RecordingSink(),
            (sink, ct) => connection.Client.CreateMessageAsync(MessageRequest.ForPrompt("hello"), cancellationToken: ct), CancellationToken.None));
        Assert.Equal(ClaudeErrorCategory.OperationTimeout, ex.Error.Category);
        Assert.True(handler.SawCancellation);
    }
}
