using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ClaudePS.Engine.Auth;

/// <summary>
/// Tokens kept on disk for the current user (Connect-Claude -Scope CurrentUser), so a runbook that
/// starts every few minutes does not fetch a new token each time. Windows: the token is encrypted
/// with DPAPI for the current user (CryptProtectData through P/Invoke: no extra package in the
/// session). Unix: the folder is 0700 and each file 0600, created with that mode before anything is
/// written; a file or folder that others can read is refused, never used. File names are digests of
/// the identity, so they reveal nothing either.
/// </summary>
public sealed class PersistentTokenStore
{
    public PersistentTokenStore(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>%LOCALAPPDATA%\ClaudePS\TokenCache on Windows; $XDG_CACHE_HOME/claudeps/tokens or ~/.cache/claudeps/tokens elsewhere.</summary>
    public static PersistentTokenStore ForCurrentUser()
    {
        if (IsWindows)
            return new PersistentTokenStore(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ClaudePS", "TokenCache"));
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !Path.IsPathRooted(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new PersistentTokenStore(Path.Combine(cache!, "claudeps", "tokens"));
    }

    internal static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    public string PathFor(string key) => Path.Combine(Directory, TokenEndpointClient.Digest("claudeps-token-file", key) + ".token");

    public AccessToken? TryLoad(string key)
    {
        var path = PathFor(key);
        if (!File.Exists(path)) return null;
        if (!IsWindows) PrivateFiles.RequirePrivate(path, isDirectory: false);
        var payload = Unprotect(File.ReadAllBytes(path));
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        if (root.GetProperty("key").GetString() != key) return null; // a digest collision is not our token
        return new AccessToken(root.GetProperty("token").GetString()!,
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("obtained").GetInt64()),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("expires").GetInt64()));
    }

    public void Save(string key, AccessToken token)
    {
        EnsureDirectory();
        byte[] payload;
        using (var buffer = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("key", key);
                w.WriteString("token", token.Value);
                w.WriteNumber("obtained", token.ObtainedOn.ToUnixTimeMilliseconds());
                w.WriteNumber("expires", token.ExpiresOn.ToUnixTimeMilliseconds());
                w.WriteEndObject();
            }
            payload = Protect(buffer.ToArray());
        }
        var path = PathFor(key);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = PrivateFiles.CreatePrivate(temp))
                stream.Write(payload, 0, payload.Length);
            if (File.Exists(path)) File.Delete(path);
            File.Move(temp, path);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Deletes every cached token file (Disconnect-Claude).</summary>
    public void Clear()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.token")) File.Delete(file);
    }

    private void EnsureDirectory()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (!IsWindows) PrivateFiles.Chmod(Directory, 0x1C0); // 0700
        }
        if (!IsWindows) PrivateFiles.RequirePrivate(Directory, isDirectory: true);
    }

    private static byte[] Protect(byte[] data) => IsWindows ? Dpapi.Protect(data) : data;
    private static byte[] Unprotect(byte[] data) => IsWindows ? Dpapi.Unprotect(data) : data;

    /// <summary>CryptProtectData for the current user. Only Windows reaches this.</summary>
    private static class Dpapi
    {
        private static readonly byte[] Entropy = Encoding.UTF8.GetBytes("ClaudePS token cache v1");

        [StructLayout(LayoutKind.Sequential)]
        private struct Blob
        {
            public int Length;
            public IntPtr Data;
        }

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool CryptProtectData(ref Blob data, string? description, ref Blob entropy, IntPtr reserved, IntPtr prompt, int flags, ref Blob output);

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool CryptUnprotectData(ref Blob data, IntPtr description, ref Blob entropy, IntPtr reserved, IntPtr prompt, int flags, ref Blob output);

        [DllImport("kernel32.dll")]
        private static extern IntPtr LocalFree(IntPtr mem);

        private const int UiForbidden = 0x1;

        public static byte[] Protect(byte[] data) => Run(data, protect: true);
        public static byte[] Unprotect(byte[] data) => Run(data, protect: false);

        private static byte[] Run(byte[] data, bool protect)
        {
            var input = Pin(data, out var inputHandle);
            var entropy = Pin(Entropy, out var entropyHandle);
            var output = new Blob();
            try
            {
                bool ok = protect
                    ? CryptProtectData(ref input, "ClaudePS token", ref entropy, IntPtr.Zero, IntPtr.Zero, UiForbidden, ref output)
                    : CryptUnprotectData(ref input, IntPtr.Zero, ref entropy, IntPtr.Zero, IntPtr.Zero, UiForbidden, ref output);
                if (!ok) throw new CryptographicException(new Win32Exception(Marshal.GetLastWin32Error()).Message);
                var result = new byte[output.Length];
                Marshal.Copy(output.Data, result, 0, output.Length);
                return result;
            }
            finally
            {
                inputHandle.Free();
                entropyHandle.Free();
                if (output.Data != IntPtr.Zero) LocalFree(output.Data);
            }
        }

        private static Blob Pin(byte[] data, out GCHandle handle)
        {
            handle = GCHandle.Alloc(data, GCHandleType.Pinned);
            return new Blob { Length = data.Length, Data = handle.AddrOfPinnedObject() };
        }
    }
}

/// <summary>Owner-only files on Unix (the net8.0 build; PowerShell 7 loads it on every Unix).</summary>
internal static class PrivateFiles
{
    /// <summary>Creates a new file that only the owner can read and write, before any byte is written.</summary>
    public static FileStream CreatePrivate(string path)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite,
            });
#endif
        RequireSupported();
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    public static void Chmod(string path, int mode)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (System.IO.UnixFileMode)mode);
#else
        RequireSupported();
#endif
    }

    /// <summary>Refuses a token file or folder that group or others can access.</summary>
    public static void RequirePrivate(string path, bool isDirectory)
    {
#if NET8_0_OR_GREATER
        if (OperatingSystem.IsWindows()) return;
        int mode = (int)File.GetUnixFileMode(path);
        if ((mode & 0x3F) != 0) // any of 077
            throw new ClaudeException(new ClaudeError("ClaudePS.TokenCacheNotPrivate", ClaudeErrorCategory.SecurityError,
                $"The token cache {(isDirectory ? "folder" : "file")} {path} can be accessed by other users (mode {Convert.ToString(mode & 0x1FF, 8)}), so it is not used. Run 'chmod {(isDirectory ? "700" : "600")} {path}' or delete it."));
#else
        RequireSupported();
#endif
    }

    /// <summary>The netstandard2.0 build runs on Windows PowerShell; it cannot set Unix modes, so it never writes tokens there.</summary>
    private static void RequireSupported()
    {
        if (!PersistentTokenStore.IsWindows)
            throw new ClaudeException(new ClaudeError("ClaudePS.TokenCacheUnsupported", ClaudeErrorCategory.NotImplemented,
                "The persistent token cache needs PowerShell 7 on this platform. Use -Scope Process."));
    }
}
