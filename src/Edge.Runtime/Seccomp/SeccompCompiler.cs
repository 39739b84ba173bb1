using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime.Seccomp;

/// <summary>
/// Compiles linux.seccomp into a classic BPF program with libseccomp (Debian's libseccomp.a, linked into the
/// static binary and bound with DirectPInvoke, as runc, crun and youki use it). The init installs the
/// program with seccomp(2) just before it may no longer (see InitPlanBuilder). Syscall names unknown to
/// libseccomp are skipped, as runc does. SCMP_ACT_NOTIFY rules get a listener fd (<see cref="SeccompAgent"/>).
/// </summary>
public static unsafe partial class SeccompCompiler
{
    private const string Library = "libseccomp";
    private const uint ActKillProcess = 0x80000000, ActKillThread = 0, ActTrap = 0x00030000, ActErrno = 0x00050000,
        ActTrace = 0x7ff00000, ActLog = 0x7ffc0000, ActAllow = 0x7fff0000, ActNotify = 0x7fc00000;
    private const int ScmpError = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct ArgCompare
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Library, EntryPoint = "seccomp_init")]
    private static partial nint Init(uint defaultAction);

    [LibraryImport(Library, EntryPoint = "seccomp_release")]
    private static partial void Release(nint ctx);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint ArchResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_add")]
    private static partial int ArchAdd(nint ctx, uint arch);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_native")]
    private static partial uint ArchNative();

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SyscallResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name_arch", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SyscallResolveNameArch(uint arch, string name);

    [LibraryImport(Library, EntryPoint = "seccomp_rule_add_array")]
    private static partial int RuleAddArray(nint ctx, uint action, int syscall, uint count, ArgCompare* args);

    [LibraryImport(Library, EntryPoint = "seccomp_attr_set")]
    private static partial int AttrSet(nint ctx, int attribute, uint value);

    [LibraryImport(Library, EntryPoint = "seccomp_export_bpf")]
    private static partial int ExportBpf(nint ctx, int fd);

    [LibraryImport(Library, EntryPoint = "seccomp_version")]
    private static partial uint* Version();

    /// <summary>"major.minor.micro" of the linked libseccomp (part of SeccompCache's key).</summary>
    internal static string LibraryVersion
    {
        get
        {
            uint* v = Version();
            return v == null ? "unknown" : $"{v[0]}.{v[1]}.{v[2]}";
        }
    }

    internal static uint NativeArch => ArchNative();

    /// <summary>
    /// True when some rule hands its syscalls to a user-space agent (SCMP_ACT_NOTIFY): the filter is then
    /// installed with a listener fd, which goes to linux.seccomp.listenerPath, as runc does.
    /// </summary>
    public static bool UsesNotify(Oci.RuntimeSpec.Seccomp profile)
    {
        if (profile.DefaultAction == "SCMP_ACT_NOTIFY")
            throw new RuntimeException("config.json: $.linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default (the init's own syscalls would wait on the agent)");
        bool notify = false;
        foreach (SyscallRule rule in profile.Syscalls ?? new List<SyscallRule>())
            if (rule.Action == "SCMP_ACT_NOTIFY") notify = true;
        if (notify && string.IsNullOrEmpty(profile.ListenerPath))
            throw new RuntimeException("config.json: $.linux.seccomp.listenerPath: required when a rule's action is SCMP_ACT_NOTIFY");
        return notify;
    }

    /// <summary>The BPF program (struct sock_filter[]) for <paramref name="profile"/>.</summary>
    public static byte[] Compile(Oci.RuntimeSpec.Seccomp profile)
    {
        const string where = "config.json: $.linux.seccomp";
        uint defaultAction = Action(profile.DefaultAction, profile.DefaultErrnoRet, where + ".defaultAction");
        nint ctx = Init(defaultAction);
        if (ctx == 0) throw new RuntimeException($"{where}: libseccomp could not start a filter");
        try
        {
            // The default action applies to every architecture added; the native one is there already.
            const int AttrBadArchAction = 1;
            AttrSet(ctx, AttrBadArchAction, ActKillProcess);
            var arches = new List<uint> { ArchNative() };
            foreach (string arch in profile.Architectures ?? new List<string>())
            {
                uint token = ArchResolveName(ArchName(arch));
                if (token != 0 && !arches.Contains(token)) arches.Add(token);
                if (token == 0) throw new RuntimeException($"{where}.architectures: unknown architecture \"{arch}\"");
                int rc = ArchAdd(ctx, token);
                if (rc != 0 && rc != -(int)Errno.EEXIST) throw new RuntimeException($"{where}.architectures: cannot add \"{arch}\" ({ErrnoText.Describe(-rc)})");
            }
            List<SyscallRule> rules = profile.Syscalls ?? new List<SyscallRule>();
            ArgCompare* args = stackalloc ArgCompare[6];
            for (int i = 0; i < rules.Count; i++)
            {
                SyscallRule rule = rules[i];
                uint action = Action(rule.Action, rule.ErrnoRet, $"{where}.syscalls[{i}].action");
                if (action == defaultAction) continue; // libseccomp refuses rules that repeat the default
                int count = rule.Args?.Count ?? 0;
                if (count > 6) throw new RuntimeException($"{where}.syscalls[{i}].args: more than 6 conditions");
                for (int a = 0; a < count; a++)
                {
                    SyscallArg arg = rule.Args![a];
                    if (arg.Index > 5) throw new RuntimeException($"{where}.syscalls[{i}].args[{a}].index: {arg.Index} is not 0-5");
                    args[a] = new ArgCompare { Arg = arg.Index, Op = Operator(arg.Op, $"{where}.syscalls[{i}].args[{a}].op"), DatumA = arg.Value, DatumB = arg.ValueTwo };
                }
                foreach (string name in rule.Names)
                {
                    int nr = SyscallResolveName(name);
                    if (nr == ScmpError) continue; // unknown to this libseccomp: skipped, as runc does
                    int rc = RuleAddArray(ctx, action, nr, (uint)count, args);
                    if (rc != 0) throw new RuntimeException($"{where}.syscalls[{i}]: rule for \"{name}\" refused ({ErrnoText.Describe(-rc)})");
                }
            }
            byte[] program = Export(ctx);
            // Newer syscalls get ENOSYS, not the default action, unless the default lets everything through.
            if ((defaultAction & 0xffff0000) is ActAllow or ActLog) return program;
            return EnosysPrologue.Prepend(program, HighestSyscalls(arches, rules));
        }
        finally
        {
            Release(ctx);
        }
    }

    /// <summary>
    /// Per architecture (its AUDIT_ARCH value, which libseccomp uses as its token), the highest syscall number
    /// any rule names. x32 shares x86_64's audit value and is left out: its numbers carry the x32 bit.
    /// </summary>
    private static List<(uint Arch, uint MaxSyscall)> HighestSyscalls(List<uint> arches, List<SyscallRule> rules)
    {
        const uint ScmpArchX32 = 0x4000003E;
        var limits = new List<(uint, uint)>();
        foreach (uint arch in arches)
        {
            if (arch == ScmpArchX32) continue;
            int max = -1;
            foreach (SyscallRule rule in rules)
                foreach (string name in rule.Names)
                {
                    int nr = SyscallResolveNameArch(arch, name);
                    if (nr >= 0 && nr > max) max = nr; // negative: not a syscall on this architecture
                }
            if (max >= 0) limits.Add((arch, (uint)max));
        }
        return limits;
    }

    private static byte[] Export(nint ctx)
    {
        string path = Path.Combine(Path.GetTempPath(), $".edge-seccomp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        int fd = Libc.Open(path, OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.CloseOnExec, 0x180);
        if (fd < 0) throw new SystemCallException("open", path, ErrnoText.Last);
        try
        {
            File.Delete(path);
            int rc = ExportBpf(ctx, fd);
            if (rc != 0) throw new RuntimeException($"config.json: $.linux.seccomp: exporting the filter failed ({ErrnoText.Describe(-rc)})");
            using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), FileAccess.Read);
            stream.Position = 0;
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>SCMP_ARCH_X86_64 → "x86_64" as libseccomp names them.</summary>
    private static string ArchName(string arch) => arch.StartsWith("SCMP_ARCH_", StringComparison.Ordinal)
        ? arch["SCMP_ARCH_".Length..].ToLowerInvariant() switch { "x86" => "x86", "x32" => "x32", var other => other }
        : arch;

    private static uint Action(string action, uint? errno, string where) => action switch
    {
        "SCMP_ACT_ALLOW" => ActAllow,
        "SCMP_ACT_ERRNO" => ActErrno | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => ActKillThread,
        "SCMP_ACT_KILL_PROCESS" => ActKillProcess,
        "SCMP_ACT_TRAP" => ActTrap,
        "SCMP_ACT_TRACE" => ActTrace | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_LOG" => ActLog,
        "SCMP_ACT_NOTIFY" => ActNotify,
        _ => throw new RuntimeException($"{where}: unknown action \"{action}\""),
    };

    private static int Operator(string op, string where) => op switch
    {
        "SCMP_CMP_NE" => 1,
        "SCMP_CMP_LT" => 2,
        "SCMP_CMP_LE" => 3,
        "SCMP_CMP_EQ" => 4,
        "SCMP_CMP_GE" => 5,
        "SCMP_CMP_GT" => 6,
        "SCMP_CMP_MASKED_EQ" => 7,
        _ => throw new RuntimeException($"{where}: unknown operator \"{op}\""),
    };
}
