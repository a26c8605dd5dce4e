using System;
using System.Runtime.InteropServices;
using System.Security;

namespace ClaudePS.Hosting;

/// <summary>Reads a SecureString only at the point the engine needs the value.</summary>
internal static class SecureStrings
{
    public static string ToPlain(SecureString value)
    {
        IntPtr ptr = IntPtr.Zero;
        try
        {
            ptr = Marshal.SecureStringToGlobalAllocUnicode(value);
            return Marshal.PtrToStringUni(ptr) ?? "";
        }
        finally
        {
            if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }
}
