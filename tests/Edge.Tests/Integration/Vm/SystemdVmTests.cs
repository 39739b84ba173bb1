using System.Collections.Generic;
using Xunit;

namespace Edge.Tests.Integration.Vm;

/// <summary>
/// Boots Debian bookworm with systemd 252 as PID 1 on cgroup v2 under qemu once (toolchain/systemd-vm.sh)
/// and collects tests/vm/systemd-scenarios.sh's results: the sample unit and generated ones with edge as
/// their main process, --systemd-cgroup scopes over D-Bus (edge run, and containerd's runc shim with
/// SystemdCgroup), each compared with runc where runc applies.
/// </summary>
public sealed class SystemdVm : VmScenarios
{
    public SystemdVm() : base("systemd-vm.sh", 540) { }
}

public class SystemdVmTests : IClassFixture<SystemdVm>
{
    private readonly SystemdVm _vm;

    public SystemdVmTests(SystemdVm vm) => _vm = vm;

    public static IEnumerable<object[]> Scenarios()
    {
        foreach (string name in new[]
        {
            "vm-systemd-cgroup2", "image-loaded", "unit-starts", "unit-cgroup", "unit-journal", "unit-sigkill-restart", "unit-stop",
            "unit-plain-stale-cleanup", "unit-restart-on-failure", "unit-sd-notify-container", "systemd-cgroup-edge-vs-runc",
        })
            yield return new object[] { name };
        foreach (string rt in new[] { "edge", "runc" })
        {
            foreach (string name in new[] { "systemd-cgroup-scope", "systemd-cgroup-update", "systemd-cgroup-removed", "containerd-systemd-cgroup" })
                yield return new object[] { $"{name}-{rt}" };
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ScenarioPassesUnderSystemd(string scenario) => _vm.AssertPassed(scenario);

    [Fact]
    public void EveryScenarioIsChecked() => _vm.AssertAllChecked(Scenarios());
}
