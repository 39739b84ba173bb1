using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Edge.Linux;

namespace Edge.Runtime.Lifecycle;

/// <summary>What a foreground `run` or `exec` does with its child: forward signals to it, wait for it.</summary>
public static class ChildProcess
{
    private static readonly int[] Forwarded =
    {
        Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGTERM,
        Signals.SIGWINCH, Signals.SIGALRM,
    };

    /// <summary>Until disposed, the signals a supervisor sends to edge go to PID instead.</summary>
    public static IDisposable ForwardSignals(int pid)
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (int signal in Forwarded)
        {
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                Libc.Kill(pid, signal);
                context.Cancel = true;
            }));
        }
        return new Registrations(registrations);
    }

    /// <summary>
    /// Waits for PID and returns its exit status, or 128+N when signal N killed it. With
    /// <paramref name="reapOthers"/> (a subreaper) every other child that exits meanwhile is reaped too.
    /// </summary>
    public static unsafe int Wait(int pid, bool reapOthers)
    {
        while (true)
        {
            int status;
            int reaped = Libc.WaitPid(reapOthers ? -1 : pid, &status, 0);
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

    private sealed class Registrations : IDisposable
    {
        private readonly List<PosixSignalRegistration> _all;
        public Registrations(List<PosixSignalRegistration> all) => _all = all;
        public void Dispose()
        {
            foreach (PosixSignalRegistration r in _all) r.Dispose();
        }
    }
}
