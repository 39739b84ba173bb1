using System;
using System.Threading;

namespace Edge.Runtime.Init;

/// <summary>
/// Test hook for the clone hazard (docs/process-model.md): with EDGE_TEST_GC_PRESSURE=1, threads allocate
/// and finalize objects as fast as they can while edge clones container inits, so that a collection is
/// likely to be under way at the instant of a clone. A child that touched the runtime would hang; the
/// stress test runs many containers this way and fails on the first hang.
/// </summary>
internal static class GcPressure
{
    private static int _started;

    public static void StartIfRequested()
    {
        if (Environment.GetEnvironmentVariable("EDGE_TEST_GC_PRESSURE") != "1") return;
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        for (int i = 0; i < 2; i++)
        {
            var thread = new Thread(Churn) { IsBackground = true, Name = "gc-pressure" };
            thread.Start();
        }
        Thread.Sleep(10);
    }

    private static void Churn()
    {
        var keep = new object[64];
        int n = 0;
        while (true)
        {
            keep[n++ & 63] = new byte[1024 + (n & 4095)];
            _ = new Finalizable();
        }
    }

    private sealed class Finalizable
    {
        private readonly byte[] _payload = new byte[256];

        ~Finalizable()
        {
            // Allocate on the finalizer thread too: this is what made the hazard reproducible.
            GC.KeepAlive(new byte[_payload.Length]);
        }
    }
}
