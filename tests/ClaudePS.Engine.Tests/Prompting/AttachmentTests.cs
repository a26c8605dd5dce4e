using ClaudePS.Engine.Prompting;
using Xunit;

namespace ClaudePS.Engine.Tests.Prompting;

public sealed class AttachmentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("claudeps-attach-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly byte[] Png = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 };
    private static readonly byte[] Jpeg = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16 };
    private static readonly byte[] Gif = "GIF89a\x01\x00"u8.ToArray();
    private static readonly byte[] Webp = "RIFF\x10\x00\x00\x00WEBPVP8 "u8.ToArray();
    private static readonly byte[] Pdf = "%PDF-1.7\n%\xE2"u8.ToArray();

    private string File(string name, byte[] head, long length = 0)
    {
        var path = Path.Combine(_dir, name);
        using var f = new FileStream(path, FileMode.Create);
        f.Write(head);
        if (length > head.Length) f.SetLength(length);
        return path;
    }

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("gif", "image/gif")]
    [InlineData("webp", "image/webp")]
    [InlineData("pdf", "application/pdf")]
    public void The_media_type_comes_from_the_content_not_the_extension(string kind, string mediaType)
    {
        var head = kind switch { "png" => Png, "jpeg" => Jpeg, "gif" => Gif, "webp" => Webp, _ => Pdf };
        var path = File("misnamed.txt", head); // the extension says text; the bytes decide
        var block = Assert.Single(Attachments.Load(new[] { path }));
        Assert.Equal(mediaType, block.MediaType);
        Assert.Equal(kind == "pdf" ? "document" : "image", block.Type);
        Assert.Equal(head, Convert.FromBase64String(block.Data!));
    }

    [Fact]
    public void An_unknown_type_names_the_file_and_the_supported_types()
    {
        var path = File("notes.png", "just text, not a picture"u8.ToArray());
        var ex = Assert.Throws<ClaudeException>(() => Attachments.Load(new[] { path }));
        Assert.Equal("ClaudePS.UnsupportedAttachment", ex.Error.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Contains("PNG, JPEG, GIF, WebP", ex.Message);
        Assert.Equal(path, ex.Error.Target);
    }

    [Fact]
    public void A_missing_file_is_object_not_found()
    {
        var ex = Assert.Throws<ClaudeException>(() => Attachments.Load(new[] { Path.Combine(_dir, "gone.pdf") }));
        Assert.Equal("ClaudePS.AttachmentNotFound", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.ObjectNotFound, ex.Error.Category);
    }

    [Fact]
    public void An_image_over_5_MB_is_refused_before_it_is_read()
    {
        var path = File("big.jpg", Jpeg, Attachments.MaxImageBytes + 1);
        var ex = Assert.Throws<ClaudeException>(() => Attachments.Load(new[] { path }));
        Assert.Equal("ClaudePS.AttachmentTooLarge", ex.Error.ErrorId);
        Assert.Equal(ClaudeErrorCategory.LimitsExceeded, ex.Error.Category);
        Assert.Contains("big.jpg", ex.Message);
    }

    [Fact]
    public void A_pdf_of_the_same_size_is_fine_as_an_image_limit_does_not_apply_to_documents()
    {
        var path = File("big.pdf", Pdf, Attachments.MaxImageBytes + 1);
        var sink = new CollectingSink();
        var block = Assert.Single(Attachments.Load(new[] { path }, sink));
        Assert.Equal("application/pdf", block.MediaType);
        // Large enough for upload progress: a bar, then its completion record.
        Assert.Contains(sink.Progress, p => !p.Completed && p.Activity == "Reading attachments");
        Assert.True(sink.Progress[^1].Completed);
    }

    [Fact]
    public void Attachments_that_together_exceed_32_MB_are_refused_naming_the_file_that_tipped_it()
    {
        var a = File("a.pdf", Pdf, 14L * 1024 * 1024);
        var b = File("b.pdf", Pdf, 14L * 1024 * 1024); // base64 brings the pair to about 37 MB
        var ex = Assert.Throws<ClaudeException>(() => Attachments.Load(new[] { a, b }));
        Assert.Equal("ClaudePS.RequestTooLarge", ex.Error.ErrorId);
        Assert.Contains("b.pdf", ex.Message);
    }

    [Fact]
    public void A_request_whose_text_alone_is_too_large_is_refused_before_sending()
    {
        var request = Wire.MessageRequest.ForPrompt(new string('x', (int)Attachments.MaxRequestBytes), "claude-sonnet-4-5");
        Assert.Equal("ClaudePS.RequestTooLarge", Assert.Throws<ClaudeException>(() => Attachments.CheckRequestSize(request)).Error.ErrorId);
    }
}
