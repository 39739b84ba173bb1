using System.Runtime.InteropServices;

namespace Edge.Runtime.Init;

/// <summary>The native half of the container init (Native/init.c), linked into the static binary.</summary>
internal static unsafe partial class NativeInit
{
    /// <summary>
    /// clone(2) into the init program; the child's pid, or -errno. With <paramref name="cgroupFd"/> >= 0 (a
    /// cgroup v2 directory) the child is born in it when the kernel can; <paramref name="intoCgroup"/> says so.
    /// </summary>
    [LibraryImport("edgeinit", EntryPoint = "edge_clone_init")]
    public static partial long CloneInit(InitProgram* program, ulong flags, int cgroupFd, int* intoCgroup);

    /// <summary>A user namespace with these maps ("inside outside count" lines) for an idmapped mount; its fd, or -errno.</summary>
    [LibraryImport("edgeinit", EntryPoint = "edge_userns_fd", StringMarshalling = StringMarshalling.Utf8)]
    public static partial long UsernsFd(string uidMap, string gidMap);

    /// <summary>Writes DATA to /proc/PID/NAME through a handle checked to be procfs, with no symlink on the way; 0 or an errno.</summary>
    [LibraryImport("edgeinit", EntryPoint = "edge_proc_write", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ProcWrite(int pid, string name, byte* data, int length);

    /// <summary>A hook run by edge (native/init.c, edge_run_hook): 0, or an init error code (InitProcess.DescribeError).</summary>
    [LibraryImport("edgeinit", EntryPoint = "edge_run_hook")]
    public static partial int RunHook(byte* path, byte** argv, byte** envp, byte* state, int timeoutSeconds);

    /// <summary>Installs the forwarding handler (Native/init.c) for SIGNALS; 0, or an errno.</summary>
    [LibraryImport("edgeinit", EntryPoint = "edge_forward_signals")]
    public static partial int ForwardSignals(int pid, int stopSignal, int stopTimeoutSeconds, int* signals, int count);

    /// <summary>Puts back what SIGNALS did before <see cref="ForwardSignals"/>.</summary>
    [LibraryImport("edgeinit", EntryPoint = "edge_forward_end")]
    public static partial void ForwardEnd(int* signals, int count);
}
