using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Vm;

/// <summary>
/// Boots Debian's kernel under qemu once (toolchain/cgroup2-vm.sh) with cgroup2 alone at /sys/fs/cgroup and
/// collects the results of tests/vm/cgroup2-scenarios.sh, which runs each scenario with edge and, where they
/// can, with crun and runc too.
/// </summary>
public sealed class Cgroup2Vm
{
    public Cgroup2Vm()
    {
        ProcessResult run = EdgeProcess.Run("bash", new[] { Path.Combine(EdgeProcess.RepoRoot, "toolchain", "cgroup2-vm.sh"), "--timeout", "480" },
            workingDirectory: EdgeProcess.RepoRoot, timeoutMs: 540_000);
        Console = run.Stdout.Replace("\r", "") + run.Stderr;
        foreach (string line in Console.Split('\n'))
        {
            // EDGE-VM RESULT <name> PASS|FAIL <detail>
            if (!line.StartsWith("EDGE-VM RESULT ", StringComparison.Ordinal)) continue;
            string[] parts = line.Split(' ', 5);
            if (parts.Length >= 4) Results[parts[2]] = (parts[3] == "PASS", parts.Length > 4 ? parts[4] : "");
        }
        Finished = Console.Contains("EDGE-VM END");
    }

    public string Console { get; }
    public bool Finished { get; }
    public Dictionary<string, (bool Passed, string Detail)> Results { get; } = new();
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
            foreach (string name in new[] { "lifecycle", "memory-oom", "pids-limit", "cpu-quota", "pause-resume", "seccomp" })
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
    public void ScenarioPassesOnCgroupV2(string scenario)
    {
        Assert.True(_vm.Finished, "the VM did not finish:\n" + Tail(_vm.Console));
        Assert.True(_vm.Results.TryGetValue(scenario, out var result), $"scenario {scenario} did not report:\n" + Tail(_vm.Console));
        Assert.True(result.Passed, $"{scenario}: {result.Detail}");
    }

    [Fact]
    public void EveryScenarioIsChecked()
    {
        Assert.True(_vm.Finished, "the VM did not finish:\n" + Tail(_vm.Console));
        var listed = Scenarios().Select(s => (string)s[0]).ToHashSet();
        string notChecked = string.Join(", ", _vm.Results.Keys.Where(k => !listed.Contains(k)));
        Assert.True(notChecked.Length == 0, "scenarios the VM ran that no test checks: " + notChecked);
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
