using System.Collections.Generic;
using Edge.Runtime.Cgroups;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// The cgroup v2 device program, run here by a small interpreter of the few BPF instructions it uses; the
/// cgroup2 VM (Integration/Vm) runs the same programs in the kernel.
/// </summary>
public class DeviceFilterTests
{
    private const int Block = 1, Char = 2, Mknod = 1, Read = 2, Write = 4;

    private static readonly List<DeviceAccessRule> DenyAllThenDefaults = CgroupLimits.DeviceRules(
        new List<Edge.Oci.RuntimeSpec.DeviceRule> { new() { Allow = false, Access = "rwm" } }, new List<Edge.Oci.RuntimeSpec.Device>());

    [Theory]
    [InlineData(Char, 1, 3, Read | Write, true)]   // /dev/null
    [InlineData(Char, 136, 4, Read | Write, true)] // a pty, major-only rule
    [InlineData(Char, 10, 259, Mknod, true)]       // mknod of anything: "c *:* m"
    [InlineData(Char, 10, 259, Read, false)]       // opening it: nothing allows it
    [InlineData(Block, 8, 0, Read, false)]         // a disk
    [InlineData(Block, 8, 0, Mknod, true)]
    [InlineData(Char, 1, 1, Read, false)]          // /dev/mem
    public void DefaultDevicesAfterDenyAll(int type, int major, int minor, int access, bool allowed)
    {
        Assert.Equal(allowed, Run(DeviceFilter.Compile(DenyAllThenDefaults), type, major, minor, access));
    }

    [Fact]
    public void LaterRuleWinsAndPartialAccessIsExact()
    {
        var rules = new List<DeviceAccessRule>
        {
            new(true, 'a', -1, -1, "rwm"),
            new(false, 'c', 1, 3, "w"),  // /dev/null read-only
            new(false, 'b', -1, -1, "rwm"),
            new(true, 'b', 8, 0, "r"),   // one disk readable
        };
        ulong[] program = DeviceFilter.Compile(rules);
        Assert.True(Run(program, Char, 1, 3, Read));
        Assert.False(Run(program, Char, 1, 3, Write));
        Assert.False(Run(program, Char, 1, 3, Read | Write)); // a deny rule matches any requested bit it names
        Assert.True(Run(program, Char, 5, 1, Read | Write));
        Assert.True(Run(program, Block, 8, 0, Read));
        Assert.False(Run(program, Block, 8, 0, Read | Write)); // an allow rule must grant every requested bit
        Assert.False(Run(program, Block, 8, 16, Read));
    }

    [Fact]
    public void AllowAllAloneEndsTheProgram()
    {
        // Nothing after an unconditional rule: the verifier refuses unreachable instructions.
        ulong[] program = DeviceFilter.Compile(new List<DeviceAccessRule> { new(false, 'c', 1, 3, "rwm"), new(true, 'a', -1, -1, "rwm") });
        Assert.Equal(0x95UL, program[^1] & 0xff);
        Assert.Equal(8, program.Length); // six loads, r0 = 1, exit
        Assert.True(Run(program, Char, 1, 3, Read));
    }

    /// <summary>Runs the program on struct bpf_cgroup_dev_ctx { access << 16 | type, major, minor }.</summary>
    private static bool Run(ulong[] program, int type, int major, int minor, int access)
    {
        uint[] ctx = { (uint)(access << 16 | type), (uint)major, (uint)minor };
        var r = new ulong[11];
        for (int pc = 0, steps = 0; pc < program.Length && steps < 10_000; pc++, steps++)
        {
            ulong insn = program[pc];
            byte code = (byte)insn;
            int dst = (int)(insn >> 8) & 0xf, src = (int)(insn >> 12) & 0xf;
            short off = (short)(insn >> 16);
            int imm = (int)(insn >> 32);
            switch (code)
            {
                case 0x61: Assert.Equal(1, src); r[dst] = ctx[off / 4]; break;           // ldxw from ctx
                case 0x54: r[dst] = (uint)r[dst] & (uint)imm; break;                       // w &= imm
                case 0x74: r[dst] = (uint)r[dst] >> imm; break;                            // w >>= imm
                case 0xbf: r[dst] = r[src]; break;                                         // mov reg
                case 0x57: r[dst] &= (ulong)(long)imm; break;                              // and imm
                case 0xb7: r[dst] = (ulong)(long)imm; break;                               // mov imm
                case 0x55: if (r[dst] != (ulong)(long)imm) pc += off; break;               // jne
                case 0x15: if (r[dst] == (ulong)(long)imm) pc += off; break;               // jeq
                case 0x95: return r[0] == 1;                                               // exit
                default: Assert.Fail($"unexpected opcode 0x{code:x2} at {pc}"); break;
            }
        }
        Assert.Fail("the program ran off its end");
        return false;
    }
}
