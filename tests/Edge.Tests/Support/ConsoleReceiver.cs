using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;

namespace Edge.Tests.Support;

/// <summary>
/// The receiving end of --console-socket, as containerd's shim and conmon implement it: a unix stream
/// socket that accepts one connection and receives the terminal master fd with SCM_RIGHTS.
/// </summary>
public sealed unsafe class ConsoleReceiver : IDisposable
{
    private readonly int _listener;
    private readonly TempDir _dir = new("edge-console-");

    public ConsoleReceiver()
    {
        SocketPath = _dir.Combine("console.sock");
        _listener = socket(1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | 0x80000, 0);
        byte* address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = 1;
        System.Text.Encoding.UTF8.GetBytes(SocketPath).CopyTo(new Span<byte>(address + 2, 107));
        if (bind(_listener, address, 110) != 0 || listen(_listener, 1) != 0)
            throw new IOException("console socket: errno " + Marshal.GetLastPInvokeError());
    }

    public string SocketPath { get; }

    /// <summary>Accepts the runtime's connection and returns the master end of the container's terminal.</summary>
    public Task<(FileStream Master, string Name)> ReceiveAsync() => Task.Run(() =>
    {
        int connection = accept4(_listener, null, null, 0x80000);
        if (connection < 0) throw new IOException("accept: errno " + Marshal.GetLastPInvokeError());
        byte* name = stackalloc byte[256];
        nint* iov = stackalloc nint[2];
        iov[0] = (nint)name;
        iov[1] = 256;
        byte* control = stackalloc byte[64];
        nint* message = stackalloc nint[7];
        message[0] = 0; message[1] = 0; message[2] = (nint)iov; message[3] = 1; message[4] = (nint)control; message[5] = 64; message[6] = 0;
        nint n = recvmsg(connection, message, 0);
        close(connection);
        if (n < 0) throw new IOException("recvmsg: errno " + Marshal.GetLastPInvokeError());
        if (*(int*)(control + 8) != 1 || *(int*)(control + 12) != 1) throw new IOException("no SCM_RIGHTS message");
        int fd = *(int*)(control + 16);
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        return (new FileStream(handle, FileAccess.ReadWrite, 1), System.Text.Encoding.UTF8.GetString(name, (int)n));
    });

    public void Dispose()
    {
        close(_listener);
        _dir.Dispose();
    }

    [DllImport("libc", SetLastError = true)] private static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] private static extern int bind(int fd, byte* address, uint length);
    [DllImport("libc", SetLastError = true)] private static extern int listen(int fd, int backlog);
    [DllImport("libc", SetLastError = true)] private static extern int accept4(int fd, byte* address, uint* length, int flags);
    [DllImport("libc", SetLastError = true)] private static extern nint recvmsg(int fd, nint* message, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}
