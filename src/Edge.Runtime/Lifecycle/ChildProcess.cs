using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
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
    /// <param name="stopSignal">What SIGTERM becomes (an image's StopSignal).</param>
    /// <param name="stopTimeout">When given, SIGKILL follows a SIGTERM this much later if PID still runs.</param>
    public static IDisposable ForwardSignals(int pid, int stopSignal = Signals.SIGTERM, TimeSpan? stopTimeout = null)
    {
        var registrations = new List<PosixSignalRegistration>();
        Timer? killer = null;
        foreach (int signal in Forwarded)
        {
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                if (signal != Signals.SIGTERM)
                {
                    Libc.Kill(pid, signal);
                    return;
                }
                Libc.Kill(pid, stopSignal);
                if (stopTimeout is TimeSpan timeout && killer is null)
                    killer = new Timer(_ => Libc.Kill(pid, Signals.SIGKILL), null, timeout, Timeout.InfiniteTimeSpan);
            }));
        }
        return new Registrations(registrations, () => killer?.Dispose());
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
        private readonly Action? _also;
        public Registrations(List<PosixSignalRegistration> all, Action? also = null)
        {
            _all = all;
            _also = also;
        }
        public void Dispose()
        {
            foreach (PosixSignalRegistration r in _all) r.Dispose();
            _also?.Invoke();
        }
    }
}
