using System;
using System.Collections.Generic;
using System.Globalization;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime.Cgroups.Systemd;

/// <summary>One property of a transient unit, with its D-Bus type: b, t, s, au or ay.</summary>
public sealed record UnitProperty(string Name, string Signature, object Value)
{
    public static UnitProperty Bool(string name, bool value) => new(name, "b", value);
    public static UnitProperty UInt64(string name, ulong value) => new(name, "t", value);
    public static UnitProperty String(string name, string value) => new(name, "s", value);
    public static UnitProperty UInt32s(string name, uint[] value) => new(name, "au", value);
    public static UnitProperty Bytes(string name, byte[] value) => new(name, "ay", value);

    public override string ToString() => Value switch
    {
        uint[] u => $"{Name}=[{string.Join(' ', u)}]",
        byte[] b => $"{Name}=[{Convert.ToHexStringLower(b)}]",
        _ => $"{Name}={Convert.ToString(Value, CultureInfo.InvariantCulture)}",
    };
}

/// <summary>
/// What systemd is told about a container's unit: the properties runc sets (Delegate, accounting, the
/// PIDs) and the resources translated to systemd's names. systemd writes these into the cgroup itself
/// whenever it re-applies a unit's settings (a daemon-reload, another property changed), so a limit
/// written only to the files would be undone; edge writes the files as well (CgroupLimits), for what
/// systemd has no property for.
/// </summary>
public static class UnitProperties
{
    /// <summary>systemd's "infinity".</summary>
    public const ulong Infinity = ulong.MaxValue;

    public static List<UnitProperty> ForStart(SystemdUnitPath unit, string id, int pid, Resources? resources, bool unified)
    {
        var props = new List<UnitProperty> { UnitProperty.String("Description", $"edge container {id}") };
        if (unit.IsSlice)
        {
            props.Add(UnitProperty.String("Wants", unit.Slice));
        }
        else
        {
            props.Add(UnitProperty.String("Slice", unit.Slice));
            props.Add(UnitProperty.Bool("Delegate", true));
            props.Add(UnitProperty.UInt32s("PIDs", new[] { (uint)pid }));
        }
        props.Add(UnitProperty.Bool("DefaultDependencies", false));
        props.Add(UnitProperty.Bool("MemoryAccounting", true));
        props.Add(UnitProperty.Bool("CPUAccounting", true));
        props.Add(UnitProperty.Bool(unified ? "IOAccounting" : "BlockIOAccounting", true));
        props.Add(UnitProperty.Bool("TasksAccounting", true));
        if (resources is not null) props.AddRange(ForResources(resources, unified));
        return props;
    }

    /// <summary>The resource properties alone: what `update` sends (SetUnitProperties).</summary>
    public static List<UnitProperty> ForResources(Resources r, bool unified)
    {
        var props = new List<UnitProperty>();
        if (r.Memory is { } m)
        {
            if (m.Limit is long limit and not 0) props.Add(UnitProperty.UInt64(unified ? "MemoryMax" : "MemoryLimit", Bytes(limit)));
            if (unified && m.Reservation is long low and not 0) props.Add(UnitProperty.UInt64("MemoryLow", Bytes(low)));
            if (unified && m.Swap is long swap and not 0)
            {
                // v1's swap is memory+swap; MemorySwapMax is the swap alone (CgroupLimits refuses a swap without a limit).
                ulong swapMax = swap == -1 ? Infinity : m.Limit is long l && l > 0 ? (ulong)Math.Max(0, swap - l) : Infinity;
                props.Add(UnitProperty.UInt64("MemorySwapMax", swapMax));
            }
        }
        if (r.Cpu is { } c)
        {
            if (c.Shares is ulong shares and > 0)
                props.Add(unified ? UnitProperty.UInt64("CPUWeight", CgroupLimits.SharesToWeight(shares)) : UnitProperty.UInt64("CPUShares", shares));
            AddCpuQuota(props, c.Quota ?? 0, c.Period ?? 0);
            if (!string.IsNullOrEmpty(c.Cpus)) props.Add(UnitProperty.Bytes("AllowedCPUs", CpuMask(c.Cpus, "cpu.cpus")));
            if (!string.IsNullOrEmpty(c.Mems)) props.Add(UnitProperty.Bytes("AllowedMemoryNodes", CpuMask(c.Mems, "cpu.mems")));
        }
        if (r.Pids is { } p && p.Limit != 0) props.Add(UnitProperty.UInt64("TasksMax", p.Limit < 0 ? Infinity : (ulong)p.Limit));
        if (r.BlockIo?.Weight is ushort weight and > 0 && !unified) props.Add(UnitProperty.UInt64("BlockIOWeight", weight));
        if (unified && r.Unified is { Count: > 0 } files) AddUnified(props, files);
        return props;
    }

