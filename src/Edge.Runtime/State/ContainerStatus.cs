using System;
using System.Globalization;
using System.IO;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime.State;

/// <summary>Derives the OCI status of a container from its record and the live process.</summary>
public static class ContainerStatus
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Stopped = "stopped";

    public static Oci.RuntimeSpec.State Describe(ContainerRecord record, string containerDirectory) =>
        InPhase(record, Status(record, containerDirectory));

    /// <summary>
    /// The state a hook of one phase is given: that phase's status and the recorded init pid, not a live
    /// reading. A short process (`true`) can be gone before its poststart hooks run; they still describe the
    /// start that ran it, with its pid (the runtime-tools suite's hooks_stdin test).
    /// </summary>
    public static Oci.RuntimeSpec.State InPhase(ContainerRecord record, string status) => new()
    {
        OciVersion = Spec.CurrentVersion,
        Id = record.Id,
        Status = status,
        Pid = status == Stopped ? 0 : record.Pid,
        Bundle = record.Bundle,
        Annotations = record.Annotations,
    };

    /// <summary>
    /// creating: a create holds the record's lock and has no init yet;
    /// stopped: the init is gone (or its pid was reused); created: it still waits on the exec fifo;
    /// paused: its cgroup is frozen; running otherwise.
    /// </summary>
    public static string Status(ContainerRecord record, string containerDirectory)
    {
        // No pid yet: a `create` in progress (it holds the lock), or one that died before its init existed.
        if (record.Pid <= 0) return ContainerStore.IsLocked(containerDirectory) ? Creating : Stopped;
        if (!IsSameProcess(record.Pid, record.PidStartTime)) return Stopped;
        if (File.Exists(Path.Combine(containerDirectory, ExecFifo.FileName))) return Created;
        if (record.CgroupPaths is { Count: > 0 } paths && new Cgroups.Cgroup(paths, record.CgroupUnified).IsFrozen()) return Paused;
        return Running;
    }

    /// <summary>True when PID is alive, not a zombie, and is the process that was recorded (not a reused pid).</summary>
    public static bool IsSameProcess(int pid, ulong startTime)
    {
        if (!ProcStat.TryRead(pid, out char state, out ulong start)) return false;
        return state != 'Z' && state != 'X' && (startTime == 0 || start == startTime);
    }
}

/// <summary>Reads the two fields edge needs from /proc/PID/stat.</summary>
public static class ProcStat
{
    public static bool TryRead(int pid, out char state, out ulong startTime)
    {
        state = '\0';
        startTime = 0;
        // Not found is the common answer (the process has exited): no exception for it, they cost
        // a stack walk in Native AOT.
        string text;
        try
        {
            if (!Edge.Linux.SysFile.TryReadText($"/proc/{pid}/stat", out text)) return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length) return false;
        // Field 3 is the state, field 22 the start time: read in place (this runs for every state, list and
        // delete).
        ReadOnlySpan<char> fields = text.AsSpan(close + 2);
        if (!Edge.Linux.SysFile.TryField(fields, 0, out ReadOnlySpan<char> status) || status.IsEmpty
            || !Edge.Linux.SysFile.TryField(fields, 22 - 3, out ReadOnlySpan<char> start)) return false;
        state = status[0];
        return ulong.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }
}
