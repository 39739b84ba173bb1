using System.Runtime.InteropServices;

namespace Edge.Linux;

public static partial class Libc
{
    public const int AT_FDCWD = -100;
    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport(Name, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int RenameAt2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

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

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>
    /// The type and permission bits of NAME in DIRFD itself (a symlink is not followed; an empty NAME is DIRFD's
    /// own file); false when it cannot be read.
    /// </summary>
    public static unsafe bool TryModeAt(int dirfd, byte* name, out uint mode)
    {
        const int AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
        const uint StatxType = 0x1, StatxMode = 0x2;
        byte* buffer = stackalloc byte[256];
        mode = 0;
        if (Statx(dirfd, name, AtSymlinkNoFollow | (*name == 0 ? AtEmptyPath : 0), StatxType | StatxMode, buffer) != 0) return false;
        mode = *(ushort*)(buffer + 28); // stx_mode
        return true;
    }

    [LibraryImport(Name, EntryPoint = "readlinkat", SetLastError = true)]
    public static unsafe partial nint ReadLinkAt(int dirfd, byte* path, byte* buffer, nuint size);

    [LibraryImport(Name, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Link(string oldpath, string newpath);

    [LibraryImport(Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
