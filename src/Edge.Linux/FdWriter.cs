using System;

namespace Edge.Linux;

/// <summary>
/// Whole writes to a raw file descriptor, retrying on EINTR and short writes. Used for stdout and stderr
/// instead of Console, whose terminal and signal set-up (a thread, a pipe, signal handlers) costs about a
/// millisecond at every start of the CLI.
/// </summary>
public static class FdWriter
{
    /// <summary>Writes all of <paramref name="data"/>; false (with errno) if the fd refuses it, e.g. EPIPE.</summary>
    public static unsafe bool TryWriteAll(int fd, ReadOnlySpan<byte> data, out int errno)
    {
        errno = 0;
        fixed (byte* start = data)
        {
            byte* p = start;
            nuint left = (nuint)data.Length;
            while (left > 0)
            {
                nint n = Libc.Write(fd, p, left);
                if (n < 0)
                {
                    errno = ErrnoText.Last;
                    if (errno == (int)Errno.EINTR) continue;
                    return false;
                }
                p += n;
                left -= (nuint)n;
            }
        }
        return true;
    }
}
