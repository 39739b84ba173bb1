using System.Runtime.InteropServices;

namespace Edge.Runtime.Init;

/// <summary>One operation of the container init program. The parent resolves everything (paths, flags,
/// numbers) so the child only issues system calls. The numbers are shared with Native/init.c.</summary>
public enum InitOp
{
    SetDumpable = 0,    // A = 0|1: prctl(PR_SET_DUMPABLE); 0 hides /proc/PID/{exe,root,fd} of edge from the container
    SetNs = 1,          // A = fd, B = nstype
    WaitParent = 2,     // block until the parent has written id maps and placed us in cgroups
    Unshare = 3,        // A = flags (the cgroup namespace, after cgroup placement)
    SetRootIds = 4,     // setresgid/setresuid(0) inside a new user namespace
    SetHostname = 5,    // S1 = name
    SetDomainname = 6,  // S1 = name
    MountPropagation = 7, // A = propagation flags (MS_REC: recursive) for S1, or "/" without S1
    BindRootfs = 8,     // S1 = absolute rootfs path: bind it onto itself so it is a mount point
    OpenRoot = 9,       // S1 = absolute rootfs path
    Mount = 10,          // S1 source, S2 target (relative, clean), S3 fstype, S4 data, A flags, B propagation,
                         // C bit 0 file target, bit 1 tmpcopyup, bits 32.. recursive attributes to clear;
                         // D bit 0 bind with remount flags, bits 32.. recursive attributes to set
    Mknod = 11,          // S2 target, A mode (with type), B dev, C uid, D gid
    BindDevice = 12,     // S1 host device path, S2 target
    Symlink = 13,        // S1 link text, S2 link path
    PivotRoot = 14,      // pivot_root(".", ".") in the rootfs, then detach the old root
    MoveRoot = 15,       // --no-pivot: MS_MOVE the rootfs onto / and chroot
    ProcWrite = 16,      // S1 path under the procfs handle ("self/..." is the init's own), S2 content, A length
    MaskPath = 17,       // S2 target: read-only tmpfs over a directory, the container's verified /dev/null over a file
    ReadonlyPath = 18,   // S2 target
    RemountRootReadonly = 19,
    Chmod = 20,          // S2 directory inside the root, A mode
    Console = 21,        // A = console socket fd, B = rows, C = columns
    Setsid = 22,
    Rlimit = 23,         // A resource, B soft, C hard
    Umask = 24,          // A mask
    DropBounding = 25,   // A = 64-bit set to keep, B = last capability number
    KeepCaps = 26,       // A = 0|1
    SetGroups = 27,      // S1 = gid_t[] (uint), A = count
    SetIds = 28,         // A uid, B gid
    Capset = 29,         // A effective, B permitted, C inheritable
    AmbientRaise = 30,   // A = 64-bit set
    NoNewPrivileges = 31,
    Chdir = 32,          // S1 = path inside the root; A = 0 first try (as root), 1 after setuid
    CloseFds = 33,       // close every fd but the plan's: A = 0 those for set-up, 1 those until execve; B = 1 keep the root's fd
    ResolveExec = 34,    // S1 = argv[0], S2 = PATH, A = 1 when a search is needed
    Ready = 35,          // tell the parent set-up is complete
    WaitStart = 36,      // A = exec fifo fd: block until `start` writes to it
    Exec = 37,           // S1 = the stub's argv ("edge-exec", fd, step, path, then process.args), S2 = envp
    TimeNamespace = 38,  // S1 = timens_offsets text: unshare(CLONE_NEWTIME) and set the clock offsets
    SessionKeyring = 39, // S1 = keyring name: join a new session keyring
    ReceiveState = 40,   // read the hooks' state documents from the parent
    Hook = 41,           // S1 path, S2 the stub's argv (as Exec), S3 envp, A timeout (s), B 0 = createContainer state, 1 = startContainer state
    Seccomp = 42,        // S1 = struct sock_filter[A], B = SECCOMP_FILTER_FLAG_*, C = 1: with a notify listener
    IdmapMount = 43,     // S1 source, S2 target, A flags (MS_REC: recursive), B user namespace fd, C 1=file target, D 1=remount with flags
    ParentDeathSignal = 44, // A = signal (0: none): PR_SET_PDEATHSIG, failing if the parent is already gone
    OpenProc = 45,       // the procfs handle every procfs write and mount path goes through
    Commit = 46,         // wait for the parent's commit, then stop dying with it
    Chroot = 47,         // no mount namespace: chroot(2) into the root (never pivot_root the host's mounts)
    MakeDirectory = 48,  // S2 = directory inside the root, created with its parents (process.cwd)
    LoopbackUp = 49,     // bring `lo` up in the container's new network namespace
    DefaultHome = 50,    // S1 = the process's envp, B = its entry to set to HOME=(uid A's home in /etc/passwd, else /)
    JoinCgroup = 51,     // A = fd of a cgroup v1 `tasks` file: write "0" (the init's one thread moves itself), close it
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
    /// <summary>The executable found by ResolveExec (points into ExecPath).</summary>
    public byte* ExecPath;
    public int ExecPathSize;
    /// <summary>Filled by ReceiveState: "create state JSON\0start state JSON\0".</summary>
    public byte* State;
    public int StateSize;
    /// <summary>Inherited fds the init keeps (sorted): during set-up, and until execve (CloseFds).</summary>
    public int* KeepSetup;
    public int KeepSetupCount;
    public int KeepExecCount;
    public int* KeepExec;
    /// <summary>Filled in natively: the sealed exec stub (edge_clone_init) and the procfs handle (OpenProc).</summary>
    public int StubFd;
    public int ProcFd;
    /// <summary>1: the init resolves paths in the root with its component walk even where openat2 exists (EDGE_NO_OPENAT2=1, tests).</summary>
    public int NoOpenat2;
}

/// <summary>What the child sends on the sync socket: Ready, or Error with the failing step and errno.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct InitMessage
{
    public const int Ready = 1, Error = 2, SeccompListener = 3;
    public int Kind;
    public int Step;
    public int Errno;
}
