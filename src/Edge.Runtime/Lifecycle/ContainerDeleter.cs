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
        string dir = store.DirectoryOf(id);
        if (force && ContainerId.IsValid(id)) store.RemoveAbandonedTemporary(id);
        if (!Directory.Exists(dir))
        {
            if (force && ContainerId.IsValid(id)) return; // as runc: --force on an id that does not exist is fine
            throw new ContainerNotFoundException(id);
        }
        // The lock first (a create in progress holds it until it is done), then the record as it is now.
        using (store.Lock(id))
        {
            if (!store.Exists(id))
            {
                // A directory without a record is what a `create` killed before its first record leaves:
                // --force clears it, so that the id can be used again.
                if (!force) throw new ContainerNotFoundException(id);
                Directory.Delete(dir, recursive: true);
                return;
            }
            ContainerRecord record = store.Load(id);
            Cgroup? cgroup = record.CgroupPaths is { Count: > 0 } paths ? new Cgroup(paths, record.CgroupUnified) { SystemdUnit = record.SystemdUnit } : null;
            // No pid: the create that wrote this record died before its init existed (we hold the lock).
            string status = record.Pid > 0 ? ContainerStatus.Status(record, dir) : ContainerStatus.Stopped;
            Transitions.Check(force ? ContainerOperation.DeleteForce : ContainerOperation.Delete, status, id);
            if (status != ContainerStatus.Stopped)
            {
                if (status == ContainerStatus.Paused) cgroup?.SetFrozen(false);
                Libc.Kill(record.Pid, Signals.SIGKILL);
                WaitGone(record);
            }
            if (cgroup is not null)
            {
                // Whatever else is left in the cgroup (an exec'd process that outlived init) goes too.
                foreach (int pid in cgroup.Processes()) if (pid > 0) Libc.Kill(pid, Signals.SIGKILL);
                cgroup.Destroy();
            }
            HookRunner.RunAndWarn("poststop", record.Hooks?.Poststop, ContainerStatus.InPhase(record, ContainerStatus.Stopped), warn);
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
