using System.IO;
using Edge.Linux;

namespace Edge.Runtime.State;

/// <summary>
/// The FIFO that holds a created container at the edge of execve until `start`. The init holds it open
/// read-write and blocks reading one byte; `start` opens it write-only and non-blocking (ENXIO means no
/// init is waiting any more), writes the byte and removes it. Its presence is what "created" means.
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

    /// <summary>Releases the waiting init. False when no init is waiting on it.</summary>
    public static unsafe bool Signal(string containerDirectory)
    {
        string path = Path.Combine(containerDirectory, FileName);
        int fd = Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
        if (fd < 0)
        {
            int errno = ErrnoText.Last;
            if (errno is (int)Errno.ENXIO or (int)Errno.ENOENT) return false;
            throw new SystemCallException("open", path, errno);
        }
        byte go = 0;
        nint n = Libc.Write(fd, &go, 1);
        int writeErrno = ErrnoText.Last;
        Libc.Close(fd);
        if (n != 1) throw new SystemCallException("write", path, writeErrno);
        File.Delete(path);
        return true;
    }
}
