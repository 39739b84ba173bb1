using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// libc entry points. The binary links libc statically and binds it with DirectPInvoke, so a call never
/// resolves a symbol lazily.
/// </summary>
public static unsafe partial class Libc
{
    public const string Name = "libc";

    [LibraryImport(Name, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUid();

    [LibraryImport(Name, EntryPoint = "getegid")]
    public static partial uint GetEffectiveGid();

    [LibraryImport(Name, EntryPoint = "isatty")]
    public static partial int IsATty(int fd);

    [LibraryImport(Name, EntryPoint = "strerror")]
    internal static partial byte* StrError(int errnum);
}
