using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// libc calls with blittable arguments only (pointers and integers), no SetLastError and no marshalling:
/// the generated stubs are direct calls, so they are safe in a child cloned from the multi-threaded runtime,
/// which must not allocate, lock or touch thread-static state. errno is read with <see cref="Errno"/>.
/// Calls that glibc turns into multi-thread broadcasts (setresuid, setgroups, ...) are made with
/// <see cref="Syscall"/> instead: in a cloned child glibc still believes the parent's threads exist.
/// </summary>
public static unsafe partial class Raw
{
    private const string C = Libc.Name;

    [LibraryImport(C, EntryPoint = "__errno_location")] private static partial int* ErrnoLocation();

    public static int Errno => *ErrnoLocation();

    public static void SetErrno(int value) => *ErrnoLocation() = value;

    [LibraryImport(C, EntryPoint = "syscall")] public static partial nint Syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);
    [LibraryImport(C, EntryPoint = "read")] public static partial nint Read(int fd, byte* buffer, nuint count);
    [LibraryImport(C, EntryPoint = "write")] public static partial nint Write(int fd, byte* buffer, nuint count);
    [LibraryImport(C, EntryPoint = "close")] public static partial int Close(int fd);
    [LibraryImport(C, EntryPoint = "dup2")] public static partial int Dup2(int oldfd, int newfd);
    [LibraryImport(C, EntryPoint = "_exit")] public static partial void Exit(int status);
    [LibraryImport(C, EntryPoint = "getpid")] public static partial int GetPid();
    [LibraryImport(C, EntryPoint = "openat")] public static partial int OpenAt(int dirfd, byte* path, int flags, uint mode);
    [LibraryImport(C, EntryPoint = "mkdirat")] public static partial int MkdirAt(int dirfd, byte* path, uint mode);
    [LibraryImport(C, EntryPoint = "mknodat")] public static partial int MknodAt(int dirfd, byte* path, uint mode, ulong dev);
    [LibraryImport(C, EntryPoint = "symlinkat")] public static partial int SymlinkAt(byte* target, int dirfd, byte* linkpath);
    [LibraryImport(C, EntryPoint = "fchownat")] public static partial int FchownAt(int dirfd, byte* path, uint uid, uint gid, int flags);
    [LibraryImport(C, EntryPoint = "fchmodat")] public static partial int FchmodAt(int dirfd, byte* path, uint mode, int flags);
    [LibraryImport(C, EntryPoint = "fchmod")] public static partial int Fchmod(int fd, uint mode);
    [LibraryImport(C, EntryPoint = "unlinkat")] public static partial int UnlinkAt(int dirfd, byte* path, int flags);
    [LibraryImport(C, EntryPoint = "mount")] public static partial int Mount(byte* source, byte* target, byte* fstype, nuint flags, byte* data);
    [LibraryImport(C, EntryPoint = "umount2")] public static partial int Umount2(byte* target, int flags);
    [LibraryImport(C, EntryPoint = "chdir")] public static partial int Chdir(byte* path);
    [LibraryImport(C, EntryPoint = "fchdir")] public static partial int Fchdir(int fd);
    [LibraryImport(C, EntryPoint = "chroot")] public static partial int Chroot(byte* path);
    [LibraryImport(C, EntryPoint = "setns")] public static partial int Setns(int fd, int nstype);
    [LibraryImport(C, EntryPoint = "unshare")] public static partial int Unshare(int flags);
    [LibraryImport(C, EntryPoint = "sethostname")] public static partial int Sethostname(byte* name, nuint length);
    [LibraryImport(C, EntryPoint = "setdomainname")] public static partial int Setdomainname(byte* name, nuint length);
    [LibraryImport(C, EntryPoint = "setsid")] public static partial int Setsid();
    [LibraryImport(C, EntryPoint = "umask")] public static partial uint Umask(uint mask);
    [LibraryImport(C, EntryPoint = "prctl")] public static partial int Prctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);
    [LibraryImport(C, EntryPoint = "prlimit")] public static partial int Prlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);
    [LibraryImport(C, EntryPoint = "ioctl")] public static partial int Ioctl(int fd, nuint request, nint argument);
    [LibraryImport(C, EntryPoint = "sendmsg")] public static partial nint SendMsg(int fd, void* message, int flags);
    [LibraryImport(C, EntryPoint = "execve")] public static partial int Execve(byte* path, byte** argv, byte** envp);
    [LibraryImport(C, EntryPoint = "kill")] public static partial int Kill(int pid, int signal);
    [LibraryImport(C, EntryPoint = "fork")] public static partial int Fork();
    [LibraryImport(C, EntryPoint = "statx")] public static partial int Statx(int dirfd, byte* path, int flags, uint mask, byte* statx);
    [LibraryImport(C, EntryPoint = "statfs")] public static partial int Statfs(byte* path, byte* buffer);
    [LibraryImport(C, EntryPoint = "faccessat")] public static partial int FaccessAt(int dirfd, byte* path, int mode, int flags);
    [LibraryImport(C, EntryPoint = "waitpid")] public static partial int WaitPid(int pid, int* status, int options);
}
