using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>`start`: releases a created container's init into execve, then runs the poststart hooks.</summary>
public static class ContainerStarter
{
    public static void Start(ContainerStore store, string id, System.Action<string>? warn = null)
    {
        ContainerRecord record = store.Load(id);
        string dir = store.DirectoryOf(id);
        using (store.Lock(id))
        {
            Transitions.Check(ContainerOperation.Start, ContainerStatus.Status(record, dir), id);
            // The init can die between the status read and the fifo: that is a stopped container too.
            if (!ExecFifo.Signal(dir)) Transitions.Check(ContainerOperation.Start, ContainerStatus.Stopped, id);
        }
        Oci.RuntimeSpec.State state = ContainerStatus.Describe(record, dir);
        state.Status = ContainerStatus.Running;
        HookRunner.RunAndWarn("poststart", record.Hooks?.Poststart, state, warn);
    }
}
