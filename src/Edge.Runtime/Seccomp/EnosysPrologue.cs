using System;
using System.Collections.Generic;

namespace Edge.Runtime.Seccomp;

/// <summary>
/// A profile written before a syscall existed gives that syscall its default action, usually EPERM, and
/// C libraries only fall back to an older syscall (clone3 to clone, for instance) on ENOSYS. As runc does,
/// edge makes every syscall numbered above the highest one the profile names, per architecture, return
/// ENOSYS. This prepends that check to libseccomp's program (classic BPF over struct seccomp_data).
/// </summary>
public static class EnosysPrologue
{
    public const uint AuditArchX86_64 = 0xC000003E;
    private const uint X32SyscallBit = 0x40000000;
    private const uint RetErrnoEnosys = 0x00050000 | 38;

    /// <param name="limits">Per AUDIT_ARCH value, the highest syscall number the profile names there.</param>
    public static byte[] Prepend(byte[] program, IReadOnlyList<(uint Arch, uint MaxSyscall)> limits)
    {
        if (limits.Count == 0) return program;
        var prologue = new List<(ushort Code, byte Jt, byte Jf, uint K)>();
        var toJumpOver = new List<int>(); // jumps that go to the "ja rest" instruction
        var toEnosys = new List<int>();
        foreach (var (arch, max) in limits)
        {
            int start = prologue.Count;
            bool x86 = arch == AuditArchX86_64;
            int length = x86 ? 5 : 4;
            prologue.Add((0x20, 0, 0, 4));                             // A = seccomp_data.arch
            prologue.Add((0x15, 0, (byte)(length - 2), arch));         // if A != arch: next block
            prologue.Add((0x20, 0, 0, 0));                             // A = seccomp_data.nr
            if (x86)
            {
                toJumpOver.Add(prologue.Count);
                prologue.Add((0x45, 0, 0, X32SyscallBit));             // x32 numbers: leave them to the filter
            }
            toEnosys.Add(prologue.Count);
            toJumpOver.Add(prologue.Count);
            prologue.Add((0x25, 0, 0, max));                           // if A > max: ENOSYS, else the filter
            if (prologue.Count - start != length) throw new InvalidOperationException("prologue block length");
        }
        int jumpOver = prologue.Count;
        prologue.Add((0x05, 0, 0, 1));                                 // ja +1: into the filter
        int enosys = prologue.Count;
        prologue.Add((0x06, 0, 0, RetErrnoEnosys));                    // return ERRNO(ENOSYS)
        for (int i = 0; i < prologue.Count; i++)
        {
            var insn = prologue[i];
            // jset: jt goes over; jgt: jt to ENOSYS, jf over.
            if (insn.Code == 0x45) insn.Jt = Offset(i, jumpOver);
            if (insn.Code == 0x25) { insn.Jt = Offset(i, enosys); insn.Jf = Offset(i, jumpOver); }
            prologue[i] = insn;
        }
        byte[] result = new byte[prologue.Count * 8 + program.Length];
        for (int i = 0; i < prologue.Count; i++)
        {
            var (code, jt, jf, k) = prologue[i];
            BitConverter.TryWriteBytes(result.AsSpan(i * 8), code);
            result[i * 8 + 2] = jt;
            result[i * 8 + 3] = jf;
            BitConverter.TryWriteBytes(result.AsSpan(i * 8 + 4), k);
        }
        program.CopyTo(result, prologue.Count * 8);
        if (result.Length / 8 > 4096) throw new RuntimeException("config.json: $.linux.seccomp: the filter exceeds the kernel's 4096 instructions");
        return result;
    }

    private static byte Offset(int from, int to) => checked((byte)(to - from - 1));
}
