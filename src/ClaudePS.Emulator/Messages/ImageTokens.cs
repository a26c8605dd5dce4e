using System.Buffers.Binary;

namespace ClaudePS.Emulator;

/// <summary>
/// Image input tokens as the vision docs estimate them: width x height / 750, after the API's own resize (an
/// image whose long edge passes 1568 px, or whose estimate passes about 1,600 tokens, is scaled down with its
/// aspect ratio kept). Dimensions come from the file header (PNG, JPEG, GIF, WebP).
/// </summary>
internal static class ImageTokens
{
    public const int MaxLongEdge = 1568;
    public const int MaxTokens = 1600;
    /// <summary>Even a 1x1 image is an image block the model reads: it costs at least this much.</summary>
    public const int MinTokens = 1;

    /// <summary>The estimate for an image of these pixels.</summary>
    public static int ForSize(int width, int height)
    {
        double w = width, h = height;
        double scale = Math.Min(1.0, MaxLongEdge / Math.Max(w, h));
        scale = Math.Min(scale, Math.Sqrt(MaxTokens * 750.0 / (w * h)));
        w = Math.Max(1, Math.Floor(w * scale));
        h = Math.Max(1, Math.Floor(h * scale));
        return Math.Clamp((int)Math.Ceiling(w * h / 750.0), MinTokens, MaxTokens);
    }

    /// <summary>Width and height from the image's header, or null when the bytes are not an image it knows.</summary>
    public static (int Width, int Height)? Dimensions(ReadOnlySpan<byte> b)
    {
        // PNG: signature, then the IHDR chunk with big-endian width and height.
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G')
            return (BinaryPrimitives.ReadInt32BigEndian(b[16..]), BinaryPrimitives.ReadInt32BigEndian(b[20..]));
        // GIF: logical screen size, little-endian.
        if (b.Length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F')
            return (BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
        // WebP: RIFF container with a VP8, VP8L or VP8X chunk.
        if (b.Length >= 30 && b[0] == 'R' && b[1] == 'I' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P')
        {
            if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == ' ')
                return (BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF);
            if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'L')
            {
                uint bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
                return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
            }
            if (b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'X')
                return ((b[24] | b[25] << 8 | b[26] << 16) + 1, (b[27] | b[28] << 8 | b[29] << 16) + 1);
        }
        // JPEG: walk the segments to a start-of-frame marker.
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8)
        {
            int i = 2;
            while (i + 9 < b.Length)
            {
                if (b[i] != 0xFF) { i++; continue; }
                byte marker = b[i + 1];
                if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
                    return (BinaryPrimitives.ReadUInt16BigEndian(b[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(i + 5)..]));
                if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
                i += 2 + BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
            }
        }
        return null;
    }
}
