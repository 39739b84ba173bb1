using System.IO;
using Edge.Linux;

namespace Edge.Runtime.State;

/// <summary>
/// The FIFO that holds a created container at the edge of execve until `start`. The init holds it open
/// read-write (close-on-exec) and blocks reading one byte; `start` opens it write-only and non-blocking
/// (ENXIO means no init is waiting any more), writes the byte, removes it and waits for the init's execve.
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
    /// Releases the waiting init and returns once it has gone through execve (or died), so that poststart
    /// hooks run after the container's process is executed, as the spec says: the init's end of the FIFO is
    /// close-on-exec, and a reader opened before the releasing writer sees POLLHUP when the last writer goes.
    /// The init still runs startContainer hooks on the way, so the wait is bounded by <paramref name="execTimeoutMs"/>.
    /// False when no init is waiting on the FIFO.
    /// </summary>
    public static unsafe bool Signal(string containerDirectory, int execTimeoutMs = 10_000)
    {
        string path = Path.Combine(containerDirectory, FileName);
        // A write-only open fails with ENXIO when nobody has the FIFO open for reading: no init is waiting.
        int probe = Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
        if (probe < 0)
        {
            int errno = ErrnoText.Last;
            if (errno is (int)Errno.ENXIO or (int)Errno.ENOENT) return false;
            throw new SystemCallException("open", path, errno);
        }
        int watch = Libc.Open(path, OpenFlags.ReadOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
        int watchErrno = ErrnoText.Last;
        int fd = watch < 0 ? -1 : Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
        int openErrno = ErrnoText.Last;
        Libc.Close(probe);
        try
        {
            if (watch < 0) throw new SystemCallException("open", path, watchErrno);
            if (fd < 0) throw new SystemCallException("open", path, openErrno);
            byte go = 0;
            nint n = Libc.Write(fd, &go, 1);
            int writeErrno = ErrnoText.Last;
            Libc.Close(fd);
            fd = -1;
            if (n != 1) throw new SystemCallException("write", path, writeErrno);
            File.Delete(path);
            WaitForNoWriters(watch, execTimeoutMs);
            return true;
        }
        finally
        {
            if (fd >= 0) Libc.Close(fd);
            if (watch >= 0) Libc.Close(watch);
        }
    }

    /// <summary>Blocks until the FIFO's last writer is gone (POLLHUP; no events asked, so the byte does not wake it).</summary>
    private static unsafe void WaitForNoWriters(int watch, int timeoutMs)
    {
        long deadline = System.Environment.TickCount64 + timeoutMs;
        var poll = new Libc.PollFd { Fd = watch, Events = 0 };
        while (true)
        {
            int left = (int)System.Math.Max(0, deadline - System.Environment.TickCount64);
            // Hung up, timed out, or an error other than a signal: either way start goes on.
            if (Libc.Poll(&poll, 1, left) >= 0 || ErrnoText.Last != (int)Errno.EINTR || left == 0) return;
        }
    }
}
