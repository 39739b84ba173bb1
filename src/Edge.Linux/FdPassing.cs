using System;

namespace Edge.Linux;

/// <summary>One file descriptor over a unix socket with SCM_RIGHTS, beside a payload (sendmsg/recvmsg).</summary>
public static unsafe partial class FdPassing
{
    // struct msghdr { void *name; socklen_t namelen; struct iovec *iov; size_t iovlen; void *control; size_t controllen; int flags; }
    // struct cmsghdr { size_t len; int level; int type; } followed by the fd; SOL_SOCKET = 1, SCM_RIGHTS = 1.
    private const int ControlSize = 32;

    /// <summary>Sends PAYLOAD with FD attached.</summary>
    public static void Send(int socket, ReadOnlySpan<byte> payload, int fd, string what)
    {
        byte* control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        *(nuint*)control = (nuint)(sizeof(nuint) + 8 + sizeof(int)); // CMSG_LEN(sizeof(int))
        *(int*)(control + sizeof(nuint)) = 1;
        *(int*)(control + sizeof(nuint) + 4) = 1;
        *(int*)(control + sizeof(nuint) + 8) = fd;
        fixed (byte* data = payload)
        {
            nint* iov = stackalloc nint[2];
            iov[0] = (nint)data;
            iov[1] = payload.Length;
            nint* message = stackalloc nint[7];
            message[0] = 0; message[1] = 0; message[2] = (nint)iov; message[3] = 1;
            message[4] = (nint)control; message[5] = sizeof(nuint) + 8 + 8; /* CMSG_SPACE(sizeof(int)) */ message[6] = 0;
            nint n;
            do n = SendMsg(socket, message, 0); while (n < 0 && ErrnoText.Last == (int)Errno.EINTR);
            if (n < 0) throw new SystemCallException(what, null, ErrnoText.Last);
        }
    }

    /// <summary>Receives one message into PAYLOAD; FD is the attached descriptor or -1. Returns the payload length, 0 at end of file.</summary>
    public static int Receive(int socket, Span<byte> payload, out int fd, string what)
    {
        fd = -1;
        byte* control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        fixed (byte* data = payload)
        {
            nint* iov = stackalloc nint[2];
            iov[0] = (nint)data;
            iov[1] = payload.Length;
            nint* message = stackalloc nint[7];
            message[0] = 0; message[1] = 0; message[2] = (nint)iov; message[3] = 1; message[4] = (nint)control; message[5] = ControlSize; message[6] = 0;
            nint n;
            // MSG_CMSG_CLOEXEC: a received fd must not leak into anything this process starts.
            do n = Libc.RecvMsg(socket, message, 0x40000000); while (n < 0 && ErrnoText.Last == (int)Errno.EINTR);
            if (n < 0) throw new SystemCallException(what, null, ErrnoText.Last);
            if (message[5] >= sizeof(nuint) + 8 + sizeof(int) && *(int*)(control + sizeof(nuint)) == 1 && *(int*)(control + sizeof(nuint) + 4) == 1)
                fd = *(int*)(control + sizeof(nuint) + 8);
            return (int)n;
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(int fd, void* message, int flags);
}
