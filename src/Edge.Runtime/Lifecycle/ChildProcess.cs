using System;
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
    /// <param name="stopTimeoutSeconds">From 0 up: SIGKILL follows a SIGTERM this many seconds later if PID still runs.</param>
    /// <remarks>A native handler (Native/init.c) rather than PosixSignalRegistration, whose first use starts a
    /// signal thread: 0.8 ms of every foreground run.</remarks>
    public static unsafe IDisposable ForwardSignals(int pid, int stopSignal = Signals.SIGTERM, int stopTimeoutSeconds = -1)
    {
        int error;
        fixed (int* signals = Forwarded) error = Init.NativeInit.ForwardSignals(pid, stopSignal, stopTimeoutSeconds, signals, Forwarded.Length);
        // On failure the native side has already put back what it changed.
        return error == 0 ? new Forwarding() : throw new SystemCallException("sigaction", null, error);
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

    private sealed unsafe class Forwarding : IDisposable
    {
        public void Dispose()
        {
            fixed (int* signals = Forwarded) Init.NativeInit.ForwardEnd(signals, Forwarded.Length);
        }
    }
}
