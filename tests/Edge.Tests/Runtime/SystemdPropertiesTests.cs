using System.Collections.Generic;
using System.Linq;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;
using Edge.Runtime.Cgroups.Systemd;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// --systemd-cgroup without systemd: how "slice:prefix:name" becomes a unit and a cgroup, and what systemd
/// is told. The values are runc 1.1's for the same config (checked against it in tests/vm/systemd-scenarios.sh).
/// </summary>
public class SystemdPropertiesTests
{
    [Theory]
    [InlineData("system.slice:docker:abc", "system.slice", "docker-abc.scope", "/system.slice/docker-abc.scope")]
    [InlineData(":edgevm:c1", "system.slice", "edgevm-c1.scope", "/system.slice/edgevm-c1.scope")]
    [InlineData("kubepods-besteffort.slice:cri-containerd:0123", "kubepods-besteffort.slice", "cri-containerd-0123.scope", "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-0123.scope")]
    [InlineData("-.slice::c1", "-.slice", "c1.scope", "/c1.scope")]
    [InlineData("system.slice:x:machine-a.slice", "system.slice", "machine-a.slice", "/machine.slice/machine-a.slice")]
    public void SliceColonPrefixColonNameIsTheUnitRuncMakes(string path, string slice, string unit, string cgroup)
    {
        SystemdUnitPath parsed = SystemdUnitPath.Parse(path, "id");
        Assert.Equal(slice, parsed.Slice);
        Assert.Equal(unit, parsed.Unit);
        Assert.Equal(cgroup, parsed.CgroupPath);
    }

    [Fact]
    public void NoCgroupsPathIsAnEdgeScopeInSystemSlice()
    {
        SystemdUnitPath parsed = SystemdUnitPath.Parse(null, "web");
        Assert.Equal("edge-web.scope", parsed.Unit);
        Assert.Equal("/system.slice/edge-web.scope", parsed.CgroupPath);
    }

    [Theory]
    [InlineData("/machine/c1", "slice:prefix:name")]
    [InlineData("a:b:c:d", "slice:prefix:name")]
    [InlineData("system.slice:p:", "name")]
    [InlineData("system:p:c1", "not a systemd slice name")]
    [InlineData("a--b.slice:p:c1", "not a systemd slice name")]
    [InlineData("-a.slice:p:c1", "not a systemd slice name")]
    [InlineData("system.slice:p:../../x", "not a valid systemd unit name")]
    [InlineData("system.slice:p:a/b", "not a valid systemd unit name")]
    [InlineData("system.slice:p:a b", "not a valid systemd unit name")]
    public void MalformedPathsAreRefused(string path, string message)
    {
        var ex = Assert.Throws<RuntimeException>(() => SystemdUnitPath.Parse(path, "id"));
        Assert.Contains(message, ex.Message);
    }

    private static Dictionary<string, object> Props(List<UnitProperty> list) => list.ToDictionary(p => p.Name, p => p.Value);

    [Fact]
    public void ScopeStartsWithDelegateTheInitAndAccounting()
    {
        var p = Props(UnitProperties.ForStart(SystemdUnitPath.Parse("system.slice:edge:c1", "c1"), "c1", 4242, null, unified: true));
        Assert.Equal("system.slice", p["Slice"]);
        Assert.Equal(true, p["Delegate"]);
        Assert.Equal(new uint[] { 4242 }, p["PIDs"]);
        Assert.Equal(false, p["DefaultDependencies"]);
        foreach (string accounting in new[] { "MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting" })
            Assert.Equal(true, p[accounting]);
    }

