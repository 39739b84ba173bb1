using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Edge.Linux;
using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// `run`: create + start, then (in the foreground) forward signals to the container's init, wait for it
/// and exit with its status (128+N for a signal), removing the container unless --keep.
/// </summary>
public static class ContainerRunner
{
    private static readonly int[] Forwarded =
    {
        Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGTERM,
        Signals.SIGWINCH, Signals.SIGALRM,
    };

    public static int Run(CreateRequest request, bool detach, bool keep, Action<string>? warn)
    {
        var store = new ContainerStore(request.Root);
        if (!detach) Libc.Prctl(Prctl.SetChildSubreaper, 1, 0, 0, 0);
        using ContainerCreator.Created created = ContainerCreator.Create(request);
        int pid = created.Record.Pid;
        if (detach)
        {
            StartOrRemove(store, request.Id, warn);
            return 0;
        }

        var registrations = new List<PosixSignalRegistration>();
        foreach (int signal in Forwarded)
        {
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                Libc.Kill(pid, signal);
                context.Cancel = true;
            }));
        }
        try
        {
            StepTimer.Mark("run: signal forwarding set up");
            StartOrRemove(store, request.Id, warn);
            StepTimer.Mark("run: started");
            string? execError = created.Init.WaitExec();
            int status = WaitForExit(pid);
            StepTimer.Mark("run: container exited");
            if (execError is not null)
            {
                Remove(store, request.Id, warn);
                throw new RuntimeException(execError);
            }
            if (!keep) Remove(store, request.Id, warn);
            StepTimer.Mark("run: deleted");
            return status;
        }
        finally
        {
            foreach (PosixSignalRegistration r in registrations) r.Dispose();
        }
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

    private static void Remove(ContainerStore store, string id, Action<string>? warn)
    {
        try
        {
            ContainerDeleter.Delete(store, id, force: true, warn);
        }
        catch (Exception ex) when (ex is RuntimeException or System.IO.IOException)
        {
            warn?.Invoke($"cleaning up container {id}: {ex.Message}");
        }
    }

    /// <summary>Reaps children (we are a subreaper) until PID's status arrives.</summary>
    private static unsafe int WaitForExit(int pid)
    {
        while (true)
        {
            int status;
            int reaped = Libc.WaitPid(-1, &status, 0);
            if (reaped < 0)
            {
                int errno = ErrnoText.Last;
                if (errno == (int)Errno.EINTR) continue;
                throw new SystemCallException("waitpid", null, errno);
            }
            if (reaped != pid) continue;
            int termination = status & 0x7f;
            return termination == 0 ? (status >> 8) & 0xff : 128 + termination;
        }
    }
}
