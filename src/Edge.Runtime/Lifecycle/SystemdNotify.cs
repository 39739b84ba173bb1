using System;
using System.Text;
using System.Threading;
using Edge.Linux;

namespace Edge.Runtime.Lifecycle;

/// <summary>How `edge run` talks to systemd's $NOTIFY_SOCKET (a Type=notify unit).</summary>
public enum NotifyMode
{
    /// <summary>No $NOTIFY_SOCKET, or told to ignore it.</summary>
    None,
    /// <summary>edge sends READY=1 itself once the container's process has started.</summary>
    Ready,
    /// <summary>The socket is passed into the container, whose application reports readiness itself.</summary>
    Container,
}

/// <summary>
/// The sd_notify protocol without libsystemd: datagrams of "KEY=VALUE" lines on the AF_UNIX socket named
/// by $NOTIFY_SOCKET (a leading '@' names an abstract socket).
/// </summary>
public static unsafe class SystemdNotify
{
    public static string? Socket => Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 } path ? path : null;

    /// <summary>Sends MESSAGE to $NOTIFY_SOCKET; a unit that is not Type=notify has none, and nothing is sent.</summary>
    public static void Send(string message)
    {
        if (Socket is not string path) return;
        int fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new SystemCallException("socket", null, ErrnoText.Last);
        try
        {
            SendTo(fd, path, Encoding.UTF8.GetBytes(message));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static void SendTo(int fd, string path, ReadOnlySpan<byte> message)
    {
        byte* address = stackalloc byte[UnixAddress.Size];
        int length = Address(path, address);
        fixed (byte* data = message)
            if (Libc.SendTo(fd, data, (nuint)message.Length, 0, address, (uint)length) < 0)
                throw new SystemCallException("notify systemd at", path, ErrnoText.Last);
    }

    /// <summary>struct sockaddr_un for PATH ('@' first: abstract); returns its length.</summary>
    private static int Address(string path, byte* address)
    {
        int length = UnixAddress.Fill(path, address, abstractAt: true);
        return length >= 0 ? length : throw new RuntimeException($"NOTIFY_SOCKET `{path}` is too long");
    }

    /// <summary>
    /// --sd-notify=container: a datagram socket at <paramref name="socketPath"/> (bind mounted into the
    /// container) whose messages are relayed to systemd as sent by edge, the unit's main process.
    /// </summary>
    public sealed class Relay : IDisposable
    {
        private readonly int _fd;
        private readonly string _target;
        private readonly Thread _thread;

        public Relay(string socketPath, string target)
        {
            _target = target;
            _fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (_fd < 0) throw new SystemCallException("socket", null, ErrnoText.Last);
            byte* address = stackalloc byte[UnixAddress.Size];
            int length = Address(socketPath, address);
            if (Libc.Bind(_fd, address, (uint)length) != 0)
            {
                int errno = ErrnoText.Last;
                Libc.Close(_fd);
                throw new SystemCallException("bind the notify socket", socketPath, errno);
            }
            _thread = new Thread(Pump) { IsBackground = true, Name = "sd-notify relay" };
            _thread.Start();
        }

        private void Pump()
        {
            byte[] buffer = new byte[4096];
            while (true)
            {
                nint n;
                fixed (byte* data = buffer) n = Libc.Recv(_fd, data, (nuint)buffer.Length, 0);
                if (n < 0 && ErrnoText.Last == (int)Errno.EINTR) continue;
                if (n <= 0) return; // closed by Dispose
                // MAINPID is edge (the unit's main process), whatever the container's own pid namespace says.
                var lines = new StringBuilder();
                foreach (string line in Encoding.UTF8.GetString(buffer, 0, (int)n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    if (!line.StartsWith("MAINPID=", StringComparison.Ordinal)) lines.Append(line).Append('\n');
                if (lines.Length == 0) continue;
                try
                {
                    int fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
                    try { SendTo(fd, _target, Encoding.UTF8.GetBytes(lines.ToString())); }
                    finally { Libc.Close(fd); }
                }
                catch (SystemCallException)
                {
                    // systemd went away or the unit stopped listening: nothing to report to.
                }
            }
        }

        public void Dispose()
        {
            Libc.Shutdown(_fd, 0 /* SHUT_RD: wakes the pump */);
            _thread.Join(1000); // before the close: the fd number must not be reused under the pump
            Libc.Close(_fd);
        }
    }
}
