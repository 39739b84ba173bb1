using System;
using System.Runtime.CompilerServices;
using Edge.Linux;

namespace Edge.Runtime.Init;

/// <summary>
/// The container's init, run in the child of clone(2) until execve(2). It walks an <see cref="InitProgram"/>
/// built by the parent and makes plain system calls only: no allocation, no exceptions, no locks, no static
/// constructors, no virtual or interface calls, so nothing can wait on the runtime state copied from the
/// multi-threaded parent (docs/process-model.md). Every buffer it uses is on its stack or in the program.
/// On failure it sends (step, errno) to the parent and exits.
/// </summary>
public static unsafe class ContainerInit
{
    // open(2) flags that are the same on every architecture.
    private const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    private const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    private const int ENOENT = 2, EACCES = 13, ENOTDIR = 20, ELOOP = 40, ENOSYS = 38, EEXIST = 17, EINTR = 4;
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EACCESS = 0x200;
    private const nuint TIOCSPTLCK = 0x40045431, TIOCGPTN = 0x80045430, TIOCSCTTY = 0x540E, TIOCSWINSZ = 0x5414;
    private const int MNT_DETACH = 2;
    private const int SOL_SOCKET = 1, SCM_RIGHTS = 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run(InitProgram* program)
    {
        int rootFd = -1;
        for (int i = 0; i < program->Count; i++)
        {
            InitStep* s = &program->Steps[i];
            int error = Execute(program, s, ref rootFd);
            if (error != 0) Fail(program, i, error);
        }
        // Exec returned: that is a failure of the last step.
        Fail(program, program->Count - 1, Raw.Errno);
    }

