using System;
using Edge.Image.Store;
using Edge.Linux;
using Edge.Runtime.Lifecycle;
using Edge.Runtime.State;

namespace Edge.Containers;

/// <summary>
/// What `edge run --name NAME IMAGE` does with a container that already has the name. A systemd unit
/// restarts `edge run --rm` after edge itself was killed (SIGKILL, OOM, power loss): that run never removed
/// its container, and the name must not stay taken for ever.
/// - --replace: the old container goes, running or not (podman's --replace).
/// - otherwise, a leftover of an `edge run --rm` goes when nothing owns it any more: no edge holds its
///   directory's lock (the kernel drops a killed process's flock) and its process is gone. Anything else
///   keeps the name taken, and ImageContainer.Create says so.
/// </summary>
public static class NameReuse
{
    public static void ClearFor(ContentStore store, ContainerStore containers, string id, bool replace, Action<string> warn)
    {
        string dir = ImageContainer.DirectoryOf(store, id);
        bool hasBundle = System.IO.Directory.Exists(dir);
        bool hasContainer = containers.Exists(id);
        if (!hasBundle && !hasContainer) return;
        if (replace)
        {
            if (hasContainer) ContainerDeleter.Delete(containers, id, force: true, warn);
            // The replaced run (if any) cleans up once its container is gone: let it finish first.
            using (WaitUnowned(dir)) ImageContainer.Remove(store, id);
            return;
        }
        if (!hasBundle || !ImageContainer.IsRemoveOnExit(store, id)) return;
        using FileLock? unowned = FileLock.TryOnDirectory(dir);
        if (unowned is null) return; // an edge run still owns it
        if (hasContainer && ContainerStatus.Status(containers.Load(id), containers.DirectoryOf(id)) != ContainerStatus.Stopped) return;
        warn($"removing container \"{id}\": an earlier `edge run --rm` of it was ended before it could (its process is gone)");
        if (hasContainer) ContainerDeleter.Delete(containers, id, force: true, warn);
        ImageContainer.Remove(store, id);
    }

    /// <summary>The directory's lock once its edge run let go of it (bounded: 10 s), or null.</summary>
    private static FileLock? WaitUnowned(string dir)
    {
        for (int i = 0; i < 1000; i++)
        {
            if (!System.IO.Directory.Exists(dir)) return null;
            if (FileLock.TryOnDirectory(dir) is { } free) return free;
            System.Threading.Thread.Sleep(10);
        }
        return null;
    }
}
