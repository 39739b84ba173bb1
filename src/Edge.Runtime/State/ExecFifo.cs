using System.IO;
using Edge.Linux;
using Microsoft.Win32.SafeHandles;

namespace Edge.Runtime.State;

/// <summary>
/// The FIFO that holds a created container at the edge of execve until `start`. The init holds it open
/// read-write (close-on-exec) and blocks reading one byte; `start` opens it write-only and non-blocking
/// (ENXIO means no init is waiting any more), writes the byte and removes it, then waits for the init's execve.
/// Its presence is what "created" means.
/// </summary>
public static class ExecFifo
{
    public const string FileName = "exec.fifo";

    /// <summary>Creates the FIFO and returns an O_RDWR fd for the init to inherit (close-on-exec).</summary>
    public static int CreateForInit(string containerDirectory)
    {
        string path = Path.Combine(containerDirectory, FileName);
        if (Libc.MkFifo(path, 0x180 /* 0600 */) != 0) throw new SystemCallException("mkfifo", path, ErrnoText.Last);
        int fd = Libc.Open(path, OpenFlags.ReadWrite | OpenFlags.CloseOnExec, 0);
        if (fd < 0) throw new SystemCallException("open", path, ErrnoText.Last);
        return fd;
    }

    /// <summary>
    /// Releases the waiting init and removes the FIFO. Returns a reader of it for <see cref="WaitForExec"/>,
    /// or null when no init is waiting on the FIFO.
    /// </summary>
    public static unsafe SafeFileHandle? Release(string containerDirectory)
    {
        string path = Path.Combine(containerDirectory, FileName);
        // A write-only open fails with ENXIO when nobody has the FIFO open for reading: no init is waiting.
        int probe = Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
        if (probe < 0)
        {
            int errno = ErrnoText.Last;
            if (errno is (int)Errno.ENXIO or (int)Errno.ENOENT) return null;
            throw new SystemCallException("open", path, errno);
        }
        int watch = -1, fd = -1;
        try
        {
            // The reader is opened before the writer that releases the init: only a writer that came after a
            // reader's open makes its going a hang-up for that reader (pipe(7)), which WaitForExec waits for.
            watch = Libc.Open(path, OpenFlags.ReadOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
            if (watch < 0) throw new SystemCallException("open", path, ErrnoText.Last);
            fd = Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
            if (fd < 0) throw new SystemCallException("open", path, ErrnoText.Last);
            byte go = 0;
            if (Libc.Write(fd, &go, 1) != 1) throw new SystemCallException("write", path, ErrnoText.Last);
            File.Delete(path);
            var released = new SafeFileHandle(watch, ownsHandle: true);
            watch = -1;
            return released;
        }
        finally
        {
            Libc.Close(probe);
            if (fd >= 0) Libc.Close(fd);
            if (watch >= 0) Libc.Close(watch);
        }
    }

    /// <summary>
    /// Returns once the released init has gone through execve (or died), so that poststart hooks run after the
    /// container's process is executed, as the spec says: the init's end of the FIFO is close-on-exec, so the
    /// reader from <see cref="Release"/> then sees POLLHUP (no events are asked, so the byte does not wake it).
    /// The init still runs startContainer hooks on the way, so the wait is bounded by <paramref name="timeoutMs"/>.
    /// </summary>
    public static unsafe void WaitForExec(SafeFileHandle released, int timeoutMs = 10_000)
    {
        long deadline = System.Environment.TickCount64 + timeoutMs;
        var poll = new Libc.PollFd { Fd = (int)released.DangerousGetHandle(), Events = 0 };
        while (true)
        {
            int left = (int)System.Math.Max(0, deadline - System.Environment.TickCount64);
            // Hung up, timed out, or an error other than a signal: either way start goes on.
            if (Libc.Poll(&poll, 1, left) >= 0 || ErrnoText.Last != (int)Errno.EINTR || left == 0) return;
        }
    }
}
