using System;
using System.Text;
using Edge.Linux;

namespace Edge.Runtime.Lifecycle;

/// <summary>--console-socket: a unix stream socket on which the caller waits for the terminal's master fd (also used for seccomp's listenerPath).</summary>
public static class ConsoleSocket
{
    /// <summary>Connects when PATH is given (adding the fd to OPENED), else returns -1.</summary>
    public static int ConnectIfGiven(string? path, System.Collections.Generic.List<int> opened)
    {
        if (string.IsNullOrEmpty(path)) return -1;
        int fd = Connect(path);
        opened.Add(fd);
        return fd;
    }

    public static unsafe int Connect(string path, string what = "console socket")
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= 108) throw new RuntimeException($"{what} path `{path}` is too long");
        int fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new SystemCallException("socket", null, ErrnoText.Last);
        // struct sockaddr_un { sa_family_t family; char path[108]; }
        byte* address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = (ushort)Libc.AF_UNIX;
        name.CopyTo(new Span<byte>(address + 2, 108));
        if (Libc.Connect(fd, address, (uint)(2 + name.Length + 1)) != 0)
        {
            int errno = ErrnoText.Last;
            Libc.Close(fd);
            throw new SystemCallException("connect to " + what, path, errno);
        }
        return fd;
    }
}
