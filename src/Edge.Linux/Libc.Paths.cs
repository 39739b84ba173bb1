using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// Calls on path strings (UTF-8 marshalled): for state, stores and set-up, off the hot path.
/// </summary>
public static unsafe partial class Libc
{
    public const int AT_FDCWD = -100;
    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport(Name, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int RenameAt2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport(Name, EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkFifo(string path, uint mode);

    [LibraryImport(Name, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mkdir(string path, uint mode);

    public const int X_OK = 1;

    [LibraryImport(Name, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Access(string path, int mode);

    [LibraryImport(Name, EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Rmdir(string path);

    [LibraryImport(Name, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>
    /// Owner and mode of PATH itself (a symlink is not followed), through statx(2), whose layout is the same
    /// on every architecture (struct stat is not). False when it cannot be read.
    /// </summary>
    public static unsafe bool TryOwnerAndMode(string path, out uint uid, out uint mode)
    {
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8;
        byte* buffer = stackalloc byte[256];
        uid = mode = 0;
        if (Statx(AT_FDCWD, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, buffer) != 0) return false;
        uid = *(uint*)(buffer + 20);   // stx_uid
        mode = *(ushort*)(buffer + 28); // stx_mode: type and permission bits
        return true;
    }

    [LibraryImport(Name, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Link(string oldpath, string newpath);

    [LibraryImport(Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);
}
