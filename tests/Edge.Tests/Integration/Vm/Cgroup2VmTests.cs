using System.Collections.Generic;
using Xunit;

namespace Edge.Tests.Integration.Vm;

/// <summary>
/// Boots Debian's kernel under qemu once (toolchain/cgroup2-vm.sh) with cgroup2 alone at /sys/fs/cgroup and
/// collects the results of tests/vm/cgroup2-scenarios.sh, which runs each scenario with edge and, where they
/// can, with crun and runc too.
/// </summary>
public sealed class Cgroup2Vm : VmScenarios
{
    public Cgroup2Vm() : base("cgroup2-vm.sh", 480) { }
}

public class Cgroup2VmTests : IClassFixture<Cgroup2Vm>
{
    private readonly Cgroup2Vm _vm;

    public Cgroup2VmTests(Cgroup2Vm vm) => _vm = vm;

    public static IEnumerable<object[]> Scenarios()
    {
        yield return new object[] { "vm-cgroup2-only" };
        yield return new object[] { "delegation-edge" };
        yield return new object[] { "events-oom" };
        yield return new object[] { "events-stats" };
        yield return new object[] { "cgroup-files-edge" };
        yield return new object[] { "devices-deny-edge" };
        yield return new object[] { "devices-allow-edge" };
        yield return new object[] { "no-leftover-cgroups" };
        foreach (string rt in new[] { "edge", "runc", "crun" })
        {
            foreach (string name in new[] { "lifecycle", "membership", "memory-oom", "pids-limit", "cpu-quota", "pause-resume", "seccomp" })
                yield return new object[] { $"{name}-{rt}" };
        }
        yield return new object[] { "update-edge" };
        yield return new object[] { "update-runc" };
        yield return new object[] { "cgroup-files-edge-vs-runc" };
        yield return new object[] { "devices-edge-vs-runc" };
        foreach (string name in new[] { "apparmor-loaded", "apparmor-edge", "apparmor-runc", "apparmor-edge-vs-runc", "apparmor-unknown-edge" })
            yield return new object[] { name };
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ScenarioPassesOnCgroupV2(string scenario) => _vm.AssertPassed(scenario);

    [Fact]
    public void EveryScenarioIsChecked() => _vm.AssertAllChecked(Scenarios());
}
