using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// Mounts.
/// </summary>
public static unsafe partial class Libc
{
    public const int MNT_DETACH = 2;

    [LibraryImport(Name, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mount(string source, string target, string fstype, ulong flags, string? data);

    [LibraryImport(Name, EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Umount2(string target, int flags);
}
