using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>`start`: releases a created container's init into execve, waits for it, then runs the poststart hooks.</summary>
public static class ContainerStarter
{
    public static void Start(ContainerStore store, string id, System.Action<string>? warn = null)
    {
        ContainerRecord record = store.Load(id);
        string dir = store.DirectoryOf(id);
        Microsoft.Win32.SafeHandles.SafeFileHandle? released;
        using (store.Lock(id))
        {
            Transitions.Check(ContainerOperation.Start, ContainerStatus.Status(record, dir), id);
            released = ExecFifo.Release(dir);
            // The init can die between the status read and the fifo: that is a stopped container too.
            if (released is null) Transitions.Check(ContainerOperation.Start, ContainerStatus.Stopped, id);
        }
        // Outside the lock: `kill` or `delete` need not wait for a slow startContainer hook.
        using (released) ExecFifo.WaitForExec(released!);
        HookRunner.RunAndWarn("poststart", record.Hooks?.Poststart, ContainerStatus.InPhase(record, ContainerStatus.Running), warn);
    }
}
