using System;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Http;

/// <summary>
/// Where and how a provider takes a Messages request. The Anthropic API takes POST /v1/messages with
/// the model in the body; other providers (Vertex AI) put the model in the URL.
/// </summary>
public class ApiDialect
{
    public static ApiDialect Anthropic { get; } = new();

    /// <summary>The URI of a Messages call for <paramref name="model"/> under <paramref name="endpoint"/>.</summary>
    public virtual Uri MessagesUri(Uri endpoint, string model, bool stream)
    {
        // Every call to an endpoint goes to the same URI: parse it once, not once per request.
        var last = _lastMessages;
        if (last is not null && ReferenceEquals(last.Item1, endpoint)) return last.Item2;
        var uri = new Uri(endpoint, "v1/messages");
        _lastMessages = Tuple.Create(endpoint, uri);
        return uri;
    }

    private Tuple<Uri, Uri>? _lastMessages;

    /// <summary>The request body.</summary>
    public virtual byte[] MessagesBody(MessageRequest request, bool stream) => MessageRequestWriter.Write(request, stream);

    /// <summary>The URI of a token-counting call.</summary>
    public virtual Uri CountTokensUri(Uri endpoint, string model) => new(endpoint, "v1/messages/count_tokens");
}
