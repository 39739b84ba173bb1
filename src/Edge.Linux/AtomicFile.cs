using System;
using System.IO;

namespace Edge.Linux;

/// <summary>
/// Whole-file writes that readers never see half done: write a temporary file beside the target and rename
/// it into place (refusing to replace with <c>createOnly</c>). With <c>durable</c> the data and the rename
/// are also fsynced, so a crash cannot lose them; runtime state under /run (a tmpfs, gone at reboot anyway)
/// skips that cost on every container start.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, bool createOnly = false, bool durable = true, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Environment.TickCount64:x}.tmp");
        // Plain system calls (open, write, fsync, close): a FileStream adds stats and a lock for nothing here.
        int fd = Libc.Open(temp, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.CloseOnExec, (uint)mode);
        if (fd < 0) throw new SystemCallException("create", temp, ErrnoText.Last);
        try
        {
            bool written = FdWriter.TryWriteAll(fd, content, out int errno);
            if (written && durable && Libc.FSync(fd) != 0) { written = false; errno = ErrnoText.Last; }
            Libc.Close(fd);
            fd = -1;
            if (!written) throw new SystemCallException("write", temp, errno);
            if (Libc.RenameAt2(Libc.AT_FDCWD, temp, Libc.AT_FDCWD, path, createOnly ? Libc.RENAME_NOREPLACE : 0) != 0)
            {
                errno = ErrnoText.Last;
                // Some file systems lack RENAME_NOREPLACE; link(2) gives the same "fail if it exists".
                if (errno != (int)Errno.EINVAL || !createOnly) throw new SystemCallException("rename", path, errno);
                if (Libc.Link(temp, path) != 0) throw new SystemCallException("link", path, ErrnoText.Last);
                File.Delete(temp);
            }
            temp = "";
            if (durable) SyncDirectory(directory);
        }
        finally
        {
            if (fd >= 0) Libc.Close(fd);
            if (temp.Length > 0) File.Delete(temp);
        }
    }

    /// <summary>fsync(2) of a directory makes a rename or unlink in it durable.</summary>
    public static void SyncDirectory(string directory)
    {
        int fd = Libc.Open(directory, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (fd < 0) return;
        Libc.FSync(fd);
        Libc.Close(fd);
    }
}
