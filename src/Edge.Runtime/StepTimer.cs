using System;
using System.Diagnostics;

namespace Edge.Runtime;

/// <summary>
/// With --debug, the lifecycle verbs report how long each step took (issue 3: "measure each step").
/// Off, a mark costs one null check.
/// </summary>
public static class StepTimer
{
    private static long _last;

    /// <summary>Set by the CLI under --debug.</summary>
    public static Action<string>? Sink { get; set; }

    public static void Mark(string step)
    {
        if (Sink is null) return;
        long now = Stopwatch.GetTimestamp();
        if (_last != 0) Sink($"{step}: {Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds:F2} ms");
        else Sink($"{step}: (start, {Environment.TickCount64 - ProcessStartTicks():F0} ms after exec)");
        _last = now;
    }

    private static long ProcessStartTicks()
    {
        // /proc/self/stat field 22 is the start time in clock ticks since boot (100 Hz on Linux).
        if (!State.ProcStat.TryRead(Environment.ProcessId, out _, out ulong start)) return Environment.TickCount64;
        double uptime = double.Parse(System.IO.File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return Environment.TickCount64 - (long)((uptime - start / 100.0) * 1000);
    }
}
