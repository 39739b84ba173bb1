using System;
using System.IO;
using System.Threading;
using Edge.Linux;
using Microsoft.Win32.SafeHandles;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// `run` in the foreground of a container with process.terminal and no --console-socket, as runc does it:
/// edge is its own console socket, receives the terminal's master, and copies between it and its stdio,
/// with the caller's terminal (when there is one) in raw mode and its size given to the container.
/// </summary>
public sealed unsafe class TerminalProxy : IDisposable
{
    private const nuint TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
    private readonly int _ours;
    private FileStream? _master;
    private byte[]? _savedTermios;
    private Thread? _output;

    private TerminalProxy(int ours, int theirs)
    {
        _ours = ours;
        ContainerEnd = theirs;
    }

    /// <summary>The fd the container init sends the master to (pass it as the console socket).</summary>
    public int ContainerEnd { get; private set; }

    public static TerminalProxy Create()
    {
        int* pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) != 0)
            throw new SystemCallException("socketpair", null, ErrnoText.Last);
        return new TerminalProxy(pair[0], pair[1]);
    }

    /// <summary>Receives the master (after the init reported ready) and starts copying.</summary>
    public void Start()
    {
        Libc.Close(ContainerEnd);
        ContainerEnd = -1;
        int master = ReceiveFd(_ours);
        _master = new FileStream(new SafeFileHandle(master, ownsHandle: true), FileAccess.ReadWrite, 1);

        if (Libc.IsATty(0) == 1)
        {
            ushort* size = stackalloc ushort[4];
            if (Libc.Ioctl(0, TIOCGWINSZ, size) == 0) Libc.Ioctl(master, TIOCSWINSZ, size);
            byte[] termios = new byte[256];
            fixed (byte* t = termios)
            {
                if (Libc.TcGetAttr(0, t) == 0)
                {
                    _savedTermios = (byte[])termios.Clone();
                    Libc.CfMakeRaw(t);
                    Libc.TcSetAttr(0, 0 /* TCSANOW */, t);
                }
            }
        }

        // Plain streams over fds 0 and 1: Console's own terminal handling would put the caller's terminal
        // back into cooked mode behind our back.
        FileStream masterStream = _master;
        var stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        var stdin = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
        _output = new Thread(() => Copy(masterStream, stdout)) { IsBackground = true, Name = "tty-out" };
        _output.Start();
        new Thread(() => Copy(stdin, masterStream)) { IsBackground = true, Name = "tty-in" }.Start();
    }

    /// <summary>Waits (bounded) for the container's last output to be copied after it exited.</summary>
    public void Drain() => _output?.Join(TimeSpan.FromSeconds(2));

    private static void Copy(Stream from, Stream to)
    {
        byte[] buffer = new byte[8192];
        try
        {
            int n;
            while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
            {
                to.Write(buffer, 0, n);
                to.Flush();
            }
        }
        catch (IOException)
        {
            // EIO from the master once the container's side is closed: the end of its output.
        }
    }

    private static int ReceiveFd(int socket)
    {
        Span<byte> name = stackalloc byte[64];
        FdPassing.Receive(socket, name, out int fd, "receive the terminal");
        return fd >= 0 ? fd : throw new RuntimeException("the container init sent no terminal");
    }

    public void Dispose()
    {
        if (_savedTermios is not null)
            fixed (byte* t = _savedTermios) Libc.TcSetAttr(0, 0, t);
        if (ContainerEnd >= 0) Libc.Close(ContainerEnd);
        Libc.Close(_ours);
        _master?.Dispose();
    }
}
