using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Edge.Linux;

namespace Edge.Runtime.Cgroups;

/// <summary>One device cgroup rule, as v1's devices.allow/devices.deny take it: type a, b or c; -1 is a wildcard.</summary>
public readonly record struct DeviceAccessRule(bool Allow, char Type, long Major, long Minor, string Access)
{
    public override string ToString() =>
        Type == 'a' ? "a" : $"{Type} {(Major < 0 ? "*" : Major.ToString())}:{(Minor < 0 ? "*" : Minor.ToString())} {Access}";
}

/// <summary>
/// cgroup v2 has no devices.allow file: access to device nodes is decided by a BPF_PROG_TYPE_CGROUP_DEVICE
/// program attached to the cgroup. This compiles the same rule list edge writes on v1 into such a program
/// and attaches it. Semantics: the last rule that matches decides (a later allow overrides an earlier
/// "deny all", as on v1); no match denies. An allow rule matches when it grants every requested access
/// bit, a deny rule when it names any of them.
/// </summary>
public static partial class DeviceFilter
{
    // struct bpf_cgroup_dev_ctx { u32 access_type /* access << 16 | type */; u32 major; u32 minor; }
    private const int DevBlock = 1, DevChar = 2;
    private const int AccMknod = 1, AccRead = 2, AccWrite = 4;

    /// <summary>The program's instructions (struct bpf_insn, 8 bytes each), for the rules in order.</summary>
    public static ulong[] Compile(IReadOnlyList<DeviceAccessRule> rules)
    {
        var code = new List<ulong>
        {
            Insn(0x61, 2, 1, 0, 0),      // r2 = ctx->access_type
            Insn(0x54, 2, 0, 0, 0xffff), // w2 &= 0xffff            (device type)
            Insn(0x61, 3, 1, 0, 0),      // r3 = ctx->access_type
            Insn(0x74, 3, 0, 0, 16),     // w3 >>= 16               (requested access)
            Insn(0x61, 4, 1, 4, 0),      // r4 = ctx->major
            Insn(0x61, 5, 1, 8, 0),      // r5 = ctx->minor
        };
        // Last rule first: the first block that matches returns, so the last matching rule decides.
        for (int i = rules.Count - 1; i >= 0; i--)
        {
            DeviceAccessRule rule = rules[i];
            int access = AccessBits(rule.Access);
            var block = new List<(ulong Insn, bool JumpsToNext)>();
            if (rule.Type != 'a')
            {
                block.Add((Insn(0x55, 2, 0, 0, rule.Type == 'b' ? DevBlock : DevChar), true)); // if r2 != type goto next
                if (access != (AccMknod | AccRead | AccWrite))
                {
                    block.Add((Insn(0xbf, 1, 3, 0, 0), false));                                // r1 = r3
                    block.Add((Insn(0x57, 1, 0, 0, rule.Allow ? ~access & 7 : access), false)); // r1 &= mask
                    // allow: some requested bit is not granted; deny: no requested bit is named.
                    block.Add((Insn(rule.Allow ? (byte)0x55 : (byte)0x15, 1, 0, 0, 0), true));
                }
                if (rule.Major >= 0) block.Add((Insn(0x55, 4, 0, 0, (int)rule.Major), true)); // if r4 != major goto next
                if (rule.Minor >= 0) block.Add((Insn(0x55, 5, 0, 0, (int)rule.Minor), true)); // if r5 != minor goto next
            }
            block.Add((Insn(0xb7, 0, 0, 0, rule.Allow ? 1 : 0), false)); // r0 = verdict
            block.Add((Insn(0x95, 0, 0, 0, 0), false));                  // exit
            for (int j = 0; j < block.Count; j++)
            {
                ulong insn = block[j].Insn;
                if (block[j].JumpsToNext) insn = WithOffset(insn, (short)(block.Count - j - 1));
                code.Add(insn);
            }
            // A type "a" rule matches everything: earlier rules could never be reached, and the verifier
            // refuses unreachable instructions.
            if (rule.Type == 'a') return code.ToArray();
        }
        code.Add(Insn(0xb7, 0, 0, 0, 0)); // r0 = 0: nothing matched, deny
        code.Add(Insn(0x95, 0, 0, 0, 0)); // exit
        return code.ToArray();
    }

