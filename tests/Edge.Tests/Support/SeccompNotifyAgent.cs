using System;
using System.IO;
using System.Net.Sockets;
using System.Text;

namespace Edge.Tests.Support;

/// <summary>
/// A seccomp agent for the tests: listens on a unix socket (linux.seccomp.listenerPath), receives the
/// container process state and the notify fd (with edge's own FdPassing), and answers every notification with ERRNO.
/// </summary>
public sealed unsafe class SeccompNotifyAgent : IDisposable
{
    private readonly TempDir _dir = new("edge-agent");
    private readonly Socket _listener;

    public SeccompNotifyAgent(int answerErrno)
    {
        SocketPath = Path.Combine(_dir.Path, "agent.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
        _thread = new System.Threading.Thread(() => Serve(answerErrno)) { IsBackground = true };
        _thread.Start();
    }

    public string SocketPath { get; }

    /// <summary>The state document received with the fd, and the syscall numbers the agent answered.</summary>
    public string? State { get; private set; }
    public System.Collections.Generic.List<int> Syscalls { get; } = new();
    private readonly System.Threading.Thread _thread;

    /// <summary>Waits until the filter's processes are gone (the notify fd reports it).</summary>
    public bool WaitDone(int milliseconds) => _thread.Join(milliseconds);

    private void Serve(int answerErrno)
    {
        using Socket connection = _listener.Accept();
        byte[] payload = new byte[65536];
        int length = Edge.Linux.FdPassing.Receive((int)connection.Handle, payload, out int fd, "receive the seccomp fd");
        State = Encoding.UTF8.GetString(payload, 0, length);
        if (fd < 0) return;
        try
        {
            // struct seccomp_notif (80 bytes) and struct seccomp_notif_resp (24 bytes).
            byte* notif = stackalloc byte[80];
            byte* resp = stackalloc byte[24];
            while (true)
            {
                new Span<byte>(notif, 80).Clear();
                if (Edge.Linux.Libc.Ioctl(fd, 0xc0502100 /* SECCOMP_IOCTL_NOTIF_RECV */, notif) != 0) return; // the filter's processes are gone
                lock (Syscalls) Syscalls.Add(*(int*)(notif + 16));
                new Span<byte>(resp, 24).Clear();
                *(ulong*)resp = *(ulong*)notif; // id
                *(int*)(resp + 16) = -answerErrno;
                Edge.Linux.Libc.Ioctl(fd, 0xc0182101 /* SECCOMP_IOCTL_NOTIF_SEND */, resp);
            }
        }
        finally
        {
            Edge.Linux.Libc.Close(fd);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Dispose();
    }
}
