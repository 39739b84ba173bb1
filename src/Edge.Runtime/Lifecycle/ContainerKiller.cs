using Edge.Linux;
using Edge.Runtime.Cgroups;
using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>`kill [--all] ID [SIGNAL]`. Error texts match runc's, which containerd's shim matches on.</summary>
public static class ContainerKiller
{
    public static void Kill(ContainerStore store, string id, string signalText, bool all)
    {
        int signal = Signals.Parse(signalText);
        if (signal < 0) throw new RuntimeException($"unknown signal \"{signalText}\"");
        string dir = store.DirectoryOf(id);
        using (store.Lock(id))
        {
            ContainerRecord record = store.Load(id);
            Transitions.Check(ContainerOperation.Kill, ContainerStatus.Status(record, dir), id);
            if (all && record.CgroupPaths is { Count: > 0 } paths)
            {
                var cgroup = new Cgroup(paths, record.CgroupUnified);
                foreach (int pid in cgroup.Processes()) Libc.Kill(pid, signal);
                return;
            }
            if (Libc.Kill(record.Pid, signal) != 0)
            {
                int errno = ErrnoText.Last;
                if (errno == (int)Errno.ESRCH) throw new RuntimeException("no such process");
                throw new SystemCallException($"kill {record.Pid}", null, errno);
            }
        }
    }
}