    [Fact]
    public void ResourcesBecomeSystemdsNamesOnV2()
    {
        var r = new Resources
        {
            Memory = new MemoryResources { Limit = 67108864, Reservation = 1048576, Swap = 134217728 },
            Pids = new PidsResources { Limit = 64 },
            Cpu = new CpuResources { Shares = 512, Quota = 50000, Period = 100000, Cpus = "0-2,9", Mems = "0" },
        };
        var p = Props(UnitProperties.ForResources(r, unified: true));
        Assert.Equal(67108864UL, p["MemoryMax"]);
        Assert.Equal(1048576UL, p["MemoryLow"]);
        Assert.Equal(67108864UL, p["MemorySwapMax"]); // v1's memory+swap minus memory
        Assert.Equal(64UL, p["TasksMax"]);
        Assert.Equal(20UL, p["CPUWeight"]);
        Assert.Equal(500_000UL, p["CPUQuotaPerSecUSec"]);
        Assert.Equal(100_000UL, p["CPUQuotaPeriodUSec"]);
        Assert.Equal(new byte[] { 0b0000_0111, 0b0000_0010 }, p["AllowedCPUs"]);
        Assert.Equal(new byte[] { 1 }, p["AllowedMemoryNodes"]);
    }

    [Fact]
    public void UnlimitedIsInfinityAndAQuotaRoundsUpToTenMilliseconds()
    {
        var r = new Resources
        {
            Memory = new MemoryResources { Limit = -1 },
            Pids = new PidsResources { Limit = -1 },
            Cpu = new CpuResources { Quota = 12345, Period = 100000 },
        };
        var p = Props(UnitProperties.ForResources(r, unified: true));
        Assert.Equal(ulong.MaxValue, p["MemoryMax"]);
        Assert.Equal(ulong.MaxValue, p["TasksMax"]);
        Assert.Equal(130_000UL, p["CPUQuotaPerSecUSec"]); // 123.45 ms per second, up to 130 ms
    }

    [Fact]
    public void V1UsesTheOlderNames()
    {
        var r = new Resources { Memory = new MemoryResources { Limit = 1 << 20 }, Cpu = new CpuResources { Shares = 512 }, BlockIo = new BlockIo { Weight = 300 } };
        var p = Props(UnitProperties.ForResources(r, unified: false));
        Assert.Equal((ulong)(1 << 20), p["MemoryLimit"]);
        Assert.Equal(512UL, p["CPUShares"]);
        Assert.Equal(300UL, p["BlockIOWeight"]);
        Assert.False(p.ContainsKey("MemoryMax"));
    }

    [Fact]
    public void UnifiedKeysSystemdManagesBecomeProperties()
    {
        var r = new Resources { Unified = new() { ["memory.high"] = "max", ["pids.max"] = "7", ["cpu.max"] = "20000 50000", ["io.weight"] = "100" } };
        var p = Props(UnitProperties.ForResources(r, unified: true));
        Assert.Equal(ulong.MaxValue, p["MemoryHigh"]);
        Assert.Equal(7UL, p["TasksMax"]);
        Assert.Equal(400_000UL, p["CPUQuotaPerSecUSec"]);
        Assert.Equal(50_000UL, p["CPUQuotaPeriodUSec"]);
        Assert.False(p.ContainsKey("IOWeight")); // left to the file
        Assert.Throws<RuntimeException>(() => UnitProperties.ForResources(new Resources { Unified = new() { ["pids.max"] = "-3" } }, true));
        Assert.Equal(ulong.MaxValue, Props(UnitProperties.ForResources(new Resources { Unified = new() { ["cpu.max"] = "max" } }, true))["CPUQuotaPerSecUSec"]);
        var maxWithPeriod = Props(UnitProperties.ForResources(new Resources { Unified = new() { ["cpu.max"] = "max 50000" } }, true));
        Assert.Equal(ulong.MaxValue, maxWithPeriod["CPUQuotaPerSecUSec"]);
        Assert.Equal(50_000UL, maxWithPeriod["CPUQuotaPeriodUSec"]);
    }

    [Theory]
    [InlineData("3-1")]
    [InlineData("a")]
    [InlineData("0-99999")]
    public void BadCpuListsAreRefused(string list)
    {
        Assert.Throws<RuntimeException>(() => UnitProperties.CpuMask(list, "cpu.cpus"));
    }
}
