using System;
using Edge.Linux;
using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// `run`: create + start, then (in the foreground) forward signals to the container's init, wait for it
/// and exit with its status (128+N for a signal), removing the container unless --keep.
/// </summary>
public static class ContainerRunner
{
    /// <summary>What a foreground `run` of an image adds: systemd readiness and a docker-style stop.</summary>
    public sealed class Behaviour
    {
        /// <summary>READY=1 on $NOTIFY_SOCKET once the process started (or the container's own, relayed).</summary>
        public NotifyMode Notify { get; init; }
        /// <summary>SIGTERM to edge becomes this signal to the container (the image's StopSignal).</summary>
        public int StopSignal { get; init; } = Signals.SIGTERM;
        /// <summary>After a SIGTERM, the container gets SIGKILL if it is still there this many seconds later; -1: never.</summary>
        public int StopTimeoutSeconds { get; init; } = -1;
    }

    public static int Run(CreateRequest request, bool detach, bool keep, Action<string>? warn, Behaviour? behaviour = null)
    {
        var store = new ContainerStore(request.Root);
        if (!detach) Libc.Prctl(Prctl.SetChildSubreaper, 1, 0, 0, 0);
        StepTimer.Mark("run: begin");
        Oci.RuntimeSpec.Spec config = request.Config ?? ContainerCreator.ReadConfig(System.IO.Path.GetFullPath(request.Bundle));
        StepTimer.Mark("run: config.json read");
        using TerminalProxy? terminal = NeedsTerminalProxy(request, config, detach) ? TerminalProxy.Create() : null;
        request = request.With(config, terminal?.ContainerEnd ?? -1);
        using ContainerCreator.Created created = ContainerCreator.Create(request);
        terminal?.Start();
        int pid = created.Record.Pid;
        if (detach)
        {
            StartOrRemove(store, request.Id, warn);
            return 0;
        }

        using (ChildProcess.ForwardSignals(pid, behaviour?.StopSignal ?? Signals.SIGTERM, behaviour?.StopTimeoutSeconds ?? -1))
        {
            StepTimer.Mark("run: signal forwarding set up");
            StartOrRemove(store, request.Id, warn);
            StepTimer.Mark("run: started");
            string? execError = created.Init.WaitExec();
            if (execError is null && behaviour?.Notify == NotifyMode.Ready)
                SystemdNotify.Send($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=container {request.Id} started\n");
            int status = ChildProcess.Wait(pid, reapOthers: true);
            terminal?.Drain();
            StepTimer.Mark("run: container exited");
            if (execError is not null)
            {
                RemoveOwn(store, created.Record, warn);
                throw new RuntimeException(execError);
            }
            if (!keep) RemoveOwn(store, created.Record, warn);
            StepTimer.Mark("run: deleted");
            return status;
        }
    }

    /// <summary>
    /// A terminal is wanted but nobody gave a console socket: in the foreground edge relays the terminal
    /// itself (as runc does); detached, nobody could, which runc refuses too.
    /// </summary>
    private static bool NeedsTerminalProxy(CreateRequest request, Oci.RuntimeSpec.Spec config, bool detach)
    {
        if (!string.IsNullOrEmpty(request.ConsoleSocket) || config.Process?.Terminal != true) return false;
        if (detach) throw new RuntimeException("cannot allocate a pseudo-TTY for a detached container without --console-socket");
        return true;
    }

    private static void StartOrRemove(ContainerStore store, string id, Action<string>? warn)
    {
        try
        {
            ContainerStarter.Start(store, id, warn);
        }
        catch
        {
            Remove(store, id, warn);
            throw;
        }
    }

    /// <summary>
    /// Removes the container this run made, and only that one: once its process is gone another command
    /// (`delete`, `run --replace`) may have removed it and made a new container under the same id.
    /// </summary>
    private static void RemoveOwn(ContainerStore store, ContainerRecord mine, Action<string>? warn)
    {
        try
        {
            if (!store.Exists(mine.Id)) return;
            ContainerRecord current = store.Load(mine.Id);
            if (current.Pid != mine.Pid || current.PidStartTime != mine.PidStartTime) return;
        }
        catch (Exception ex) when (ex is RuntimeException or System.IO.IOException)
        {
            return; // being removed by someone else right now
        }
        Remove(store, mine.Id, warn);
    }

    private static void Remove(ContainerStore store, string id, Action<string>? warn)
    {
        try
        {
            ContainerDeleter.Delete(store, id, force: true, warn);
        }
        catch (Exception ex) when (ex is RuntimeException or System.IO.IOException)
        {
            if (store.Exists(id)) warn?.Invoke($"cleaning up container {id}: {ErrorText.Describe(ex)}");
        }
    }
}
