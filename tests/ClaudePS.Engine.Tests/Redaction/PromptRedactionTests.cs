using System.Collections;
using System.Net;
using System.Text;
using ClaudePS.Engine.Auth;
using ClaudePS.Engine.Connections;
using ClaudePS.Engine.Prompting;
using ClaudePS.Engine.Redaction;
using Xunit;

namespace ClaudePS.Engine.Tests.Redaction;

/// <summary>PromptRunner applies redaction to the prompt (when asked), the final text and the live stream.</summary>
public sealed class PromptRedactionTests
{
    private const string Reply = "Sure. Your card 4340 5477 3038 7959 and key AKIAZQ7VLK2P4MWN3SYD are in the file.";

    private sealed class ReplyHandler : HttpMessageHandler
    {
        public string? LastBody;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastBody = await request.Content!.ReadAsStringAsync(cancellationToken);
            bool stream = LastBody.Contains("\"stream\":true");
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            if (!stream)
            {
                string json = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"" + Reply +
                              "\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":9}}";
                response.Content = new StringContent(json, Encoding.UTF8, "application/json");
                return response;
            }
            var sse = new StringBuilder();
            sse.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n");
            sse.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
            for (int i = 0; i < Reply.Length; i += 3)
            {
                string piece = Reply.Substring(i, Math.Min(3, Reply.Length - i));
                sse.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + piece + "\"}}\n\n");
            }
            sse.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
            sse.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n");
            sse.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            response.Content = new StringContent(sse.ToString(), Encoding.UTF8, "text/event-stream");
            return response;
        }
    }

    private static (ClaudeConnection, ReplyHandler) Connect()
    {
        var handler = new ReplyHandler();
        var options = new ClaudeConnectionOptions { Credential = new ApiKeyCredential("test-key-not-real"), BaseUris = { new Uri("http://127.0.0.1:9/") }, DefaultModel = "claude-sonnet-4-5" };
        return (ClaudeConnection.Create(options, new Hashtable(), handler), handler);
    }

    private const string Expected = "Sure. Your card [REDACTED:CreditCard] and key [REDACTED:AwsAccessKeyId] are in the file.";

    [Fact]
    public async Task Final_text_is_redacted_and_counted()
    {
        var (connection, _) = Connect();
        using var _c = connection;
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "hi" }, new CollectingSink(), CancellationToken.None);
        Assert.Equal(Expected, response.Text);
        Assert.Equal(1, response.Redactions["CreditCard"]);
        Assert.Equal(1, response.Redactions["AwsAccessKeyId"]);
    }

    [Fact]
    public async Task Profile_none_leaves_the_reply_alone()
    {
        var (connection, _) = Connect();
        using var _c = connection;
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "hi", Redaction = RedactionOptions.None }, new CollectingSink(), CancellationToken.None);
        Assert.Equal(Reply, response.Text);
        Assert.Empty(response.Redactions);
    }

    [Fact]
    public async Task Streamed_host_text_never_shows_a_secret_and_matches_the_final_text()
    {
        var (connection, _) = Connect();
        using var _c = connection;
        var sink = new CollectingSink();
        var response = await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = "hi", Stream = true }, sink, CancellationToken.None);
        Assert.Equal(Expected, response.Text);
        Assert.Equal(Expected + "\n", sink.Host.ToString());
        Assert.DoesNotContain(sink.HostPieces, p => p.Contains("5477") || p.Contains("AKIAZ"));
    }

    [Fact]
    public async Task Input_is_redacted_before_sending_only_when_asked()
    {
        var (connection, handler) = Connect();
        using var _c = connection;
        const string prompt = "Summarise: customer SSN 219-55-1234, card 4340 5477 3038 7959";
        await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = prompt }, new CollectingSink(), CancellationToken.None);
        Assert.Contains("219-55-1234", handler.LastBody);
        await new PromptRunner(connection).RunAsync(new PromptOptions { Prompt = prompt, RedactInput = true, System = "key AKIAZQ7VLK2P4MWN3SYD" }, new CollectingSink(), CancellationToken.None);
        Assert.DoesNotContain("219-55-1234", handler.LastBody);
        Assert.DoesNotContain("5477", handler.LastBody);
        Assert.DoesNotContain("AKIAZ", handler.LastBody);
        Assert.Contains("[REDACTED:SSN]", handler.LastBody);
    }
}
