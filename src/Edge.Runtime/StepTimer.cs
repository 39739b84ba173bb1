using System;
using System.Diagnostics;

namespace Edge.Runtime;

/// <summary>
/// With --debug, the lifecycle verbs report how long each step took and how much it allocated (issue 3:
/// "measure each step"). Off, a mark costs one null check.
/// </summary>
public static class StepTimer
{
    private static long _last;
    private static long _allocated;

    /// <summary>Set by the CLI under --debug.</summary>
    public static Action<string>? Sink { get; set; }

    public static void Mark(string step)
    {
        if (Sink is null) return;
        long now = Stopwatch.GetTimestamp();
        long allocated = GC.GetTotalAllocatedBytes();
        Sink(_last == 0
            ? $"{step}: {allocated / 1024} KiB allocated since start"
            : $"{step}: {Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds:F2} ms, {(allocated - _allocated) / 1024} KiB allocated");
        // Measured again after the report, so that writing it is not counted in the next step.
        _last = Stopwatch.GetTimestamp();
        _allocated = GC.GetTotalAllocatedBytes();
    }
}
