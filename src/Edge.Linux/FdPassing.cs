using System;

namespace Edge.Linux;

/// <summary>One file descriptor over a unix socket with SCM_RIGHTS, beside a payload (sendmsg/recvmsg).</summary>
public static unsafe partial class FdPassing
{
    // struct cmsghdr { size_t len; int level; int type; } followed by the fd; SOL_SOCKET = 1, SCM_RIGHTS = 1.
    private static readonly int HeaderSize = sizeof(nuint) + 8;
    private const int ControlSize = 32;

    /// <summary>Sends PAYLOAD with FD attached.</summary>
    public static void Send(int socket, ReadOnlySpan<byte> payload, int fd, string what)
    {
        byte* control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        *(nuint*)control = (nuint)(HeaderSize + sizeof(int)); // CMSG_LEN(sizeof(int))
        *(int*)(control + sizeof(nuint)) = 1;
        *(int*)(control + sizeof(nuint) + 4) = 1;
        *(int*)(control + HeaderSize) = fd;
        fixed (byte* data = payload)
        {
            nint* iov = stackalloc nint[2] { (nint)data, payload.Length };
            Message message = new(iov, control, HeaderSize + 8 /* CMSG_SPACE(sizeof(int)) */);
            nint n;
            do n = SendMsg(socket, &message, 0); while (n < 0 && ErrnoText.Last == (int)Errno.EINTR);
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
            nint* iov = stackalloc nint[2] { (nint)data, payload.Length };
            Message message = new(iov, control, ControlSize);
            nint n;
            // MSG_CMSG_CLOEXEC: a received fd must not leak into anything this process starts.
            do n = Libc.RecvMsg(socket, &message, 0x40000000); while (n < 0 && ErrnoText.Last == (int)Errno.EINTR);
            if (n < 0) throw new SystemCallException(what, null, ErrnoText.Last);
            if ((int)message.ControlLength >= HeaderSize + sizeof(int) && *(int*)(control + sizeof(nuint)) == 1 && *(int*)(control + sizeof(nuint) + 4) == 1)
                fd = *(int*)(control + HeaderSize);
            return (int)n;
        }
    }

    /// <summary>struct msghdr for one iovec (struct iovec { void *base; size_t length; }) and a control buffer.</summary>
    private readonly struct Message
    {
        private readonly nint _name;
        private readonly nint _nameLength;
        private readonly nint* _iov;
        private readonly nint _iovLength;
        private readonly byte* _control;
        public readonly nint ControlLength;
        private readonly nint _flags;

        public Message(nint* iov, byte* control, int controlLength)
        {
            _iov = iov;
            _iovLength = 1;
            _control = control;
            ControlLength = controlLength;
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(int fd, void* message, int flags);
}
