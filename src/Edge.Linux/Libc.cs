using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// libc entry points. The binary links libc statically and binds it with DirectPInvoke, so a call never
/// resolves a symbol lazily. This file holds the process's identity; the rest is one file per concern, all
/// named Libc.*: Processes, Sockets, Terminals, Fds (open descriptors), Paths (calls on path strings), AtCalls
/// (fd-relative calls on byte* paths, the extractor's hot path) and Mounts.
/// </summary>
public static unsafe partial class Libc
{
    public const string Name = "libc";

    [LibraryImport(Name, EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport(Name, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUid();

    [LibraryImport(Name, EntryPoint = "getegid")]
    public static partial uint GetEffectiveGid();

    [LibraryImport(Name, EntryPoint = "strerror")]
    internal static partial byte* StrError(int errnum);
}
