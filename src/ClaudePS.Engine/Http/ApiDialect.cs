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
    public virtual Uri MessagesUri(Uri endpoint, string model, bool stream) => new(endpoint, "v1/messages");

    /// <summary>The request body.</summary>
    public virtual byte[] MessagesBody(MessageRequest request, bool stream) => MessageRequestWriter.Write(request, stream);

    /// <summary>The URI of a token-counting call.</summary>
    public virtual Uri CountTokensUri(Uri endpoint, string model) => new(endpoint, "v1/messages/count_tokens");
}
