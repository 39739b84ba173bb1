using System;
using System.Collections.Generic;
using System.IO;
using Edge.Linux;

namespace Edge.Runtime.Cgroups;

/// <summary>
/// How a container's process enters its cgroup without the kernel's global lock. Writing a pid to
/// cgroup.procs write-locks cgroup_threadgroup_rwsem, and the first writer after a quiet spell waits a whole
/// RCU grace period: 7-12 ms per `run` measured on a 2-core VM, half of `run`'s time (bench/results/size.md,
/// "Twelfth round"). Two ways take no such lock:
/// - v1: a single-threaded process that writes "0" to a hierarchy's `tasks` file moves only itself, under
///   cgroup_mutex alone. The init is one thread (a clone), so it does that as its first step (InitOp.JoinCgroup)
///   through the fds opened here, before it joins or makes any namespace;
/// - v2: clone3(CLONE_INTO_CGROUP) starts the init in its cgroup (Linux 5.7).
/// Whatever neither covers (a directory that could not be opened, a kernel without CLONE_INTO_CGROUP) is moved
/// by the parent's cgroup.procs write, as before, so its errors read as they always did.
/// </summary>
public sealed class CgroupJoin : IDisposable
{
    private CgroupJoin() { }

    /// <summary>v1 hierarchies: each directory with its `tasks` file open for writing (close-on-exec).</summary>
    public List<(string Directory, int Fd)> Tasks { get; } = new();

    /// <summary>The v2 directory, open for CLONE_INTO_CGROUP, or -1.</summary>
    public int IntoCgroupFd { get; private set; } = -1;

    private string? _intoDirectory;
    private readonly List<string> _byParent = new();

    /// <summary>Opens what the init needs to join DIRECTORIES (one per hierarchy) by itself.</summary>
    public static CgroupJoin Open(IReadOnlyList<string> directories)
    {
        var join = new CgroupJoin();
        foreach (string dir in directories)
        {
            int tasks = Libc.Open(Path.Combine(dir, "tasks"), OpenFlags.WriteOnly | OpenFlags.CloseOnExec, 0);
            if (tasks >= 0)
            {
                join.Tasks.Add((dir, tasks));
                continue;
            }
            // No `tasks`: a v2 directory (at most one: the unified hierarchy), or one that is not there, which
            // the parent's write then reports.
            int errno = ErrnoText.Last;
            if (errno == (int)Errno.ENOENT && join.IntoCgroupFd < 0)
            {
                int fd = Libc.Open(dir, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
                if (fd >= 0)
                {
                    join.IntoCgroupFd = fd;
                    join._intoDirectory = dir;
                    continue;
                }
            }
            join._byParent.Add(dir);
        }
        return join;
    }

    /// <summary>
    /// After the clone: the parent moves PID into what the init could not join itself (the v2 directory when
    /// the clone was not <paramref name="bornInCgroup"/>).
    /// </summary>
    public void Finish(int pid, bool bornInCgroup)
    {
        var rest = new List<string>(_byParent);
        if (_intoDirectory is not null && !bornInCgroup) rest.Add(_intoDirectory);
        if (rest.Count > 0) new Cgroup(rest, unified: false).AddProcess(pid);
    }

    /// <summary>Closes the parent's copies of the fds (the init closes its own after writing).</summary>
    public void Dispose()
    {
        foreach ((string _, int fd) in Tasks) Libc.Close(fd);
        Tasks.Clear();
        if (IntoCgroupFd >= 0) Libc.Close(IntoCgroupFd);
        IntoCgroupFd = -1;
    }
}
