using System;
using System.IO;
using System.Security;

namespace ClaudePS.Engine.Storage;

/// <summary>
/// Turns a file-system failure (denied, read-only, a folder where a file was expected, disk full) into
/// a <see cref="ClaudeException"/> with a stable id, the path, and what to do, so no raw .NET exception
/// reaches the user from the files the module keeps (checkpoints, ledger, metrics, conversations, attachments).
/// </summary>
internal static class FileErrors
{
    /// <summary>True for the exceptions the file system throws for a path it refuses.</summary>
    public static bool IsFileSystemFailure(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or SecurityException or NotSupportedException;

    /// <param name="errorId">The stable ClaudePS.* id.</param>
    /// <param name="action">What was being done, e.g. "Writing the checkpoint".</param>
    /// <param name="nextStep">A sentence saying what the user can do.</param>
    public static ClaudeException Wrap(string errorId, Exception ex, string action, string path, string nextStep, bool writing)
    {
        var category = ex is UnauthorizedAccessException or SecurityException ? ClaudeErrorCategory.PermissionDenied
            : writing ? ClaudeErrorCategory.WriteError : ClaudeErrorCategory.ReadError;
        return new ClaudeException(new ClaudeError(errorId, category, $"{action} '{path}' failed: {Reason(ex, path)} {nextStep}") { Target = path }, ex);
    }

    /// <summary>Why, in words a user can act on (the runtime's text for denied access names no cause).</summary>
    public static string Reason(Exception ex, string path)
    {
        if (Directory.Exists(path)) return "it is a folder, not a file.";
        if (ex is UnauthorizedAccessException or SecurityException)
            return "access was denied (the file or its folder is read-only, or you lack permission).";
        var text = ex.Message.Trim();
        return text.EndsWith(".", StringComparison.Ordinal) ? text : text + ".";
    }
}
