using System;
using Edge.Linux;

namespace Edge.Containers;

/// <summary>A detached container's standard streams: nothing to read, and its output in a log file.</summary>
internal static class DetachedOutput
{
    /// <summary>
    /// Runs <paramref name="action"/> with fd 0 on /dev/null and fds 1 and 2 on <paramref name="log"/> (appended,
    /// mode 0644), then puts edge's own back: the container's init inherits the three as they are when it is created.
    /// </summary>
    public static int With(string log, Func<int> action)
    {
        int logFd = Libc.Open(log, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0x1A4);
        if (logFd < 0) throw new SystemCallException("open", log, ErrnoText.Last);
        int nullFd = Libc.Open("/dev/null", OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
        int[] saved = { Libc.Dup(0), Libc.Dup(1), Libc.Dup(2) };
        try
        {
            Libc.Dup3(nullFd, 0, 0);
            Libc.Dup3(logFd, 1, 0);
            Libc.Dup3(logFd, 2, 0);
            return action();
        }
        finally
        {
            for (int fd = 0; fd < 3; fd++)
            {
                if (saved[fd] < 0) continue;
                Libc.Dup3(saved[fd], fd, 0);
                Libc.Close(saved[fd]);
            }
            Libc.Close(logFd);
            if (nullFd >= 0) Libc.Close(nullFd);
        }
    }
}
