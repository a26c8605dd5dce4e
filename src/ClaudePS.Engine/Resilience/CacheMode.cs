namespace ClaudePS.Engine.Resilience;

/// <summary>How one call uses the connection's response cache (off unless Connect-Claude -CacheTtlSec).</summary>
public enum CacheMode
{
    /// <summary>Cache non-streaming requests with temperature 0 (the only replies that should repeat).</summary>
    Default,
    /// <summary>Neither read nor write the cache.</summary>
    Bypass,
    /// <summary>Cache this non-streaming request whatever its temperature.</summary>
    Force,
}
