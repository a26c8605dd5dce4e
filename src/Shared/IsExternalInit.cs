namespace System.Runtime.CompilerServices;

// Lets netstandard2.0 code use init-only setters; the compiler only needs the type to exist.
internal static class IsExternalInit { }
