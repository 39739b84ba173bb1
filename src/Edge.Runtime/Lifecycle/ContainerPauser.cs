using Edge.Runtime.Cgroups;
using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>`pause` and `resume`: the freezer (v1 freezer.state, v2 cgroup.freeze).</summary>
public static class ContainerPauser
{
    public static void SetPaused(ContainerStore store, string id, bool paused)
    {
        ContainerRecord record = store.Load(id);
        string dir = store.DirectoryOf(id);
        using (store.Lock(id))
        {
            Transitions.Check(paused ? ContainerOperation.Pause : ContainerOperation.Resume, ContainerStatus.Status(record, dir), id);
            if (record.CgroupPaths is not { Count: > 0 } paths)
                throw new RuntimeException("container has no cgroup to freeze");
            new Cgroup(paths, record.CgroupUnified).SetFrozen(paused);
        }
    }
}
