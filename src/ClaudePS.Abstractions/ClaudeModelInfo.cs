using System;

namespace ClaudePS;

/// <summary>One model as the models endpoint lists it (what Get-ClaudeModel writes).</summary>
public sealed class ClaudeModelInfo
{
    public string Id { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>The API's object type ("model").</summary>
    public string Type { get; init; } = "model";
    /// <summary>Base URI of the endpoint that listed the model.</summary>
    public string? Endpoint { get; init; }

    public override string ToString() => Id;
}
