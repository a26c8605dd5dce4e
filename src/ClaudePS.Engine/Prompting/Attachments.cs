using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ClaudePS.Engine.Prompting;

/// <summary>
/// Files sent with a prompt (-Attachment): images (png, jpeg, gif, webp) as image blocks and PDFs as
/// document blocks, base64-encoded. The media type comes from the file's first bytes, never from its
/// extension; sizes are checked before anything is read in full or sent.
/// </summary>
public static class Attachments
{
    /// <summary>The API's limit for one image.</summary>
    public const long MaxImageBytes = 5L * 1024 * 1024;
    /// <summary>The API's limit for a whole Messages or count_tokens request.</summary>
    public const long MaxRequestBytes = 32L * 1024 * 1024;

    /// <summary>The types this module sends, for error messages.</summary>
    public const string SupportedTypes = "PNG, JPEG, GIF, WebP images and PDF documents";

    /// <summary>The media type named by the file's first bytes, or null when it is none of the supported types.</summary>
    public static string? DetectMediaType(ReadOnlySpan<byte> head)
    {
        if (StartsWith(head, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) return "image/png";
        if (StartsWith(head, 0xFF, 0xD8, 0xFF)) return "image/jpeg";
        if (StartsWith(head, (byte)'G', (byte)'I', (byte)'F', (byte)'8') && head.Length >= 6 && (head[4] == '7' || head[4] == '9') && head[5] == 'a') return "image/gif";
        if (StartsWith(head, (byte)'R', (byte)'I', (byte)'F', (byte)'F') && head.Length >= 12 &&
            head[8] == 'W' && head[9] == 'E' && head[10] == 'B' && head[11] == 'P') return "image/webp";
        if (StartsWith(head, (byte)'%', (byte)'P', (byte)'D', (byte)'F', (byte)'-')) return "application/pdf";
        return null;
    }

    /// <summary>Reads the files into content blocks, in the order given. Every check runs on every file
    /// before any is encoded, so one bad file fails fast and names itself.</summary>
    public static List<ClaudeContentBlock> Load(IReadOnlyList<string> paths, IClaudeOutputSink? progress = null)
    {
        string? current = null;
        try
        {
            return LoadCore(paths, progress, ref current);
        }
        catch (Exception ex) when (Storage.FileErrors.IsFileSystemFailure(ex) && current is not null)
        {
            throw Storage.FileErrors.Wrap("ClaudePS.AttachmentUnreadable", ex, "-Attachment: reading", current,
                "Check that the file is readable (not locked by another program), then send the prompt again. Nothing was sent.", writing: false);
        }
    }

    private static List<ClaudeContentBlock> LoadCore(IReadOnlyList<string> paths, IClaudeOutputSink? progress, ref string? current)
    {
        var files = new List<(string Path, string MediaType, long Length)>(paths.Count);
        long total = 0;
        foreach (var path in paths)
        {
            current = path;
            var info = new FileInfo(path);
            if (Directory.Exists(path))
                throw Error("ClaudePS.AttachmentNotFound", ClaudeErrorCategory.InvalidArgument,
                    $"-Attachment: '{path}' is a folder, not a file. Name the files, e.g. '{Path.Combine(path, "*.png")}'.", path);
            if (!info.Exists)
                throw Error("ClaudePS.AttachmentNotFound", ClaudeErrorCategory.ObjectNotFound,
                    $"-Attachment: the file '{path}' does not exist. Give the path of an existing file.", path);
            string? mediaType;
            using (var stream = info.OpenRead())
            {
                var head = new byte[12];
                int n = ReadFully(stream, head);
                mediaType = DetectMediaType(head.AsSpan(0, n));
            }
            if (mediaType is null)
                throw Error("ClaudePS.UnsupportedAttachment", ClaudeErrorCategory.InvalidType,
                    $"-Attachment: '{path}' is not a supported file type (its content is not {SupportedTypes}). " +
                    "Convert it to one of those, or paste text into the prompt instead.", path);
            if (mediaType.StartsWith("image/", StringComparison.Ordinal) && info.Length > MaxImageBytes)
                throw Error("ClaudePS.AttachmentTooLarge", ClaudeErrorCategory.LimitsExceeded,
                    $"-Attachment: the image '{path}' is {Megabytes(info.Length)}; the API takes images up to {Megabytes(MaxImageBytes)}. Scale or compress it.", path);
            total += Base64Length(info.Length);
            if (total > MaxRequestBytes)
                throw Error("ClaudePS.RequestTooLarge", ClaudeErrorCategory.LimitsExceeded,
                    $"-Attachment: with '{path}' the attachments come to {Megabytes(total)} base64-encoded; a request may be at most {Megabytes(MaxRequestBytes)}. Send fewer or smaller files per prompt.", path);
            files.Add((path, mediaType, info.Length));
        }

        var blocks = new List<ClaudeContentBlock>(files.Count);
        long done = 0, all = files.Sum(f => f.Length);
        bool showProgress = progress is not null && all >= ProgressThresholdBytes;
        foreach (var (path, mediaType, length) in files)
        {
            current = path;
            if (showProgress)
                progress!.WriteProgress(new ProgressInfo(ProgressActivityId, "Reading attachments", $"{Path.GetFileName(path)} ({Megabytes(length)})")
                { PercentComplete = (int)(100 * done / Math.Max(1, all)) });
            var data = Convert.ToBase64String(File.ReadAllBytes(path));
            blocks.Add(ClaudeContentBlock.FromBase64(mediaType == "application/pdf" ? "document" : "image", mediaType, data));
            done += length;
        }
        if (showProgress) progress!.WriteProgress(new ProgressInfo(ProgressActivityId, "Reading attachments", "Done") { Completed = true });
        return blocks;
    }

    /// <summary>Checks the whole request's size (text and every base64 block, history included) against the API limit.</summary>
    public static void CheckRequestSize(Wire.MessageRequest request)
    {
        long size = (request.System?.Length ?? 0) + 1024; // the envelope and field names
        foreach (var m in request.Messages)
            foreach (var b in m.Content)
                size += (b.Text?.Length ?? 0) + (b.Data?.Length ?? 0) + (b.InputJson?.Length ?? 0) + 64;
        if (size > MaxRequestBytes)
            throw Error("ClaudePS.RequestTooLarge", ClaudeErrorCategory.LimitsExceeded,
                $"The request would be about {Megabytes(size)}; the API takes at most {Megabytes(MaxRequestBytes)}. Send fewer or smaller attachments, or start a new conversation.", null);
    }

    /// <summary>Upload progress shows only for attachments at least this large, as Invoke-WebRequest shows it only for slow transfers.</summary>
    internal const long ProgressThresholdBytes = 4L * 1024 * 1024;
    internal const int ProgressActivityId = 8031;

    private static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MB";

    private static bool StartsWith(ReadOnlySpan<byte> data, params byte[] prefix) =>
        data.Length >= prefix.Length && data.Slice(0, prefix.Length).SequenceEqual(prefix);

    private static int ReadFully(Stream s, byte[] buffer)
    {
        int total = 0, n;
        while (total < buffer.Length && (n = s.Read(buffer, total, buffer.Length - total)) > 0) total += n;
        return total;
    }

    private static ClaudeException Error(string id, ClaudeErrorCategory category, string message, string? path) =>
        new(new ClaudeError(id, category, message) { Target = path });
}
