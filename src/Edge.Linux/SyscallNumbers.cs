using System;
using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// System call numbers edge issues directly. Calls added since Linux 5.1 share one number on every
/// architecture; the older ones differ between x86-64 (arch/x86/entry/syscalls/syscall_64.tbl) and the
/// asm-generic table that arm64 uses (include/uapi/asm-generic/unistd.h).
/// </summary>
public readonly struct SyscallNumbers
{
    public const int Clone3 = 435;
    public const int CloseRange = 436;
    public const int Openat2 = 437;
    public const int PidfdOpen = 434;
    public const int PidfdSendSignal = 424;

    public int PivotRoot { get; init; }
    public int Capget { get; init; }
    public int Capset { get; init; }
    public int Setgroups { get; init; }
    public int Setresuid { get; init; }
    public int Setresgid { get; init; }
    public int Clone { get; init; }

    public static SyscallNumbers ForCurrentArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => new SyscallNumbers { PivotRoot = 155, Capget = 125, Capset = 126, Setgroups = 116, Setresuid = 117, Setresgid = 119, Clone = 56 },
        Architecture.Arm64 => new SyscallNumbers { PivotRoot = 41, Capget = 90, Capset = 91, Setgroups = 159, Setresuid = 147, Setresgid = 149, Clone = 220 },
        var other => throw new PlatformNotSupportedException($"edge has no system call table for {other}"),
    };
}
