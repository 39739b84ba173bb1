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
        byte* address = stackalloc byte[UnixAddress.Size];
        int length = UnixAddress.Fill(path, address);
        if (length < 0) throw new RuntimeException($"{what} path `{path}` is too long");
        int fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new SystemCallException("socket", null, ErrnoText.Last);
        if (Libc.Connect(fd, address, (uint)length) != 0)
        {
            int errno = ErrnoText.Last;
            Libc.Close(fd);
            throw new SystemCallException("connect to " + what, path, errno);
        }
        return fd;
    }
}
