using System;
using ClaudePS.Engine.Wire;

namespace ClaudePS.Engine.Http;

/// <summary>
/// Claude on Google Vertex AI: the model is in the URL
/// (<c>/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict</c>,
/// <c>:streamRawPredict</c> when streaming) and the body carries <c>anthropic_version</c> instead of
/// <c>model</c>. Everything else (streaming format, errors, usage) is the Messages API's.
/// </summary>
public sealed class VertexDialect : ApiDialect
{
    public const string AnthropicVersion = "vertex-2023-10-16";

    public VertexDialect(string region, string projectId)
    {
        Region = Require(region, "-Region (e.g. us-east5, europe-west1 or global)");
        ProjectId = Require(projectId, "-ProjectId (or project_id in the key file)");
    }

    public string Region { get; }
    public string ProjectId { get; }

    /// <summary>The regional host, or the global one for region "global". Tests pass -BaseUri instead.</summary>
    public Uri DefaultBaseUri => Region == "global"
        ? new Uri("https://aiplatform.googleapis.com/")
        : new Uri($"https://{Region}-aiplatform.googleapis.com/");

    public override Uri MessagesUri(Uri endpoint, string model, bool stream) =>
        new(endpoint, $"{ModelPath(model)}:{(stream ? "streamRawPredict" : "rawPredict")}");

    public override byte[] MessagesBody(MessageRequest request, bool stream) => MessageRequestWriter.Write(request, stream, AnthropicVersion);

    /// <summary>Vertex counts tokens at a fixed pseudo-model path.</summary>
    public override Uri CountTokensUri(Uri endpoint, string model) => new(endpoint, $"{ModelPath("count-tokens")}:rawPredict");

    // Vertex model ids look like claude-sonnet-4-5@20250929: sent as they are ('@' unescaped), after a check.
    private string ModelPath(string model)
    {
        if (string.IsNullOrWhiteSpace(model) || model.IndexOfAny(new[] { '/', '?', '#', ' ', ':', '%' }) >= 0)
            throw MessageRequest.Invalid("model", $"'{model}' is not a Vertex AI model id (such as claude-sonnet-4-5@20250929).");
        return $"v1/projects/{Uri.EscapeDataString(ProjectId)}/locations/{Uri.EscapeDataString(Region)}/publishers/anthropic/models/{model}";
    }

    private static string Require(string? value, string where)
    {
        if (string.IsNullOrWhiteSpace(value) || value!.Trim().IndexOfAny(new[] { '/', '?', '#', ' ' }) >= 0)
            throw MessageRequest.Invalid(where.Split(' ')[0].TrimStart('-'), $"Vertex AI needs a valid {where}; it was '{value}'.");
        return value.Trim();
    }
}
