using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime.Cgroups;

/// <summary>
/// Writes linux.resources into a container's cgroup: the v1 controller files (in whichever hierarchy directory
/// has them) or the v2 ones, with the conversions runc uses on v2 (shares to cpu.weight, blkio weight to
/// io.weight, swap as memory+swap to memory.swap.max). Used by create and by `update`.
/// Device rules (the spec's, then runc's default allowed devices) go to devices.deny/devices.allow on v1 and
/// into an eBPF program on v2 (<see cref="DeviceFilter"/>).
/// </summary>
public static class CgroupLimits
{
    /// <summary>runc's AllowedDevices: mknod of anything, and the devices every container gets.</summary>
    private static readonly DeviceAccessRule[] DefaultAllowed =
    {
        new(true, 'c', -1, -1, "m"), new(true, 'b', -1, -1, "m"), new(true, 'c', 1, 3, "rwm"), new(true, 'c', 1, 8, "rwm"),
        new(true, 'c', 1, 7, "rwm"), new(true, 'c', 5, 0, "rwm"), new(true, 'c', 1, 5, "rwm"), new(true, 'c', 1, 9, "rwm"),
        new(true, 'c', 136, -1, "rwm"), new(true, 'c', 5, 2, "rwm"), new(true, 'c', 10, 200, "rwm"),
    };

    /// <summary>Where the limits came from, as errors name them: config.json, or `update` (its flags or --resources).</summary>
    public const string FromConfig = "config.json: $.linux.resources", FromUpdate = "update: linux.resources";

    /// <summary>
    /// Zero means "not set" for memory (limit, reservation, swap, kernelTCP), cpu (shares, quota, period, realtime
    /// ones) and pids, as in runc: docker's `update --cpus` sends a zero memory limit it does not mean.
    /// </summary>
    /// <param name="devices">linux.devices, which are allowed too (as runc does); null on `update`.</param>
    public static void Apply(IReadOnlyList<string> directories, bool unified, Resources resources, IReadOnlyList<Device>? devices = null, string origin = FromConfig)
    {
        var files = new ControlFiles(directories, origin);
        List<DeviceAccessRule>? rules = resources.Devices is { Count: > 0 } && devices is not null ? DeviceRules(resources.Devices, devices, origin) : null;
        if (unified)
        {
            ApplyV2(new ControlFiles(new[] { directories[0] }, origin), resources);
            if (rules is not null) DeviceFilter.Attach(directories[0], rules);
        }
        else
        {
            ApplyV1(files, resources);
            if (rules is not null && Find(files, "devices.allow") is string allow) // else no devices controller is mounted
            {
                // Found once, not per rule: each lookup probes every hierarchy's directory. devices.deny is
                // devices.allow's sibling.
                string deny = Path.Combine(Path.GetDirectoryName(allow)!, "devices.deny");
                foreach (DeviceAccessRule rule in rules) WritePath(files, rule.Allow ? allow : deny, rule.ToString(), "devices");
            }
        }
    }

    /// <summary>A cgroup's directories (v1: one per hierarchy) and the name errors give the limits' source.</summary>
    private sealed record ControlFiles(IReadOnlyList<string> Dirs, string Origin);

    /// <summary>
    /// The spec's linux.resources.devices in order, then runc's default allowed devices and linux.devices:
    /// one list for v1's files and v2's eBPF program alike.
    /// </summary>
    public static List<DeviceAccessRule> DeviceRules(List<DeviceRule> spec, IReadOnlyList<Device> devices, string origin = FromConfig)
    {
        var rules = new List<DeviceAccessRule>();
        for (int i = 0; i < spec.Count; i++)
        {
            DeviceRule rule = spec[i];
            string type = string.IsNullOrEmpty(rule.Type) ? "a" : rule.Type;
            if (type is not ("a" or "b" or "c")) throw new RuntimeException($"{origin}.devices[{i}].type: \"{type}\" is not a, b or c");
            string access = string.IsNullOrEmpty(rule.Access) ? "rwm" : rule.Access;
            foreach (char c in access)
                if (c is not ('r' or 'w' or 'm')) throw new RuntimeException($"{origin}.devices[{i}].access: \"{access}\" may hold only r, w and m");
            rules.Add(new DeviceAccessRule(rule.Allow, type[0], rule.Major is long major && major >= 0 ? major : -1, rule.Minor is long minor && minor >= 0 ? minor : -1, access));
        }
        rules.AddRange(DefaultAllowed);
        foreach (Device d in devices)
            if (d.Type is "c" or "b" or "u") rules.Add(new DeviceAccessRule(true, d.Type == "b" ? 'b' : 'c', d.Major, d.Minor, "rwm"));
        return rules;
    }

