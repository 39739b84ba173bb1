using System.Collections.Generic;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime.Seccomp;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// The syscall tables behind the compiled filter, per architecture: a profile for aarch64 (and arm) must test
/// the audit arch of that architecture and that architecture's syscall numbers, not x86_64's.
/// </summary>
public class SeccompTablesTests
{
    private const uint AuditArchX86_64 = 0xC000003E, AuditArchAarch64 = 0xC00000B7, AuditArchArm = 0x40000028;

    /// <summary>The k operands of the program's jeq instructions (struct sock_filter { u16 code; u8 jt, jf; u32 k; }).</summary>
    private static HashSet<uint> ComparedConstants(byte[] program)
    {
        var constants = new HashSet<uint>();
        for (int i = 0; i + 8 <= program.Length; i += 8)
            if ((program[i] | program[i + 1] << 8) == 0x15) constants.Add(System.BitConverter.ToUInt32(program, i + 4));
        return constants;
    }

    private static byte[] Compile(string[] architectures, string syscall) => SeccompCompiler.Compile(new Seccomp
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Architectures = new List<string>(architectures),
        Syscalls = new List<SyscallRule> { new() { Names = new List<string> { syscall }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 } },
    });

    [Fact]
    public void Aarch64UsesItsOwnNumbers()
    {
        HashSet<uint> k = ComparedConstants(Compile(new[] { "SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64" }, "mkdirat"));
        Assert.Contains(AuditArchX86_64, k);
        Assert.Contains(AuditArchAarch64, k);
        Assert.Contains(258u, k); // mkdirat on x86_64
        Assert.Contains(34u, k);  // mkdirat on aarch64 (the asm-generic table)
    }

    [Fact]
    public void ArmUsesItsOwnNumbers()
    {
        HashSet<uint> k = ComparedConstants(Compile(new[] { "SCMP_ARCH_ARM" }, "mkdirat"));
        Assert.Contains(AuditArchArm, k);
        Assert.Contains(323u, k); // mkdirat on 32-bit arm
    }

    [Fact]
    public void SyscallMissingOnOneArchitectureOnlyCoversTheOthers()
    {
        // mkdir(2) does not exist on aarch64: the rule applies to x86_64 (83) and nothing is added for aarch64.
        HashSet<uint> k = ComparedConstants(Compile(new[] { "SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64" }, "mkdir"));
        Assert.Contains(83u, k);
        Assert.DoesNotContain(34u, k);
    }

    [Fact]
    public void EnosysPrologueUsesEachArchitecturesHighestNumber()
    {
        // Default ERRNO: syscalls above the highest named one (per architecture) return ENOSYS first.
        byte[] program = SeccompCompiler.Compile(new Seccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Architectures = new List<string> { "SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64" },
            Syscalls = new List<SyscallRule> { new() { Names = new List<string> { "read", "mkdirat" }, Action = "SCMP_ACT_ALLOW" } },
        });
        var jgt = new HashSet<uint>();
        for (int i = 0; i + 8 <= program.Length; i += 8)
            if ((program[i] | program[i + 1] << 8) == 0x25) jgt.Add(System.BitConverter.ToUInt32(program, i + 4));
        Assert.Contains(258u, jgt); // x86_64: mkdirat is the highest named
        Assert.Contains(63u, jgt);  // aarch64: read (63) is above mkdirat (34)
        // With a default that allows everything there is nothing to protect.
        byte[] allow = Compile(new[] { "SCMP_ARCH_X86_64" }, "mkdirat");
        for (int i = 0; i + 8 <= allow.Length; i += 8) Assert.NotEqual(0x25, allow[i] | allow[i + 1] << 8);
    }
}
