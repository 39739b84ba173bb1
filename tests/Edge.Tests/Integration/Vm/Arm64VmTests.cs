using System.Collections.Generic;
using Xunit;

namespace Edge.Tests.Integration.Vm;

/// <summary>
/// Boots Debian's arm64 kernel under qemu-system-aarch64 once (toolchain/arm64-vm.sh): cgroup v2 only, the
/// cross-built arm64 edge, Debian's arm64 busybox, crun and runc. Every cgroup v2 scenario runs there with all
/// three runtimes (tests/vm/cgroup2-scenarios.sh), then the arm64 ones (tests/vm/arm64-scenarios.sh).
/// </summary>
public sealed class Arm64Vm : VmScenarios
{
    public Arm64Vm() : base("arm64-vm.sh", 420) { }
}

public class Arm64VmTests : IClassFixture<Arm64Vm>
{
    private readonly Arm64Vm _vm;

    public Arm64VmTests(Arm64Vm vm) => _vm = vm;

    public static IEnumerable<object[]> Scenarios()
    {
        foreach (object[] scenario in Cgroup2VmTests.Scenarios())
            yield return scenario;
        foreach (string name in new[]
                 {
                     "arm64-machine", "static-empty-chroot", "features-aarch64", "exec-edge", "image-load-arm64",
                     "image-run-default", "image-run-arm64", "image-run-no-leftovers",
                 })
            yield return new object[] { name };
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ScenarioPassesOnArm64(string scenario) => _vm.AssertPassed(scenario);

    [Fact]
    public void EveryScenarioIsChecked() => _vm.AssertAllChecked(Scenarios());
}