    private static ulong Bytes(long value) => value < 0 ? Infinity : (ulong)value;

    /// <summary>
    /// systemd keeps a quota per second in 10 ms steps: a quota that is not one is rounded up, as runc
    /// does, so the container never gets less than asked. No quota (or -1) with a period is "infinity".
    /// </summary>
    private static void AddCpuQuota(List<UnitProperty> props, long quota, ulong period)
    {
        if (period != 0) props.Add(UnitProperty.UInt64("CPUQuotaPeriodUSec", period));
        if (quota == 0 && period == 0) return;
        ulong perSecond = Infinity;
        if (quota > 0)
        {
            ulong p = period == 0 ? 100_000 : period;
            perSecond = (ulong)quota * 1_000_000 / p;
            if (perSecond % 10_000 != 0) perSecond = (perSecond / 10_000 + 1) * 10_000;
        }
        props.Add(UnitProperty.UInt64("CPUQuotaPerSecUSec", perSecond));
    }

    /// <summary>The unified keys systemd also manages, so that its next re-apply keeps them.</summary>
    private static void AddUnified(List<UnitProperty> props, Dictionary<string, string> files)
    {
        foreach ((string key, string raw) in files)
        {
            string value = raw.Trim();
            switch (key)
            {
                case "memory.max": props.Add(UnitProperty.UInt64("MemoryMax", MaxOrNumber(key, value))); break;
                case "memory.high": props.Add(UnitProperty.UInt64("MemoryHigh", MaxOrNumber(key, value))); break;
                case "memory.low": props.Add(UnitProperty.UInt64("MemoryLow", MaxOrNumber(key, value))); break;
                case "memory.min": props.Add(UnitProperty.UInt64("MemoryMin", MaxOrNumber(key, value))); break;
                case "memory.swap.max": props.Add(UnitProperty.UInt64("MemorySwapMax", MaxOrNumber(key, value))); break;
                case "pids.max": props.Add(UnitProperty.UInt64("TasksMax", MaxOrNumber(key, value))); break;
                case "cpu.weight": props.Add(UnitProperty.UInt64("CPUWeight", MaxOrNumber(key, value))); break;
                case "cpuset.cpus": props.Add(UnitProperty.Bytes("AllowedCPUs", CpuMask(value, "unified." + key))); break;
                case "cpuset.mems": props.Add(UnitProperty.Bytes("AllowedMemoryNodes", CpuMask(value, "unified." + key))); break;
                case "cpu.max":
                    string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length is 0 or > 2) throw Bad(key, value);
                    // "max" is no quota: AddCpuQuota makes it infinity, with or without a period.
                    long quota = parts[0] == "max" ? -1 : (long)Number(key, parts[0]);
                    AddCpuQuota(props, quota, parts.Length == 2 ? Number(key, parts[1]) : 0);
                    break;
            }
        }
    }

    private static ulong MaxOrNumber(string key, string value) => value == "max" ? Infinity : Number(key, value);

    private static ulong Number(string key, string value) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ? n : throw Bad(key, value);

    private static RuntimeException Bad(string key, string value) => new($"config.json: $.linux.resources.unified[\"{key}\"]: \"{value}\" is not a value systemd takes");

    /// <summary>A cpu or memory-node list ("0-3,6") as systemd's bitmask: bit N of byte N/8 is cpu N.</summary>
    public static byte[] CpuMask(string list, string field)
    {
        var bits = new List<byte>();
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            if (!int.TryParse(dash < 0 ? part : part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(dash < 0 ? part : part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first || last >= 8192)
                throw new RuntimeException($"config.json: $.linux.resources.{field}: \"{list}\" is not a list of cpus (0-3,6)");
            for (int n = first; n <= last; n++)
            {
                while (bits.Count <= n / 8) bits.Add(0);
                bits[n / 8] |= (byte)(1 << (n % 8));
            }
        }
        return bits.ToArray();
    }
}
