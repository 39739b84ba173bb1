using System;
using Edge.Linux;

namespace Edge.Runtime.Init;

/// <summary>
/// Starts the container init: clone(2) of this process straight into the init program (Native/init.c), with
/// the parent's end of a SOCK_SEQPACKET pair to talk to it.
/// </summary>
public sealed unsafe class InitProcess : IDisposable
{
    private int _socket;
    private readonly InitPlan _plan;

    private InitProcess(int pid, int socket, InitPlan plan, bool bornInCgroup)
    {
        Pid = pid;
        _socket = socket;
        _plan = plan;
        BornInCgroup = bornInCgroup;
    }

    public int Pid { get; }

    /// <summary>The child was cloned straight into the cgroup v2 directory given to <see cref="Start"/>.</summary>
    public bool BornInCgroup { get; }

    /// <summary>
    /// Clones the child with FLAGS (CLONE_NEW*) straight into the init program, and into the cgroup v2
    /// directory <paramref name="cgroupFd"/> when one is given and the kernel can (<see cref="BornInCgroup"/>).
    /// </summary>
    public static InitProcess Start(InitPlan plan, ulong flags, int joinPidNamespaceFd = -1, int cgroupFd = -1)
    {
        GcPressure.StartIfRequested();
        int* pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, pair) != 0)
            throw new SystemCallException("socketpair", null, ErrnoText.Last);
        int parentEnd = pair[0], childEnd = pair[1];
        InitProgram* program = plan.Build(childEnd);

        // To have the child born in an existing pid namespace, this thread joins it for its children only
        // (setns of a pid namespace changes pid_for_children). It is undone right after the clone: while it
        // holds, the runtime could not start a thread (CLONE_THREAD across pid namespaces is EINVAL).
        int ownPidNamespace = -1;
        if (joinPidNamespaceFd >= 0)
        {
            ownPidNamespace = Libc.Open("/proc/self/ns/pid", OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
            if (ownPidNamespace < 0 || Libc.Setns(joinPidNamespaceFd, (int)CloneFlags.NewPid) != 0)
            {
                int errno = ErrnoText.Last;
                if (ownPidNamespace >= 0) Libc.Close(ownPidNamespace);
                Libc.Close(parentEnd);
                Libc.Close(childEnd);
                throw new SystemCallException("join pid namespace", null, errno);
            }
        }

        // The clone and everything the child does happen in native code (Native/init.c): a child of the
        // multi-threaded runtime must never run managed code (docs/process-model.md).
        int intoCgroup;
        long pid = NativeInit.CloneInit(program, flags, cgroupFd, &intoCgroup);
        int cloneErrno = pid < 0 ? (int)-pid : 0;
        if (ownPidNamespace >= 0)
        {
            int restored = Libc.Setns(ownPidNamespace, (int)CloneFlags.NewPid);
            Libc.Close(ownPidNamespace);
            if (restored != 0) throw new SystemCallException("return to own pid namespace", null, ErrnoText.Last);
        }
        Libc.Close(childEnd);
        if (pid < 0)
        {
            Libc.Close(parentEnd);
            throw new SystemCallException("clone", null, cloneErrno);
        }
        return new InitProcess((int)pid, parentEnd, plan, intoCgroup != 0);
    }

    /// <summary>Lets the child continue past its WaitParent step.</summary>
    public void Release()
    {
        byte go = 1;
        if (Libc.Write(_socket, &go, 1) != 1) throw new SystemCallException("signal container init", null, ErrnoText.Last);
    }

    /// <summary>
    /// Tells the init that edge recorded the container: from now on it outlives edge (until then it dies with
    /// it, so a killed `edge create` leaves no init behind).
    /// </summary>
    public void Commit()
    {
        byte go = 1;
        if (Libc.Write(_socket, &go, 1) != 1) throw new SystemCallException("commit container init", null, ErrnoText.Last);
    }

    /// <summary>
    /// Waits for the child's report. Returns normally on Ready; throws the failing step's description with
    /// its errno; throws when the child died without a word.
    /// </summary>
    /// <param name="onSeccompListener">Given the seccomp notify fd when the profile has SCMP_ACT_NOTIFY rules,
    /// as soon as the init installed it (the init may already wait on it); it closes the fd.</param>
    public void WaitReady(Action<int>? onSeccompListener = null)
    {
        while (true)
        {
            InitMessage? message = ReadMessage(out int fd);
            if (message is { Kind: InitMessage.SeccompListener } && fd >= 0)
            {
                if (onSeccompListener is null) Libc.Close(fd);
                else onSeccompListener(fd);
                continue;
            }
            if (fd >= 0) Libc.Close(fd);
            if (message is { Kind: InitMessage.Ready }) return;
            throw new RuntimeException(message is { Kind: InitMessage.Error } error ? Describe(error) : "container init exited during set-up");
        }
    }

    /// <summary>After `start`: EOF means execve succeeded (the socket is close-on-exec); a message is its error.</summary>
    public string? WaitExec()
    {
        InitMessage? message = ReadMessage(out int fd);
        if (fd >= 0) Libc.Close(fd);
        return message is { Kind: InitMessage.Error } error ? Describe(error) : null;
    }

    /// <summary>The next message from the init (with the fd it carries, or -1), or null at end of file.</summary>
    private InitMessage? ReadMessage(out int fd)
    {
        InitMessage message;
        int n = FdPassing.Receive(_socket, new Span<byte>(&message, sizeof(InitMessage)), out fd, "read from container init");
        return n == sizeof(InitMessage) ? message : null;
    }

    private string Describe(InitMessage error) => _plan.Describe(error.Step, error.Errno, DescribeError(error.Errno));

    /// <summary>Sends the state documents the init's hooks read on stdin (see InitOp.ReceiveState).</summary>
    public void SendState(string createState, string startState)
    {
        byte[] message = System.Text.Encoding.UTF8.GetBytes(createState + "\0" + startState + "\0");
        if (message.Length >= 64 * 1024) throw new RuntimeException("container state for hooks is too large");
        fixed (byte* data = message)
            if (Libc.Write(_socket, data, (nuint)message.Length) != message.Length)
                throw new SystemCallException("send state to container init", null, ErrnoText.Last);
    }

    /// <summary>Native/init.c's code for a hook that ran past its timeout.</summary>
    public const int HookTimedOut = 1400;

    /// <summary>errno, or one of the hook results of Native/init.c (exit status, signal, timeout).</summary>
    internal static string DescribeError(int error) => error switch
    {
        1500 => "it is outside the container's root (possible container breakout)",
        1501 => "the target is inside /proc (only proc itself, and the files lxcfs emulates, may be mounted there)",
        1502 => "the container's /dev/null is not the null device (char 1:3)",
        >= 1400 => "timed out",
        >= 1300 => $"killed by signal {error - 1300}",
        >= 1000 => $"exit status {error - 1000}",
        _ => ErrnoText.Describe(error),
    };

    public void Dispose()
    {
        if (_socket >= 0) Libc.Close(_socket);
        _socket = -1;
    }
}
