using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// fd-relative file system calls on NUL-terminated UTF-8 paths (byte*), for the layer extractor's hot path:
/// no string is made per call. The numbers are the same on every Linux architecture (asm-generic), except
/// where noted.
/// </summary>
public static unsafe partial class Libc
{
    public const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFIFO = 0x1000, S_IFLNK = 0xA000;
    /// <summary>openat2 is 437 on every architecture (the unified table for syscalls added after 5.1).</summary>
    public const long SYS_openat2 = 437;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
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

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    /// <summary>openat2(2): <paramref name="resolve"/> RESOLVE_IN_ROOT keeps every lookup inside dirfd.</summary>
    public static int OpenAt2(int dirfd, byte* path, int flags, uint mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = mode, Resolve = resolve };
        return (int)Syscall4(SYS_openat2, dirfd, path, &how, (nuint)sizeof(OpenHow));
    }

    [LibraryImport(Name, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirfd, byte* path, uint mode);

    [LibraryImport(Name, EntryPoint = "mknodat", SetLastError = true)]
    public static partial int MknodAt(int dirfd, byte* path, uint mode, ulong dev);

    [LibraryImport(Name, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt(byte* target, int dirfd, byte* path);

    [LibraryImport(Name, EntryPoint = "linkat", SetLastError = true)]
    public static partial int LinkAt(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);

    [LibraryImport(Name, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirfd, byte* path, int flags);

    [LibraryImport(Name, EntryPoint = "fchownat", SetLastError = true)]
    public static partial int FchownAt(int dirfd, byte* path, uint uid, uint gid, int flags);

    [LibraryImport(Name, EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport(Name, EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int FchmodAt(int dirfd, byte* path, uint mode, int flags);

    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    [LibraryImport(Name, EntryPoint = "utimensat", SetLastError = true)]
    public static partial int UtimensAt(int dirfd, byte* path, Timespec* times, int flags);

    [LibraryImport(Name, EntryPoint = "futimens", SetLastError = true)]
    public static partial int Futimens(int fd, Timespec* times);

    [LibraryImport(Name, EntryPoint = "fsetxattr", SetLastError = true)]
    public static partial int Fsetxattr(int fd, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Name, EntryPoint = "lsetxattr", SetLastError = true)]
    public static partial int Lsetxattr(byte* path, byte* name, byte* value, nuint size, int flags);

    /// <summary>glibc's makedev(3) encoding of a device number (a macro in C, so computed here).</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
