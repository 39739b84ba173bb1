using System.Runtime.InteropServices;

namespace Edge.Runtime.Init;

/// <summary>One operation of the container init program. The parent resolves everything (paths, flags,
/// numbers) so the child only issues system calls.</summary>
public enum InitOp
{
    SetDumpable,    // A = 0|1: prctl(PR_SET_DUMPABLE); 0 hides /proc/PID/exe of edge from the container
    SetNs,          // A = fd, B = nstype
    WaitParent,     // block until the parent has written id maps and placed us in cgroups
    Unshare,        // A = flags (the cgroup namespace, after cgroup placement)
    SetRootIds,     // setresgid/setresuid(0) inside a new user namespace
    SetHostname,    // S1 = name
    SetDomainname,  // S1 = name
    MountPropagation, // A = flags applied recursively to "/"
    BindRootfs,     // S1 = absolute rootfs path: bind it onto itself so it is a mount point
    OpenRoot,       // S1 = absolute rootfs path
    Mount,          // S1 source, S2 target (relative, clean), S3 fstype, S4 data, A flags, B propagation, C 1=file target, D 1=bind with remount flags
    Mknod,          // S2 target, A mode (with type), B dev, C uid, D gid
    BindDevice,     // S1 host device path, S2 target
    Symlink,        // S1 link text, S2 link path
    PivotRoot,      // pivot_root(".", ".") in the rootfs, then detach the old root
    MoveRoot,       // --no-pivot: MS_MOVE the rootfs onto / and chroot
    WriteFile,      // S1 absolute path, S2 content, A length (sysctls)
    MaskPath,       // S2 target: read-only tmpfs over a directory, the container's verified /dev/null over a file
    ReadonlyPath,   // S2 target
    RemountRootReadonly,
    Chmod,          // S2 directory inside the root, A mode
    Console,        // A = console socket fd, B = rows, C = columns
    Setsid,
    Rlimit,         // A resource, B soft, C hard
    Umask,          // A mask
    DropBounding,   // A = 64-bit set to keep, B = last capability number
    KeepCaps,       // A = 0|1
    SetGroups,      // S1 = gid_t[] (uint), A = count
    SetIds,         // A uid, B gid
    Capset,         // A effective, B permitted, C inheritable
    AmbientRaise,   // A = 64-bit set
    NoNewPrivileges,
    Chdir,          // S1 = path
    CloseFrom,      // A = first fd marked close-on-exec
    ResolveExec,    // S1 = argv[0], S2 = PATH, A = 1 when a search is needed
    Ready,          // tell the parent set-up is complete
    WaitStart,      // A = exec fifo fd: block until `start` writes to it
    Exec,           // S1 = argv (byte**), S2 = envp (byte**)
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct InitStep
{
    public InitOp Op;
    public int Reserved;
    public long A, B, C, D;
    public byte* S1, S2, S3, S4;
}

/// <summary>The program header: steps plus the numbers and buffers the child needs.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct InitProgram
{
    public InitStep* Steps;
    public int Count;
    public int SyncFd;
    public int PivotRootNr, CapsetNr, SetgroupsNr, SetresuidNr, SetresgidNr;
    /// <summary>open(2) O_DIRECTORY and O_NOFOLLOW for this architecture.</summary>
    public int ODirectory, ONoFollow;
    /// <summary>The executable found by ResolveExec (points into ExecPath).</summary>
    public byte* ExecPath;
    public int ExecPathSize;
}

/// <summary>What the child sends on the sync socket: Ready, or Error with the failing step and errno.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct InitMessage
{
    public const int Ready = 1, Error = 2;
    public int Kind;
    public int Step;
    public int Errno;
}
