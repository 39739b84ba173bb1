using System;
using System.Collections.Generic;
using Edge.Runtime.Cgroups;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>Where a relative or default cgroupsPath lands (Cgroup.Place), without a kernel.</summary>
public class CgroupPlacementTests
{
    private static readonly List<CgroupHierarchy> V2 = new() { new CgroupHierarchy("/sys/fs/cgroup", "/", "", true) };

    private static readonly List<CgroupHierarchy> Hybrid = new()
    {
        new CgroupHierarchy("/sys/fs/cgroup/memory", "/", "memory", false),
        new CgroupHierarchy("/sys/fs/cgroup/blkio", "/", "blkio", false),
        new CgroupHierarchy("/sys/fs/cgroup/systemd", "/", "name=systemd", false),
        new CgroupHierarchy("/sys/fs/cgroup/unified", "/", "", true),
    };

    private static Func<string, IReadOnlyList<int>> Procs(Dictionary<string, int[]> byDir) =>
        dir => byDir.TryGetValue(dir, out int[]? pids) ? pids : Array.Empty<int>();

    [Fact]
    public void V2EdgeAloneInAUnitMovesAsideAndTheContainerStaysInTheUnit()
    {
        var own = new Dictionary<string, string> { [""] = "/system.slice/edge-busybox.service" };
        Cgroup cg = Cgroup.Place("edge-busybox", V2, own,
            Procs(new() { ["/sys/fs/cgroup/system.slice/edge-busybox.service"] = new[] { Environment.ProcessId } }));
        Assert.Equal(new[] { "/sys/fs/cgroup/system.slice/edge-busybox.service/edge-busybox" }, cg.Directories);
        Assert.Equal("/sys/fs/cgroup/system.slice/edge-busybox.service/edge-supervisor", cg.SupervisorDirectory);
    }

    [Fact]
    public void V2WithOtherProcessesUsesTheParentAsRuncDoes()
    {
        var own = new Dictionary<string, string> { [""] = "/user.slice/user-0.slice/session-1.scope" };
        Cgroup cg = Cgroup.Place("c1", V2, own,
            Procs(new() { ["/sys/fs/cgroup/user.slice/user-0.slice/session-1.scope"] = new[] { 1234, Environment.ProcessId } }));
        Assert.Equal(new[] { "/sys/fs/cgroup/user.slice/user-0.slice/c1" }, cg.Directories);
        Assert.Null(cg.SupervisorDirectory);
    }

    [Fact]
    public void V2AtTheRootStaysUnderTheRoot()
    {
        Cgroup cg = Cgroup.Place("c1", V2, new Dictionary<string, string> { [""] = "/" }, Procs(new()));
        Assert.Equal(new[] { "/sys/fs/cgroup/c1" }, cg.Directories);
        Assert.Null(cg.SupervisorDirectory);
    }

    [Fact]
    public void AnAbsolutePathIsTakenAsGiven()
    {
        var own = new Dictionary<string, string> { [""] = "/system.slice/x.service" };
        Cgroup cg = Cgroup.Place("/machine/c1", V2, own, Procs(new() { ["/sys/fs/cgroup/system.slice/x.service"] = new[] { Environment.ProcessId } }));
        Assert.Equal(new[] { "/sys/fs/cgroup/machine/c1" }, cg.Directories);
        Assert.Null(cg.SupervisorDirectory);
    }

    [Fact]
    public void DotDotNeverLeavesTheHierarchy()
    {
        var own = new Dictionary<string, string> { [""] = "/a" };
        Cgroup cg = Cgroup.Place("../../../../etc", V2, own, Procs(new()));
        Assert.Equal(new[] { "/sys/fs/cgroup/etc" }, cg.Directories);
    }

    [Fact]
    public void HybridControllerSystemdLeavesAtTheRootFollowsTheUnit()
    {
        var own = new Dictionary<string, string>
        {
            ["memory"] = "/system.slice/edge-busybox.service",
            ["blkio"] = "/",
            ["name=systemd"] = "/system.slice/edge-busybox.service",
            [""] = "/system.slice/edge-busybox.service",
        };
        Cgroup cg = Cgroup.Place("edge-busybox", Hybrid, own, Procs(new()));
        Assert.Equal(new[]
        {
            "/sys/fs/cgroup/memory/system.slice/edge-busybox.service/edge-busybox",
            "/sys/fs/cgroup/blkio/system.slice/edge-busybox.service/edge-busybox",
            "/sys/fs/cgroup/systemd/system.slice/edge-busybox.service/edge-busybox",
            "/sys/fs/cgroup/unified/system.slice/edge-busybox.service/edge-busybox",
        }, cg.Directories);
        Assert.Null(cg.SupervisorDirectory); // v1 has no rule against processes beside child cgroups
    }

    [Fact]
    public void HybridWithoutSystemdKeepsEachControllersOwnPath()
    {
        var own = new Dictionary<string, string> { ["memory"] = "/", ["blkio"] = "/", [""] = "/" };
        var noSystemd = Hybrid.FindAll(h => h.Controllers != "name=systemd");
        Cgroup cg = Cgroup.Place("c1", noSystemd, own, Procs(new()));
        Assert.Equal(new[] { "/sys/fs/cgroup/memory/c1", "/sys/fs/cgroup/blkio/c1", "/sys/fs/cgroup/unified/c1" }, cg.Directories);
    }

    [Fact]
    public void AContainerNamedLikeTheLeafFallsBackToTheParent()
    {
        var own = new Dictionary<string, string> { [""] = "/system.slice/x.service" };
        Cgroup cg = Cgroup.Place(Cgroup.SupervisorLeaf, V2, own,
            Procs(new() { ["/sys/fs/cgroup/system.slice/x.service"] = new[] { Environment.ProcessId } }));
        Assert.Equal(new[] { "/sys/fs/cgroup/system.slice/" + Cgroup.SupervisorLeaf }, cg.Directories);
        Assert.Null(cg.SupervisorDirectory);
    }
}
