using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Xunit;

namespace ClaudePS.Emulator.Tests;

/// <summary>Image input tokens come from the pixel size (width x height / 750, resized and capped as the API
/// does), not from the file size.</summary>
public sealed class ImageTokenTests : IAsyncLifetime
{
    private EmulatorHarness _emulator = null!;
    public async Task InitializeAsync() => _emulator = await EmulatorHarness.StartAsync();
    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    /// <summary>A PNG's signature and IHDR chunk: all the emulator reads for the size.</summary>
    private static byte[] Png(int width, int height, int padding = 0)
    {
        var bytes = new byte[33 + padding];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        bytes[24] = 8;
        bytes[25] = 2;
        return bytes;
    }

    private static byte[] Gif(int width, int height)
    {
        var bytes = new byte[13];
        "GIF89a"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)height);
        return bytes;
    }

    private static byte[] Jpeg(int width, int height)
    {
        // SOI, an APP0 segment, then SOF0 with height and width.
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0xFF, 0xC0, 0x00, 0x11, 0x08 };
        bytes.AddRange(new[] { (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)3 });
        bytes.AddRange(new byte[12]);
        return bytes.ToArray();
    }

    private async Task<int> ImageTokensOf(byte[] image, string mediaType)
    {
        JsonObject Body(bool withImage)
        {
            var content = new JsonArray();
            if (withImage)
                content.Add(new JsonObject
                {
                    ["type"] = "image",
                    ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = mediaType, ["data"] = Convert.ToBase64String(image) },
                });
            content.Add(new JsonObject { ["type"] = "text", ["text"] = "What is in the picture?" });
            return new JsonObject { ["model"] = EmulatorHarness.Model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }) };
        }
        var with = await _emulator.PostAsync("v1/messages/count_tokens", Body(true).ToJsonString());
        var without = await _emulator.PostAsync("v1/messages/count_tokens", Body(false).ToJsonString());
        return (int)with.Json!["input_tokens"]! - (int)without.Json!["input_tokens"]!;
    }

    [Theory(Timeout = 30_000)]
    [InlineData(200, 200, 54)]        // 40,000 / 750 = 53.3
    [InlineData(1000, 1000, 1334)]    // 1,000,000 / 750 = 1333.3
    [InlineData(1092, 1092, 1590)]    // just under the cap: not resized
    [InlineData(640, 480, 410)]
    public async Task A_png_costs_its_pixels_over_750(int width, int height, int expected) =>
        Assert.Equal(expected, await ImageTokensOf(Png(width, height), "image/png"));

    [Fact(Timeout = 30_000)]
    public async Task The_file_size_does_not_matter_only_the_pixels()
    {
        int small = await ImageTokensOf(Png(400, 300), "image/png");
        int padded = await ImageTokensOf(Png(400, 300, padding: 200_000), "image/png");
        Assert.Equal(160, small);
        Assert.Equal(small, padded);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_large_image_is_scaled_down_and_capped_at_about_1600_tokens()
    {
        int photo = await ImageTokensOf(Png(4000, 3000), "image/png");
        int panorama = await ImageTokensOf(Png(6000, 1000), "image/png");
        Assert.InRange(photo, 1550, 1600);
        // Long edge 6000 -> 1568: 1568 x 261 / 750 = 546.
        Assert.Equal(546, panorama);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tiny_image_still_costs_something()
    {
        Assert.True(await ImageTokensOf(Png(1, 1), "image/png") >= 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task Gif_and_jpeg_headers_are_read_too()
    {
        Assert.Equal(410, await ImageTokensOf(Gif(640, 480), "image/gif"));
        Assert.Equal(410, await ImageTokensOf(Jpeg(640, 480), "image/jpeg"));
    }
}
