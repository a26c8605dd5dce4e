using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClaudePS.Engine.Auth;

/// <summary>Finds the certificate for a client assertion: by thumbprint in the user's then the machine's
/// personal store (as Connect-AzAccount does), or from a .pfx/.p12 file (or PEM with its key, PowerShell 7).</summary>
public static class CertificateLoader
{
    public static X509Certificate2 FromThumbprint(string thumbprint)
    {
        var wanted = (thumbprint ?? "").Replace(" ", "").Replace(":", "").Trim().ToUpperInvariant();
        if (wanted.Length == 0) throw Unreadable("The certificate thumbprint is empty. Pass -CertificateThumbprint with the 40 hex digits.");
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
                if (found.Count > 0) return found[0];
            }
            catch (CryptographicException)
            {
                // The store does not exist here (a fresh Linux user): look in the next one.
            }
        }
        throw new ClaudeException(new ClaudeError("ClaudePS.CertificateNotFound", ClaudeErrorCategory.ObjectNotFound,
            $"No certificate with thumbprint {wanted} is in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My. Import it (with its private key), or pass -CertificatePath."));
    }

    public static X509Certificate2 FromFile(string path, string? password)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Unreadable($"The certificate file {path} cannot be read: {ex.Message} Check -CertificatePath.");
        }
        try
        {
#if NET8_0_OR_GREATER
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("-----BEGIN"))
                return password is null ? X509Certificate2.CreateFromPem(text, text) : X509Certificate2.CreateFromEncryptedPem(text, text, password);
#endif
            return new X509Certificate2(bytes, password, X509KeyStorageFlags.UserKeySet);
        }
        catch (CryptographicException)
        {
            // The password, or whether one was given, is the usual cause; never echo it.
            throw Unreadable($"The certificate file {path} cannot be opened: the password is wrong, or the file is not a PKCS#12 (.pfx) file{PemHint}. Check -CertificatePath and -CertificatePassword.");
        }
        catch (ArgumentException)
        {
            throw Unreadable($"The certificate file {path} has no usable certificate and private key. Check -CertificatePath.");
        }
    }

#if NET8_0_OR_GREATER
    private const string PemHint = " or a PEM file with the certificate and its key";
#else
    private const string PemHint = "";
#endif

    private static ClaudeException Unreadable(string message) =>
        new(new ClaudeError("ClaudePS.CertificateUnreadable", ClaudeErrorCategory.InvalidArgument, message));
}
