using System.Collections.Generic;
using System.IO;
using Edge.Runtime.State;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// The state a hook is given is its phase's, not a live reading (State/ContainerStatus.cs InPhase): a short
/// process can exit between `start`'s wait for its execve and the poststart hooks, and those hooks still
/// describe the start that ran it. Under load the runtime-tools suite's hooks_stdin test saw pid 0.
/// </summary>
public class HookStateTests
{
    // A pid and start time no live process has: the process of this record has exited.
    private static ContainerRecord ExitedProcess() => new()
    {
        Id = "c1",
        Bundle = "/bundles/c1",
        Rootfs = "/bundles/c1/rootfs",
        Pid = 4_000_000,
        PidStartTime = 1,
        Created = "2026-12-01T00:00:00Z",
        Annotations = new Dictionary<string, string> { ["org.example"] = "value" },
    };

    [Fact]
    public void ALiveReadingOfAnExitedProcessIsStoppedWithoutPid()
    {
        Edge.Oci.RuntimeSpec.State live = ContainerStatus.Describe(ExitedProcess(), Path.GetTempPath());
        Assert.Equal(ContainerStatus.Stopped, live.Status);
        Assert.Equal(0, live.Pid);
    }

    [Theory]
    [InlineData("created", 4_000_000)]
    [InlineData("creating", 4_000_000)]
    [InlineData("running", 4_000_000)]
    [InlineData("stopped", 0)]
    public void HooksSeeTheirPhasesStatusAndTheRecordedPid(string status, int pid)
    {
        Edge.Oci.RuntimeSpec.State state = ContainerStatus.InPhase(ExitedProcess(), status);
        Assert.Equal(status, state.Status);
        Assert.Equal(pid, state.Pid);
        Assert.Equal("c1", state.Id);
        Assert.Equal("/bundles/c1", state.Bundle);
        Assert.Equal("value", state.Annotations!["org.example"]);
    }
}
