using System;

namespace Edge.Linux;

/// <summary>
/// A flock(2) on a lock file, created if missing: shared or exclusive, blocking or not. Released on
/// dispose, and by the kernel if the process dies, so a kill -9 never leaves a lock behind.
/// </summary>
public sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    /// <summary>Waits for the lock. <paramref name="shared"/> lets other shared holders in.</summary>
    public static FileLock Acquire(string path, bool shared = false) => TryAcquire(path, shared, wait: true)!;

    /// <summary>Null when <paramref name="wait"/> is false and someone else holds a conflicting lock.</summary>
    public static FileLock? TryAcquire(string path, bool shared, bool wait)
    {
        int fd = Libc.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.CloseOnExec, 0x180);
        if (fd < 0) throw new SystemCallException("open", path, ErrnoText.Last);
        return Lock(fd, path, shared, wait);
    }

    /// <summary>An exclusive lock on a directory itself (no lock file); open's errno is thrown as is.</summary>
    public static FileLock OnDirectory(string directory)
    {
        int fd = Libc.Open(directory, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (fd < 0) throw new SystemCallException("open", directory, ErrnoText.Last);
        return Lock(fd, directory, shared: false, wait: true)!;
    }

    /// <summary>The exclusive lock on a directory if nobody holds it; null when held or when the directory is gone.</summary>
    public static FileLock? TryOnDirectory(string directory)
    {
        int fd = Libc.Open(directory, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (fd < 0) return null;
        return Lock(fd, directory, shared: false, wait: false);
    }

    private static FileLock? Lock(int fd, string path, bool shared, bool wait)
    {
        int operation = (shared ? Libc.LOCK_SH : Libc.LOCK_EX) | (wait ? 0 : Libc.LOCK_NB);
        while (Libc.Flock(fd, operation) != 0)
        {
            int errno = ErrnoText.Last;
            if (errno == (int)Errno.EINTR) continue;
            Libc.Close(fd);
            if (errno == (int)Errno.EAGAIN) return null;
            throw new SystemCallException("flock", path, errno);
        }
        return new FileLock(fd);
    }

    /// <summary>
    /// Unlocks explicitly before closing: a process cloned while the lock was held shares the open file
    /// description (and so the lock) until it execs or exits, and a plain close would leave it locked.
    /// </summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        Libc.Flock(_fd, Libc.LOCK_UN);
        Libc.Close(_fd);
        _fd = -1;
    }
}
