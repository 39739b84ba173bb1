using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;
using Edge.Runtime.Cgroups;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// linux.resources to cgroup files, without a kernel: the control files are plain files in a temporary
/// directory, and what the writer put in them is read back. The same conversions the cgroup v2 VM checks
/// against runc (toolchain/cgroup2-vm.sh), here in milliseconds and without root.
/// </summary>
public class CgroupWriterTests
{
    private static readonly string[] V2Files =
    {
        "memory.max", "memory.low", "memory.swap.max", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle",
        "cpuset.cpus", "cpuset.mems", "pids.max", "io.weight", "io.max", "hugetlb.2MB.max",
    };

    private static readonly string[] V1Files =
    {
        "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.swappiness",
        "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpuset.cpus", "cpuset.mems", "pids.max",
        "blkio.weight", "blkio.throttle.read_bps_device",
    };

    private static Resources Parse(string json) =>
        OciJson.Parse(Encoding.UTF8.GetBytes("{\"ociVersion\": \"1.2.1\", \"linux\": {\"resources\": " + json + "}}"), SpecReader.Spec, "config.json").Linux!.Resources!;

    /// <summary>Applies RESOURCES to a directory holding FILES (all empty) and returns the files written.</summary>
    private static Dictionary<string, string> Apply(string[] files, bool unified, string resources)
    {
        using var dir = new TempDir("edge-cgroup-");
        foreach (string f in files) File.WriteAllText(dir.Combine(f), "");
        CgroupLimits.Apply(new[] { dir.Path }, unified, Parse(resources));
        return files.Select(f => (f, File.ReadAllText(dir.Combine(f)).TrimEnd('\n')))
            .Where(p => p.Item2.Length > 0).ToDictionary(p => p.f, p => p.Item2);
    }

    public static TheoryData<string, string> V2Cases => new()
    {
        // runc's conversions: shares to weight, swap as memory+swap, quota with period, -1 as "max".
        { "{\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 100663296}}", "memory.low=33554432 memory.max=67108864 memory.swap.max=33554432" },
        { "{\"memory\": {\"limit\": -1}}", "memory.max=max" },
        { "{\"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000}}", "cpu.max=50000 100000 cpu.weight=20" },
        { "{\"cpu\": {\"shares\": 1024}}", "cpu.weight=39" },
        { "{\"cpu\": {\"quota\": -1, \"period\": 100000}}", "cpu.max=max 100000" },
        { "{\"cpu\": {\"cpus\": \"0-1\", \"mems\": \"0\"}}", "cpuset.cpus=0-1 cpuset.mems=0" },
        { "{\"pids\": {\"limit\": 30}}", "pids.max=30" },
        { "{\"pids\": {\"limit\": -1}}", "pids.max=max" },
        // Zero means "not set", as docker's update sends it.
        { "{\"memory\": {\"limit\": 0}, \"cpu\": {\"shares\": 0}, \"pids\": {\"limit\": 0}}", "" },
        { "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}", "hugetlb.2MB.max=4194304" },
        // runc: 1 + (weight - 10) * 9999 / 990.
        { "{\"blockIO\": {\"weight\": 500}}", "io.weight=4950" },
    };

    [Theory]
    [MemberData(nameof(V2Cases))]
    public void V2FilesAsRuncWritesThem(string resources, string expected) =>
        Assert.Equal(expected, Render(Apply(V2Files, unified: true, resources)));

    public static TheoryData<string, string> V1Cases => new()
    {
        { "{\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 100663296, \"swappiness\": 10}}",
          "memory.limit_in_bytes=67108864 memory.memsw.limit_in_bytes=100663296 memory.soft_limit_in_bytes=33554432 memory.swappiness=10" },
        { "{\"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000}}", "cpu.cfs_period_us=100000 cpu.cfs_quota_us=50000 cpu.shares=512" },
        { "{\"pids\": {\"limit\": 30}}", "pids.max=30" },
        { "{\"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}]}}",
          "blkio.throttle.read_bps_device=8:0 1048576 blkio.weight=500" },
    };

    [Theory]
    [MemberData(nameof(V1Cases))]
    public void V1FilesAsRuncWritesThem(string resources, string expected) =>
        Assert.Equal(expected, Render(Apply(V1Files, unified: false, resources)));

    [Fact]
    public void AMissingControllerIsOneLineNamingTheFieldAndTheFile()
    {
        var ex = Assert.Throws<RuntimeException>(() => Apply(new[] { "memory.max" }, unified: true, "{\"pids\": {\"limit\": 5}}"));
        Assert.Equal("config.json: $.linux.resources.pids.limit: the pids controller (file pids.max) is not available in this cgroup", ex.Message);
    }

    [Fact]
    public void BadDeviceRulesAreRefusedBeforeAnythingIsWritten()
    {
        var ex = Assert.Throws<RuntimeException>(() => CgroupLimits.DeviceRules(
            new List<DeviceRule> { new() { Allow = true, Type = "x", Access = "rwm" } }, new List<Device>()));
        Assert.Equal("config.json: $.linux.resources.devices[0].type: \"x\" is not a, b or c", ex.Message);
    }

    private static string Render(Dictionary<string, string> files) =>
        string.Join(' ', files.OrderBy(f => f.Key, System.StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
}