    /// <summary>Loads the program for <paramref name="rules"/> and attaches it to the cgroup directory.</summary>
    public static unsafe void Attach(string cgroupDir, IReadOnlyList<DeviceAccessRule> rules)
    {
        ulong[] insns = Compile(rules);
        int prog = Load(insns, withLog: false);
        if (prog < 0)
        {
            int errno = Marshal.GetLastSystemError();
            string log = errno is (int)Errno.EPERM or (int)Errno.ENOSYS ? "" : VerifierLog(insns);
            throw new RuntimeException($"cgroup v2 device filter for {cgroupDir}: bpf(BPF_PROG_LOAD): {ErrnoText.Describe(errno)}{(log.Length > 0 ? ": " + log : "")}");
        }
        int dir = Libc.Open(cgroupDir, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (dir < 0)
        {
            int errno = Marshal.GetLastSystemError();
            Libc.Close(prog);
            throw new SystemCallException("open", cgroupDir, errno);
        }
        try
        {
            // union bpf_attr for BPF_PROG_ATTACH: target_fd, attach_bpf_fd, attach_type, attach_flags.
            uint* attr = stackalloc uint[8];
            new Span<uint>(attr, 8).Clear();
            attr[0] = (uint)dir;
            attr[1] = (uint)prog;
            attr[2] = 6; // BPF_CGROUP_DEVICE
            attr[3] = 2; // BPF_F_ALLOW_MULTI: programs a parent cgroup attached still apply
            if (Bpf(8 /* BPF_PROG_ATTACH */, attr, 32) < 0)
                throw new RuntimeException($"cgroup v2 device filter for {cgroupDir}: bpf(BPF_PROG_ATTACH): {ErrnoText.Describe(Marshal.GetLastSystemError())}");
        }
        finally
        {
            // The attachment holds its own reference: the program lives as long as the cgroup.
            Libc.Close(dir);
            Libc.Close(prog);
        }
    }

    private static unsafe int Load(ulong[] insns, bool withLog, byte[]? logBuffer = null)
    {
        byte* license = stackalloc byte[] { (byte)'A', (byte)'p', (byte)'a', (byte)'c', (byte)'h', (byte)'e', 0 };
        fixed (ulong* code = insns)
        fixed (byte* log = logBuffer)
        {
            // union bpf_attr for BPF_PROG_LOAD, zeroed past the fields used.
            byte* attr = stackalloc byte[128];
            new Span<byte>(attr, 128).Clear();
            *(uint*)(attr + 0) = 15; // BPF_PROG_TYPE_CGROUP_DEVICE
            *(uint*)(attr + 4) = (uint)insns.Length;
            *(ulong*)(attr + 8) = (ulong)code;
            *(ulong*)(attr + 16) = (ulong)license;
            if (withLog && logBuffer is not null)
            {
                *(uint*)(attr + 24) = 1; // log_level
                *(uint*)(attr + 28) = (uint)logBuffer.Length;
                *(ulong*)(attr + 32) = (ulong)log;
            }
            *(uint*)(attr + 68) = 6; // expected_attach_type BPF_CGROUP_DEVICE
            return (int)Bpf(5 /* BPF_PROG_LOAD */, attr, 128);
        }
    }

    /// <summary>The verifier's last complaint, for the error message.</summary>
    private static string VerifierLog(ulong[] insns)
    {
        byte[] buffer = new byte[16384];
        int fd = Load(insns, withLog: true, buffer);
        if (fd >= 0) { Libc.Close(fd); return ""; }
        string text = System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Max(0, Array.IndexOf(buffer, (byte)0))).Trim();
        // The complaint is the last line before the verifier's statistics ("processed N insns ...").
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = lines.Length - 1; i >= 0; i--)
            if (!lines[i].StartsWith("processed ", StringComparison.Ordinal)) return lines[i].Trim();
        return text;
    }

    private static int AccessBits(string access)
    {
        int bits = 0;
        foreach (char c in string.IsNullOrEmpty(access) ? "rwm" : access)
            bits |= c switch { 'r' => AccRead, 'w' => AccWrite, 'm' => AccMknod, _ => throw new RuntimeException($"device rule access \"{access}\": only r, w and m are allowed") };
        return bits;
    }

    /// <summary>struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; } on a little-endian CPU.</summary>
    private static ulong Insn(byte code, int dst, int src, short off, int imm) =>
        code | (ulong)(byte)(dst | src << 4) << 8 | (ulong)(ushort)off << 16 | (ulong)(uint)imm << 32;

    private static ulong WithOffset(ulong insn, short off) => insn & ~(0xffffUL << 16) | (ulong)(ushort)off << 16;

    /// <summary>bpf(2): 321 on x86_64, 280 on arm64 (the asm-generic table).</summary>
    private static unsafe long Bpf(int cmd, void* attr, uint size) =>
        BpfSyscall(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 321 : 280, cmd, attr, size);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long BpfSyscall(long number, int cmd, void* attr, uint size);
}