    private static void ApplyV1(ControlFiles dirs, Resources r)
    {
        if (r.Memory is { } m)
        {
            // memory+swap must stay >= memory: raise memsw first when the limit grows, last when it shrinks.
            string? memsw = m.Swap is long swap and not 0 ? Value(swap) : null;
            bool memswFirst = m.Limit is long l && (l == -1 || l > ReadLong(dirs, "memory.limit_in_bytes"));
            if (memsw is not null && memswFirst) Write(dirs, "memory.memsw.limit_in_bytes", memsw, "memory.swap");
            if (m.Limit is long limit and not 0) Write(dirs, "memory.limit_in_bytes", Value(limit), "memory.limit");
            if (memsw is not null && !memswFirst) Write(dirs, "memory.memsw.limit_in_bytes", memsw, "memory.swap");
            if (m.Reservation is long reservation and not 0) Write(dirs, "memory.soft_limit_in_bytes", Value(reservation), "memory.reservation");
            if (m.KernelTcp is long tcp and not 0) Write(dirs, "memory.kmem.tcp.limit_in_bytes", Value(tcp), "memory.kernelTCP");
            if (m.Swappiness is ulong swappiness and <= 100) Write(dirs, "memory.swappiness", Num(swappiness), "memory.swappiness");
            if (m.DisableOomKiller == true) Write(dirs, "memory.oom_control", "1", "memory.disableOOMKiller");
        }
        if (r.Cpu is { } c)
        {
            if (c.Shares is ulong shares and > 0) Write(dirs, "cpu.shares", Num(shares), "cpu.shares");
            // The period first: a quota larger than the current period may be refused otherwise.
            if (c.Period is ulong period and > 0) Write(dirs, "cpu.cfs_period_us", Num(period), "cpu.period");
            if (c.Quota is long quota && quota != 0) Write(dirs, "cpu.cfs_quota_us", Num(quota), "cpu.quota");
            if (c.Burst is ulong burst) Write(dirs, "cpu.cfs_burst_us", Num(burst), "cpu.burst");
            if (c.RealtimePeriod is ulong rtPeriod and > 0) Write(dirs, "cpu.rt_period_us", Num(rtPeriod), "cpu.realtimePeriod");
            if (c.RealtimeRuntime is long rtRuntime && rtRuntime != 0) Write(dirs, "cpu.rt_runtime_us", Num(rtRuntime), "cpu.realtimeRuntime");
            if (!string.IsNullOrEmpty(c.Cpus)) Write(dirs, "cpuset.cpus", c.Cpus, "cpu.cpus");
            if (!string.IsNullOrEmpty(c.Mems)) Write(dirs, "cpuset.mems", c.Mems, "cpu.mems");
        }
        if (r.Pids is { Limit: not 0 } p) Write(dirs, "pids.max", p.Limit > 0 ? Num(p.Limit) : "max", "pids.limit");
        if (r.BlockIo is { } b)
        {
            if (b.Weight is ushort weight and > 0) Write(dirs, HasFile(dirs, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight", Num(weight), "blockIO.weight");
            if (b.LeafWeight is ushort leaf and > 0) Write(dirs, "blkio.leaf_weight", Num(leaf), "blockIO.leafWeight");
            foreach (WeightDevice d in b.WeightDevice ?? new List<WeightDevice>())
                if (d.Weight is ushort w) Write(dirs, HasFile(dirs, "blkio.weight_device") ? "blkio.weight_device" : "blkio.bfq.weight_device", $"{d.Major}:{d.Minor} {w}", "blockIO.weightDevice");
            Throttle(dirs, b.ThrottleReadBpsDevice, "blkio.throttle.read_bps_device");
            Throttle(dirs, b.ThrottleWriteBpsDevice, "blkio.throttle.write_bps_device");
            Throttle(dirs, b.ThrottleReadIopsDevice, "blkio.throttle.read_iops_device");
            Throttle(dirs, b.ThrottleWriteIopsDevice, "blkio.throttle.write_iops_device");
        }
        foreach (HugepageLimit h in r.HugepageLimits ?? new List<HugepageLimit>())
            Write(dirs, $"hugetlb.{h.PageSize}.limit_in_bytes", Num(h.Limit), "hugepageLimits");
        if (r.Network is { } n)
        {
            if (n.ClassId is uint classId) Write(dirs, "net_cls.classid", Num(classId), "network.classID");
            foreach (InterfacePriority ip in n.Priorities ?? new List<InterfacePriority>())
                Write(dirs, "net_prio.ifpriomap", $"{ip.Name} {ip.Priority}", "network.priorities");
        }
        Rdma(dirs, r.Rdma);
        if (r.Unified is { Count: > 0 })
            throw new RuntimeException($"{dirs.Origin}.unified: cgroup v2 keys on a cgroup v1 host");
    }

    private static void ApplyV2(ControlFiles dirs, Resources r)
    {
        if (r.Memory is { } m)
        {
            if (m.Limit is long limit and not 0) Write(dirs, "memory.max", limit == -1 ? "max" : Num(limit), "memory.limit");
            if (m.Swap is long swap and not 0)
            {
                // v1's swap is memory+swap; v2's swap.max is the swap alone.
                string value = swap == -1 ? "max" : m.Limit is long l && l > 0 ? Num(Math.Max(0, swap - l)) : throw new RuntimeException($"{dirs.Origin}.memory.swap: needs memory.limit on cgroup v2");
                Write(dirs, "memory.swap.max", value, "memory.swap");
            }
            if (m.Reservation is long reservation and not 0) Write(dirs, "memory.low", reservation == -1 ? "max" : Num(reservation), "memory.reservation");
            // kernelTCP has no cgroup v2 file (TCP memory is part of memory.max there); runc leaves it too.
            if (m.DisableOomKiller == true) throw new RuntimeException($"{dirs.Origin}.memory.disableOOMKiller: not available on cgroup v2");
        }
        if (r.Cpu is { } c)
        {
            if (c.Shares is ulong shares and > 0) Write(dirs, "cpu.weight", Num(SharesToWeight(shares)), "cpu.shares");
            if (c.Quota is long quota && quota != 0 || c.Period is > 0)
            {
                string max = c.Quota is long q && q > 0 ? Num(q) : "max";
                Write(dirs, "cpu.max", c.Period is ulong period and > 0 ? $"{max} {period}" : max, "cpu.quota");
            }
            if (c.Burst is ulong burst) Write(dirs, "cpu.max.burst", Num(burst), "cpu.burst");
            if (c.Idle is long idle) Write(dirs, "cpu.idle", Num(idle), "cpu.idle");
            if (!string.IsNullOrEmpty(c.Cpus)) Write(dirs, "cpuset.cpus", c.Cpus, "cpu.cpus");
            if (!string.IsNullOrEmpty(c.Mems)) Write(dirs, "cpuset.mems", c.Mems, "cpu.mems");
        }
        if (r.Pids is { Limit: not 0 } p) Write(dirs, "pids.max", p.Limit > 0 ? Num(p.Limit) : "max", "pids.limit");
        if (r.BlockIo is { } b)
        {
            if (b.Weight is ushort weight and > 0) Write(dirs, "io.weight", Num(BlkioWeightToIoWeight(weight)), "blockIO.weight");
            foreach (WeightDevice d in b.WeightDevice ?? new List<WeightDevice>())
                if (d.Weight is ushort w) Write(dirs, "io.weight", $"{d.Major}:{d.Minor} {BlkioWeightToIoWeight(w)}", "blockIO.weightDevice");
            IoMax(dirs, b.ThrottleReadBpsDevice, "rbps");
            IoMax(dirs, b.ThrottleWriteBpsDevice, "wbps");
            IoMax(dirs, b.ThrottleReadIopsDevice, "riops");
            IoMax(dirs, b.ThrottleWriteIopsDevice, "wiops");
        }
        foreach (HugepageLimit h in r.HugepageLimits ?? new List<HugepageLimit>())
            Write(dirs, $"hugetlb.{h.PageSize}.max", Num(h.Limit), "hugepageLimits");
        Rdma(dirs, r.Rdma);
        foreach (var (key, value) in r.Unified ?? new Dictionary<string, string>())
        {
            if (key.Contains('/') || key.StartsWith('.')) throw new RuntimeException($"{dirs.Origin}.unified: invalid key \"{key}\"");
            Write(dirs, key, value, "unified." + key);
        }
    }

    /// <summary>rdma.max lines ("mlx5_0 hca_handle=2 hca_object=max"), the same file on v1 and v2.</summary>
    private static void Rdma(ControlFiles dirs, Dictionary<string, RdmaLimit>? limits)
    {
        foreach (var (device, limit) in limits ?? new Dictionary<string, RdmaLimit>())
        {
            if (device.Length == 0 || device.Contains(' ') || device.Contains('\n'))
                throw new RuntimeException($"{dirs.Origin}.rdma: invalid device name \"{device}\"");
            if (limit.HcaHandles is null && limit.HcaObjects is null) continue;
            string handles = limit.HcaHandles is uint h ? Num(h) : "max";
            string objects = limit.HcaObjects is uint o ? Num(o) : "max";
            Write(dirs, "rdma.max", $"{device} hca_handle={handles} hca_object={objects}", $"rdma.{device}");
        }
    }

    /// <summary>runc's conversion of a v1 blkio weight [10, 1000] to cgroup v2 io.weight [1, 10000].</summary>
    private static long BlkioWeightToIoWeight(ushort weight) => 1 + (weight - 10) * 9999 / 990;

    /// <summary>runc's conversion of cpu shares [2, 262144] to cgroup v2 cpu.weight [1, 10000].</summary>
    public static ulong SharesToWeight(ulong shares) => shares == 0 ? 0 : 1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142;

    private static void Throttle(ControlFiles dirs, List<ThrottleDevice>? devices, string file)
    {
        foreach (ThrottleDevice d in devices ?? new List<ThrottleDevice>()) Write(dirs, file, $"{d.Major}:{d.Minor} {d.Rate}", "blockIO." + file);
    }

    private static void IoMax(ControlFiles dirs, List<ThrottleDevice>? devices, string key)
    {
        foreach (ThrottleDevice d in devices ?? new List<ThrottleDevice>()) Write(dirs, "io.max", $"{d.Major}:{d.Minor} {key}={d.Rate}", "blockIO." + key);
    }

    private static string Value(long bytes) => bytes == -1 ? "-1" : Num(bytes);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Num(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool HasFile(ControlFiles dirs, string file) => Find(dirs, file) is not null;

    private static string? Find(ControlFiles dirs, string file)
    {
        foreach (string dir in dirs.Dirs)
            if (File.Exists(Path.Combine(dir, file))) return Path.Combine(dir, file);
        return null;
    }

    private static long ReadLong(ControlFiles dirs, string file) =>
        Find(dirs, file) is string path && long.TryParse(SysFile.ReadText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : long.MaxValue;

    /// <summary>Writes one control file; a missing controller or a refused value is a one-line error naming both.</summary>
    private static void Write(ControlFiles dirs, string file, string value, string field)
    {
        string? path = Find(dirs, file);
        if (path is null)
            throw new RuntimeException($"{dirs.Origin}.{field}: the {file.Split('.')[0]} controller (file {file}) is not available in this cgroup");
        WritePath(dirs, path, value, field);
    }

    private static void WritePath(ControlFiles dirs, string path, string value, string field)
    {
        try
        {
            SysFile.WriteText(path, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException($"{dirs.Origin}.{field}: writing \"{value}\" to {path}: {Edge.Linux.ErrorText.Describe(ex)}");
        }
    }
}