    private static int Execute(InitProgram* p, InitStep* s, ref int rootFd)
    {
        switch (s->Op)
        {
            case InitOp.SetDumpable:
                return Check(Raw.Prctl(Prctl.SetDumpable, (nuint)s->A, 0, 0, 0));
            case InitOp.SetNs:
                return Check(Raw.Setns((int)s->A, (int)s->B));
            case InitOp.WaitParent:
            {
                byte b;
                nint n;
                do n = Raw.Read(p->SyncFd, &b, 1); while (n < 0 && Raw.Errno == EINTR);
                return n == 1 ? 0 : n == 0 ? ENOENT : Raw.Errno;
            }
            case InitOp.Unshare:
                return Check(Raw.Unshare((int)s->A));
            case InitOp.SetRootIds:
                if (Raw.Syscall(p->SetresgidNr, 0, 0, 0, 0, 0, 0) != 0) return Raw.Errno;
                return Raw.Syscall(p->SetresuidNr, 0, 0, 0, 0, 0, 0) != 0 ? Raw.Errno : 0;
            case InitOp.SetHostname:
                return Check(Raw.Sethostname(s->S1, Length(s->S1)));
            case InitOp.SetDomainname:
                return Check(Raw.Setdomainname(s->S1, Length(s->S1)));
            case InitOp.MountPropagation:
                fixed (byte* slash = "/\0"u8)
                    return Check(Raw.Mount(null, slash, null, (nuint)s->A, null));
            case InitOp.BindRootfs:
                return Check(Raw.Mount(s->S1, s->S1, null, (nuint)(MountFlags.Bind | MountFlags.Rec), null));
            case InitOp.OpenRoot:
                rootFd = Raw.OpenAt(AT_FDCWD, s->S1, O_PATH | p->ODirectory | O_CLOEXEC, 0);
                return rootFd < 0 ? Raw.Errno : 0;
            case InitOp.Mount:
                return DoMount(p, s, rootFd);
            case InitOp.Mknod:
                return DoMknod(p, s, rootFd);
            case InitOp.BindDevice:
            {
                int error = Resolve(p, rootFd, s->S2, create: true, file: true, out int fd);
                if (error != 0) return error;
                byte* target = stackalloc byte[32];
                ProcFd(fd, target);
                int rc = Raw.Mount(s->S1, target, null, (nuint)MountFlags.Bind, null);
                error = rc != 0 ? Raw.Errno : 0;
                Raw.Close(fd);
                return error;
            }
            case InitOp.Symlink:
                return DoSymlink(p, s, rootFd);
            case InitOp.PivotRoot:
                return DoPivotRoot(p, rootFd);
            case InitOp.MoveRoot:
                return DoMoveRoot(s);
            case InitOp.WriteFile:
            {
                int fd = Raw.OpenAt(AT_FDCWD, s->S1, O_WRONLY | O_CLOEXEC, 0);
                if (fd < 0) return Raw.Errno;
                nint n = Raw.Write(fd, s->S2, (nuint)s->A);
                int error = n < 0 ? Raw.Errno : 0;
                Raw.Close(fd);
                return error;
            }
            case InitOp.MaskPath:
                return DoMaskPath(p, s, rootFd);
            case InitOp.ReadonlyPath:
                return DoReadonlyPath(p, s, rootFd);
            case InitOp.RemountRootReadonly:
                fixed (byte* slash = "/\0"u8)
                    return Remount(slash, MountFlags.ReadOnly);
            case InitOp.Console:
                return DoConsole(p, s);
            case InitOp.Chmod:
            {
                int fd = Openat2(rootFd, s->S2, (ulong)(O_RDONLY | p->ODirectory | O_CLOEXEC), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
                if (fd < 0) return Raw.Errno;
                int error = Raw.Fchmod(fd, (uint)s->A) != 0 ? Raw.Errno : 0;
                Raw.Close(fd);
                return error;
            }
            case InitOp.Setsid:
                return Raw.Setsid() < 0 ? Raw.Errno : 0;
            case InitOp.Rlimit:
            {
                ulong* limit = stackalloc ulong[2];
                limit[0] = (ulong)s->B;
                limit[1] = (ulong)s->C;
                return Check(Raw.Prlimit(0, (int)s->A, limit, null));
            }
            case InitOp.Umask:
                Raw.Umask((uint)s->A);
                return 0;
            case InitOp.DropBounding:
                for (int cap = 0; cap <= s->B; cap++)
                {
                    if (((ulong)s->A & (1UL << cap)) != 0) continue;
                    if (Raw.Prctl(Prctl.CapBsetDrop, (nuint)cap, 0, 0, 0) != 0) return Raw.Errno;
                }
                return 0;
            case InitOp.KeepCaps:
                return Check(Raw.Prctl(Prctl.SetKeepCaps, (nuint)s->A, 0, 0, 0));
            case InitOp.SetGroups:
                return Raw.Syscall(p->SetgroupsNr, (nint)s->A, (nint)s->S1, 0, 0, 0, 0) != 0 ? Raw.Errno : 0;
            case InitOp.SetIds:
                if (Raw.Syscall(p->SetresgidNr, (nint)s->B, (nint)s->B, (nint)s->B, 0, 0, 0) != 0) return Raw.Errno;
                return Raw.Syscall(p->SetresuidNr, (nint)s->A, (nint)s->A, (nint)s->A, 0, 0, 0) != 0 ? Raw.Errno : 0;
            case InitOp.Capset:
                return DoCapset(p, s);
            case InitOp.AmbientRaise:
                for (int cap = 0; cap < 64; cap++)
                {
                    if (((ulong)s->A & (1UL << cap)) == 0) continue;
                    if (Raw.Prctl(Prctl.CapAmbient, Prctl.CapAmbientRaise, (nuint)cap, 0, 0) != 0) return Raw.Errno;
                }
                return 0;
            case InitOp.NoNewPrivileges:
                return Check(Raw.Prctl(Prctl.SetNoNewPrivs, 1, 0, 0, 0));
            case InitOp.Chdir:
                return Check(Raw.Chdir(s->S1));
            case InitOp.CloseFrom:
                // Mark, not close: the sync socket and exec fifo are still needed and vanish at execve.
                return Raw.Syscall(SyscallNumbers.CloseRange, (nint)s->A, unchecked((nint)(uint)~0), 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0, 0) != 0 ? Raw.Errno : 0;
            case InitOp.ResolveExec:
                return DoResolveExec(p, s);
            case InitOp.Ready:
            {
                InitMessage message = new() { Kind = InitMessage.Ready };
                return Raw.Write(p->SyncFd, (byte*)&message, (nuint)sizeof(InitMessage)) < 0 ? Raw.Errno : 0;
            }
            case InitOp.WaitStart:
            {
                byte b;
                nint n;
                do n = Raw.Read((int)s->A, &b, 1); while (n < 0 && Raw.Errno == EINTR);
                return n == 1 ? 0 : n == 0 ? ENOENT : Raw.Errno;
            }
            case InitOp.Exec:
                Raw.Execve(p->ExecPath, (byte**)s->S1, (byte**)s->S2);
                return Raw.Errno;
            default:
                return ENOSYS;
        }
    }

    private static int Check(int rc) => rc == 0 ? 0 : Raw.Errno;

    private static void Fail(InitProgram* program, int step, int errno)
    {
        InitMessage message = new() { Kind = InitMessage.Error, Step = step, Errno = errno == 0 ? 5 : errno };
        Raw.Write(program->SyncFd, (byte*)&message, (nuint)sizeof(InitMessage));
        Raw.Exit(127);
    }

    private static nuint Length(byte* s)
    {
        nuint n = 0;
        while (s[n] != 0) n++;
        return n;
    }

    /// <summary>Writes "/proc/self/fd/N" (NUL-terminated) into a 32-byte buffer.</summary>
    private static void ProcFd(int fd, byte* buffer)
    {
        ReadOnlySpan<byte> prefix = "/proc/self/fd/"u8;
        int i = 0;
        for (; i < prefix.Length; i++) buffer[i] = prefix[i];
        byte* digits = stackalloc byte[12];
        int n = 0;
        uint v = (uint)fd;
        do { digits[n++] = (byte)('0' + v % 10); v /= 10; } while (v != 0);
        while (n > 0) buffer[i++] = digits[--n];
        buffer[i] = 0;
    }

    private static int Openat2(int dirfd, byte* path, ulong flags, ulong resolve)
    {
        ulong* how = stackalloc ulong[3];
        how[0] = flags;
        how[1] = 0;
        how[2] = resolve;
        nint fd = Raw.Syscall(SyscallNumbers.Openat2, dirfd, (nint)path, (nint)how, 24, 0, 0);
        return (int)fd;
    }

    /// <summary>
    /// Opens PATH (relative, already cleaned of "..") inside the root as an O_PATH fd, creating missing
    /// directories (and the last component as a file when <paramref name="file"/>). Resolution stays inside
    /// the root: openat2 RESOLVE_IN_ROOT, or on kernels without it a component walk that refuses symlinks.
    /// </summary>
    private static int Resolve(InitProgram* p, int rootFd, byte* path, bool create, bool file, out int fd)
    {
        fd = OpenInRoot(p, rootFd, path);
        if (fd >= 0) return 0;
        int error = Raw.Errno;
        if (error != ENOENT || !create) return error;

        // Create each missing component from the root down.
        byte* prefix = stackalloc byte[4096];
        int length = (int)Length(path);
        if (length >= 4096) return 36;
        byte* dot = stackalloc byte[2];
        dot[0] = (byte)'.';
        dot[1] = 0;
        int start = 0;
        while (start < length)
        {
            int end = start;
            while (end < length && path[end] != '/') end++;
            bool last = end == length;
            for (int k = 0; k < end; k++) prefix[k] = path[k];
            prefix[end] = 0;
            int existing = OpenInRoot(p, rootFd, prefix);
            if (existing >= 0)
            {
                Raw.Close(existing);
            }
            else
            {
                if (Raw.Errno != ENOENT) return Raw.Errno;
                int parent;
                if (start == 0)
                {
                    parent = Raw.OpenAt(rootFd, dot, O_PATH | p->ODirectory | O_CLOEXEC, 0);
                }
                else
                {
                    prefix[start - 1] = 0;
                    parent = OpenInRoot(p, rootFd, prefix);
                    prefix[start - 1] = (byte)'/';
                }
                if (parent < 0) return Raw.Errno;
                byte* name = prefix + start;
                int rc;
                if (last && file)
                {
                    int created = Raw.OpenAt(parent, name, O_WRONLY | O_CREAT | O_CLOEXEC | p->ONoFollow, 0x1a4 /* 0644 */);
                    rc = created < 0 ? -1 : Raw.Close(created);
                }
                else
                {
                    rc = Raw.MkdirAt(parent, name, 0x1ed /* 0755 */);
                }
                int mkError = rc != 0 ? Raw.Errno : 0;
                Raw.Close(parent);
                if (mkError != 0 && mkError != EEXIST) return mkError;
            }
            start = end + 1;
        }
        fd = OpenInRoot(p, rootFd, path);
        return fd >= 0 ? 0 : Raw.Errno;
    }

    private static int OpenInRoot(InitProgram* p, int rootFd, byte* path)
    {
        int fd = Openat2(rootFd, path, (ulong)(O_PATH | O_CLOEXEC), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0 || Raw.Errno != ENOSYS) return fd;

        // No openat2 (Linux < 5.6): walk component by component and refuse every symlink.
        byte* here = stackalloc byte[2];
        here[0] = (byte)'.';
        here[1] = 0;
        int current = Raw.OpenAt(rootFd, here, O_PATH | p->ODirectory | O_CLOEXEC, 0);
        if (current < 0) return -1;
        byte* name = stackalloc byte[256];
        int i = 0;
        while (path[i] != 0)
        {
            int n = 0;
            while (path[i] != 0 && path[i] != '/') { if (n < 255) name[n++] = path[i]; i++; }
            name[n] = 0;
            if (path[i] == '/') i++;
            if (n == 0) continue;
            int next = Raw.OpenAt(current, name, O_PATH | O_CLOEXEC | p->ONoFollow, 0);
            int error = Raw.Errno;
            Raw.Close(current);
            if (next < 0) { SetErrno(error); return -1; }
            current = next;
            // An O_PATH|O_NOFOLLOW open of a symlink yields the link itself; refuse to go through it.
            if (IsSymlink(current)) { Raw.Close(current); SetErrno(ELOOP); return -1; }
        }
        return current;
    }

    private static bool IsSymlink(int fd)
    {
        byte* statx = stackalloc byte[256];
        fixed (byte* empty = "\0"u8)
        {
            // statx(fd, "", AT_EMPTY_PATH, STATX_TYPE): stx_mode is a u16 at offset 0x1c on every architecture.
            if (Raw.Statx(fd, empty, 0x1000, 1, statx) != 0) return false;
        }
        return (*(ushort*)(statx + 0x1c) & 0xF000) == 0xA000;
    }

    private static void SetErrno(int value) => Raw.SetErrno(value);

    private static int DoMount(InitProgram* p, InitStep* s, int rootFd)
    {
        ulong flags = (ulong)s->A, propagation = (ulong)s->B;
        bool isBind = (flags & MountFlags.Bind) != 0;
        int error = Resolve(p, rootFd, s->S2, create: true, file: s->C == 1, out int fd);
        if (error != 0) return error;
        byte* target = stackalloc byte[32];
        ProcFd(fd, target);

        // A bind mount ignores most flags on the first call: bind first, then remount with them.
        ulong first = isBind ? flags & (MountFlags.Bind | MountFlags.Rec) : flags & ~MountFlags.Rec;
        int rc = Raw.Mount(s->S1, target, s->S3, (nuint)first, isBind ? null : s->S4);
        error = rc != 0 ? Raw.Errno : 0;
        Raw.Close(fd);
        if (error != 0) return error;

        if ((isBind && s->D == 1) || propagation != 0)
        {
            // Re-resolve: the fd above names the directory underneath, not the new mount.
            error = Resolve(p, rootFd, s->S2, create: false, file: false, out fd);
            if (error != 0) return error;
            ProcFd(fd, target);
            if (isBind && s->D == 1)
                error = Remount(target, flags & ~(MountFlags.Bind | MountFlags.Rec | MountFlags.Remount));
            if (error == 0 && propagation != 0)
                error = Check(Raw.Mount(null, target, null, (nuint)propagation, null));
            Raw.Close(fd);
        }
        return error;
    }

    /// <summary>
    /// Bind-remounts TARGET with FLAGS added to the flags it already has (statfs): in a user namespace the
    /// kernel refuses a remount that would clear a locked nosuid, nodev or noexec.
    /// </summary>
    private static int Remount(byte* target, ulong flags)
    {
        byte* statfs = stackalloc byte[120];
        // glibc's struct statfs: f_flags is the 11th 64-bit word on x86-64 and arm64 alike.
        if (Raw.Statfs(target, statfs) != 0) return Raw.Errno;
        ulong st = *(ulong*)(statfs + 80);
        ulong keep = st & (MountFlags.ReadOnly | MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec | MountFlags.NoAtime | MountFlags.NoDirAtime);
        if ((st & 4096 /* ST_RELATIME */) != 0) keep |= MountFlags.RelAtime;
        return Check(Raw.Mount(null, target, null, (nuint)(MountFlags.Bind | MountFlags.Remount | keep | flags), null));
    }

    private static int DoMknod(InitProgram* p, InitStep* s, int rootFd)
    {
        // Resolve the parent directory inside the root, then create the node by name beneath it.
        byte* parentPath = stackalloc byte[4096];
        byte* name = SplitParent(s->S2, parentPath);
        int error = Resolve(p, rootFd, parentPath, create: true, file: false, out int dir);
        if (error != 0) return error;
        int rc = Raw.MknodAt(dir, name, (uint)s->A, (ulong)s->B);
        error = rc != 0 && Raw.Errno != EEXIST ? Raw.Errno : 0;
        // mknod applies the umask; the spec's fileMode is exact.
        if (error == 0 && Raw.FchmodAt(dir, name, (uint)s->A & 0xfff, 0) != 0) error = Raw.Errno;
        if (error == 0 && Raw.FchownAt(dir, name, (uint)s->C, (uint)s->D, AT_SYMLINK_NOFOLLOW) != 0) error = Raw.Errno;
        Raw.Close(dir);
        return error;
    }

    private static int DoSymlink(InitProgram* p, InitStep* s, int rootFd)
    {
        byte* parentPath = stackalloc byte[4096];
        byte* name = SplitParent(s->S2, parentPath);
        int error = Resolve(p, rootFd, parentPath, create: true, file: false, out int dir);
        if (error != 0) return error;
        int rc = Raw.SymlinkAt(s->S1, dir, name);
        error = rc != 0 && Raw.Errno != EEXIST ? Raw.Errno : 0;
        Raw.Close(dir);
        return error;
    }

    /// <summary>Copies the parent part of PATH ("." when none) into BUFFER and returns the last component.</summary>
    private static byte* SplitParent(byte* path, byte* buffer)
    {
        int length = (int)Length(path);
        int slash = length - 1;
        while (slash >= 0 && path[slash] != '/') slash--;
        if (slash < 0)
        {
            buffer[0] = (byte)'.';
            buffer[1] = 0;
            return path;
        }
        for (int i = 0; i < slash && i < 4095; i++) buffer[i] = path[i];
        buffer[slash < 4095 ? slash : 4095] = 0;
        return path + slash + 1;
    }

    /// <summary>pivot_root(".", ".") with the new root as cwd, then detach the old root stacked on top.</summary>
    private static int DoPivotRoot(InitProgram* p, int rootFd)
    {
        if (Raw.Fchdir(rootFd) != 0) return Raw.Errno;
        fixed (byte* dot = ".\0"u8)
        fixed (byte* slash = "/\0"u8)
        {
            if (Raw.Syscall(p->PivotRootNr, (nint)dot, (nint)dot, 0, 0, 0, 0) != 0) return Raw.Errno;
            // The old root must not propagate our unmount back to the host.
            if (Raw.Mount(null, dot, null, (nuint)(MountFlags.Slave | MountFlags.Rec), null) != 0) return Raw.Errno;
            if (Raw.Umount2(dot, MNT_DETACH) != 0) return Raw.Errno;
            return Check(Raw.Chdir(slash));
        }
    }

    private static int DoMoveRoot(InitStep* s)
    {
        if (Raw.Chdir(s->S1) != 0) return Raw.Errno;
        fixed (byte* dot = ".\0"u8)
        fixed (byte* slash = "/\0"u8)
        {
            if (Raw.Mount(dot, slash, null, (nuint)MountFlags.Move, null) != 0) return Raw.Errno;
            if (Raw.Chroot(dot) != 0) return Raw.Errno;
            return Check(Raw.Chdir(slash));
        }
    }

    private static int DoMaskPath(InitProgram* p, InitStep* s, int rootFd)
    {
        int error = Resolve(p, rootFd, s->S2, create: false, file: false, out int fd);
        if (error == ENOENT || error == ENOTDIR) return 0; // nothing to mask
        if (error != 0) return error;
        byte* target = stackalloc byte[32];
        ProcFd(fd, target);
        int rc;
        if (IsDirectory(fd))
        {
            fixed (byte* tmpfs = "tmpfs\0"u8)
                rc = Raw.Mount(tmpfs, target, tmpfs, (nuint)MountFlags.ReadOnly, null);
        }
        else
        {
            // The container's own /dev/null (a host fd would be in another mount namespace), and only if it
            // really is the null device: a rootfs could ship a regular file or another device there.
            byte* devNull = stackalloc byte[10];
            ReadOnlySpan<byte> name = "dev/null"u8;
            for (int k = 0; k < name.Length; k++) devNull[k] = name[k];
            devNull[name.Length] = 0;
            int nullFd = OpenInRoot(p, rootFd, devNull);
            if (nullFd < 0) { error = Raw.Errno; Raw.Close(fd); return error; }
            if (!IsNullDevice(nullFd)) { Raw.Close(nullFd); Raw.Close(fd); return 19; /* ENODEV */ }
            byte* source = stackalloc byte[32];
            ProcFd(nullFd, source);
            rc = Raw.Mount(source, target, null, (nuint)MountFlags.Bind, null);
            if (rc != 0) error = Raw.Errno;
            Raw.Close(nullFd);
            Raw.Close(fd);
            return rc != 0 ? error : 0;
        }
        error = rc != 0 ? Raw.Errno : 0;
        Raw.Close(fd);
        return error;
    }

    private static bool IsNullDevice(int fd)
    {
        byte* statx = stackalloc byte[256];
        fixed (byte* empty = "\0"u8)
        {
            // STATX_TYPE; stx_rdev_major/minor are u32 at 0x80 and 0x84.
            if (Raw.Statx(fd, empty, 0x1000, 1, statx) != 0) return false;
        }
        return (*(ushort*)(statx + 0x1c) & 0xF000) == 0x2000 && *(uint*)(statx + 0x80) == 1 && *(uint*)(statx + 0x84) == 3;
    }

    private static bool IsDirectory(int fd)
    {
        byte* statx = stackalloc byte[256];
        fixed (byte* empty = "\0"u8)
        {
            if (Raw.Statx(fd, empty, 0x1000, 1, statx) != 0) return false;
        }
        return (*(ushort*)(statx + 0x1c) & 0xF000) == 0x4000;
    }

    private static int DoReadonlyPath(InitProgram* p, InitStep* s, int rootFd)
    {
        int error = Resolve(p, rootFd, s->S2, create: false, file: false, out int fd);
        if (error == ENOENT || error == ENOTDIR) return 0;
        if (error != 0) return error;
        byte* target = stackalloc byte[32];
        ProcFd(fd, target);
        int rc = Raw.Mount(target, target, null, (nuint)(MountFlags.Bind | MountFlags.Rec), null);
        error = rc != 0 ? Raw.Errno : 0;
        Raw.Close(fd);
        if (error != 0) return error;
        error = Resolve(p, rootFd, s->S2, create: false, file: false, out fd);
        if (error != 0) return error;
        ProcFd(fd, target);
        error = Remount(target, MountFlags.ReadOnly);
        Raw.Close(fd);
        return error;
    }

    /// <summary>
    /// Allocates the container's terminal from its own devpts, sends the master to the console socket with
    /// SCM_RIGHTS (as runc does), and makes the slave the controlling terminal and stdio.
    /// </summary>
    private static int DoConsole(InitProgram* p, InitStep* s)
    {
        int master;
        fixed (byte* ptmx = "/dev/ptmx\0"u8)
            master = Raw.OpenAt(AT_FDCWD, ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
        if (master < 0) return Raw.Errno;
        int unlock = 0;
        if (Raw.Ioctl(master, TIOCSPTLCK, (nint)(&unlock)) != 0) return Raw.Errno;
        uint number = 0;
        if (Raw.Ioctl(master, TIOCGPTN, (nint)(&number)) != 0) return Raw.Errno;

        byte* slavePath = stackalloc byte[32];
        ReadOnlySpan<byte> prefix = "/dev/pts/"u8;
        int i = 0;
        for (; i < prefix.Length; i++) slavePath[i] = prefix[i];
        byte* digits = stackalloc byte[12];
        int n = 0;
        do { digits[n++] = (byte)('0' + number % 10); number /= 10; } while (number != 0);
        while (n > 0) slavePath[i++] = digits[--n];
        slavePath[i] = 0;

        int slave = Raw.OpenAt(AT_FDCWD, slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
        if (slave < 0) return Raw.Errno;
        if (s->B > 0 && s->C > 0)
        {
            ushort* size = stackalloc ushort[4];
            size[0] = (ushort)s->B; size[1] = (ushort)s->C; size[2] = 0; size[3] = 0;
            Raw.Ioctl(slave, TIOCSWINSZ, (nint)size);
        }

        // /dev/console is the terminal too, as runc sets it up.
        fixed (byte* console = "/dev/console\0"u8)
        {
            int created = Raw.OpenAt(AT_FDCWD, console, O_WRONLY | O_CREAT | O_CLOEXEC, 0x1a4);
            if (created >= 0) Raw.Close(created);
            Raw.Mount(slavePath, console, null, (nuint)MountFlags.Bind, null);
        }

        int error = SendFd((int)s->A, master, slavePath);
        Raw.Close(master);
        if (error != 0) return error;
        if (Raw.Setsid() < 0) return Raw.Errno;
        if (Raw.Ioctl(slave, TIOCSCTTY, 0) != 0) return Raw.Errno;
        for (int fd = 0; fd < 3; fd++)
            if (Raw.Dup2(slave, fd) < 0) return Raw.Errno;
        if (slave > 2) Raw.Close(slave);
        return 0;
    }

    /// <summary>sendmsg(2) of one fd with SCM_RIGHTS; the payload is the terminal's name.</summary>
    private static int SendFd(int socket, int fd, byte* name)
    {
        // struct iovec { void* base; size_t len; }
        nint* iov = stackalloc nint[2];
        iov[0] = (nint)name;
        iov[1] = (nint)Length(name);
        // struct cmsghdr { size_t len; int level; int type; int fd; } padded to 24 bytes.
        byte* control = stackalloc byte[24];
        *(ulong*)control = 20;
        *(int*)(control + 8) = SOL_SOCKET;
        *(int*)(control + 12) = SCM_RIGHTS;
        *(int*)(control + 16) = fd;
        *(int*)(control + 20) = 0;
        // struct msghdr { name; namelen(+pad); iov; iovlen; control; controllen; flags(+pad) }
        nint* message = stackalloc nint[7];
        message[0] = 0;
        message[1] = 0;
        message[2] = (nint)iov;
        message[3] = 1;
        message[4] = (nint)control;
        message[5] = 24;
        message[6] = 0;
        nint sent;
        do sent = Raw.SendMsg(socket, message, 0); while (sent < 0 && Raw.Errno == EINTR);
        return sent < 0 ? Raw.Errno : 0;
    }

    private static int DoCapset(InitProgram* p, InitStep* s)
    {
        // struct __user_cap_header_struct { u32 version; int pid; } + two __user_cap_data_struct.
        uint* header = stackalloc uint[2];
        header[0] = 0x20080522; // _LINUX_CAPABILITY_VERSION_3
        header[1] = 0;
        uint* data = stackalloc uint[6];
        ulong effective = (ulong)s->A, permitted = (ulong)s->B, inheritable = (ulong)s->C;
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        return Raw.Syscall(p->CapsetNr, (nint)header, (nint)data, 0, 0, 0, 0) != 0 ? Raw.Errno : 0;
    }

    /// <summary>execvp's search, done before `start` so a missing program fails `create` (as runc's does).</summary>
    private static int DoResolveExec(InitProgram* p, InitStep* s)
    {
        byte* file = s->S1;
        byte* output = p->ExecPath;
        if (s->A == 0)
        {
            int length = (int)Length(file);
            if (length >= p->ExecPathSize) return 36;
            for (int i = 0; i <= length; i++) output[i] = file[i];
            return Faccess(output) ? 0 : Raw.Errno;
        }
        int fileLength = (int)Length(file);
        byte* path = s->S2;
        int firstError = ENOENT;
        int start = 0;
        while (true)
        {
            int end = start;
            while (path[end] != 0 && path[end] != ':') end++;
            int dirLength = end - start;
            if (dirLength + 1 + fileLength < p->ExecPathSize)
            {
                int o = 0;
                if (dirLength == 0) output[o++] = (byte)'.';
                for (int i = start; i < end; i++) output[o++] = path[i];
                output[o++] = (byte)'/';
                for (int i = 0; i <= fileLength; i++) output[o++] = file[i];
                if (Faccess(output)) return 0;
                int error = Raw.Errno;
                if (error == EACCES) firstError = EACCES;
            }
            if (path[end] == 0) break;
            start = end + 1;
        }
        return firstError;
    }

    private static bool Faccess(byte* path)
    {
        // faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) and a regular file check through statx.
        if (Raw.FaccessAt(AT_FDCWD, path, 1, AT_EACCESS) != 0) return false;
        byte* statx = stackalloc byte[256];
        if (Raw.Statx(AT_FDCWD, path, 0, 1, statx) != 0) return false;
        if ((*(ushort*)(statx + 0x1c) & 0xF000) != 0x8000) { SetErrno(EACCES); return false; }
        return true;
    }
}
