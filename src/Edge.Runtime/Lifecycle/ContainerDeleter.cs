using System;
using System.IO;
using System.Threading;
using Edge.Linux;
using Edge.Runtime.Cgroups;
using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// `delete [--force] ID`: a running or paused container needs --force (it is killed); a created one is
/// killed without. Then the cgroup and the state directory go and the poststop hooks run.
/// </summary>
public static class ContainerDeleter
{
    public static void Delete(ContainerStore store, string id, bool force, Action<string>? warn = null)
    {
        if (!store.Exists(id))
        {
            if (!force || !ContainerId.IsValid(id)) throw new ContainerNotFoundException(id);
            // A directory without a record is what a `create` killed half-way leaves: --force clears it,
            // so that the id can be used again.
            if (Directory.Exists(store.Directory(id))) Directory.Delete(store.Directory(id), recursive: true);
            return;
        }
        ContainerRecord record = store.Load(id);
        string dir = store.Directory(id);
        using (store.Lock(id))
        {
            string status = ContainerStatus.Status(record, dir);
            Cgroup? cgroup = record.CgroupPaths is { Count: > 0 } paths ? new Cgroup(paths, record.CgroupUnified) : null;
            if (status is ContainerStatus.Running or ContainerStatus.Paused && !force)
                throw new RuntimeException($"cannot delete container {id} that is not stopped: {status}");
            if (status != ContainerStatus.Stopped)
            {
                if (status == ContainerStatus.Paused) cgroup?.SetFrozen(false);
                Libc.Kill(record.Pid, Signals.SIGKILL);
                WaitGone(record);
            }
            if (cgroup is not null)
            {
                // Whatever else is left in the cgroup (an exec'd process that outlived init) goes too.
                foreach (int pid in cgroup.Processes()) Libc.Kill(pid, Signals.SIGKILL);
                cgroup.Destroy();
            }
            Oci.Runtime.State state = ContainerStatus.Describe(record, dir);
            state.Status = ContainerStatus.Stopped;
            HookRunner.RunAndWarn("poststop", record.Hooks?.Poststop, state, warn);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Waits (bounded, 10 s) for a killed init to disappear; it is usually not our child.</summary>
    private static unsafe void WaitGone(ContainerRecord record)
    {
        for (int i = 0; i < 2000; i++)
        {
            int status;
            Libc.WaitPid(record.Pid, &status, Libc.WNOHANG); // reaps it when it is our child
            if (!ContainerStatus.IsSameProcess(record.Pid, record.PidStartTime)) return;
            Thread.Sleep(5);
        }
        throw new RuntimeException($"container init {record.Pid} did not exit after SIGKILL");
    }
}
