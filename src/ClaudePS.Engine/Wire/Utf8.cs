using System;
using System.Text;

namespace ClaudePS.Engine.Wire;

internal static class Utf8
{
    /// <summary>Decodes UTF-8 bytes (netstandard2.0 has no span overload, so it copies there).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
#if NET8_0_OR_GREATER
        return Encoding.UTF8.GetString(bytes);
#else
        return Encoding.UTF8.GetString(bytes.ToArray());
#endif
    }
}
