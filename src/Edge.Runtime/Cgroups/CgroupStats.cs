using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace Edge.Runtime.Cgroups;

/// <summary>
/// A container's resource usage from its cgroup files, written as the "data" of runc's stats event (cpu,
/// memory, pids, blkio, hugetlb, with runc's field names and its omit-if-zero habits). v1 reads
/// cpuacct/cpu/memory/pids/blkio; v2 reads cpu.stat, memory.*, pids.*, io.stat.
/// </summary>
public static class CgroupStats
{
    private const long NanosPerTick = 10_000_000; // cpuacct.stat counts USER_HZ (100) ticks

    public static void Write(Utf8JsonWriter w, IReadOnlyList<string> dirs, bool unified)
    {
        w.WriteStartObject();
        if (unified) WriteV2(w, dirs[0]);
        else WriteV1(w, dirs);
        w.WriteEndObject();
    }

    private static void WriteV1(Utf8JsonWriter w, IReadOnlyList<string> dirs)
    {
        w.WriteStartObject("cpu");
        w.WriteStartObject("usage");
        w.WriteNumber("total", Long(dirs, "cpuacct.usage"));
        Array(w, "percpu", Longs(dirs, "cpuacct.usage_percpu"));
        Array(w, "percpu_kernel", Column(dirs, "cpuacct.usage_all", 2));
        Array(w, "percpu_user", Column(dirs, "cpuacct.usage_all", 1));
        var ticks = KeyValues(dirs, "cpuacct.stat");
        w.WriteNumber("kernel", ticks.GetValueOrDefault("system") * NanosPerTick);
        w.WriteNumber("user", ticks.GetValueOrDefault("user") * NanosPerTick);
        w.WriteEndObject();
        Throttling(w, KeyValues(dirs, "cpu.stat"), "nr_periods", "nr_throttled", "throttled_time", 1);
        w.WriteEndObject();

        var stat = KeyValues(dirs, "memory.stat");
        w.WriteStartObject("memory");
        if (stat.GetValueOrDefault("total_cache") is long cache and > 0) w.WriteNumber("cache", cache);
        MemoryEntry(w, "usage", dirs, "memory.");
        MemoryEntry(w, "swap", dirs, "memory.memsw.");
        MemoryEntry(w, "kernel", dirs, "memory.kmem.");
        MemoryEntry(w, "kernelTCP", dirs, "memory.kmem.tcp.");
        Raw(w, stat);
        w.WriteEndObject();

        Pids(w, Long(dirs, "pids.current"), Text(dirs, "pids.max"));
        w.WriteStartObject("blkio");
        BlkioEntries(w, "ioServiceBytesRecursive", dirs, "blkio.throttle.io_service_bytes");
        BlkioEntries(w, "ioServicedRecursive", dirs, "blkio.throttle.io_serviced");
        w.WriteEndObject();
        w.WriteStartObject("hugetlb");
        w.WriteEndObject();
    }

    private static void WriteV2(Utf8JsonWriter w, string dir)
    {
        var dirs = new[] { dir };
        var cpu = KeyValues(dirs, "cpu.stat");
        w.WriteStartObject("cpu");
        w.WriteStartObject("usage");
        w.WriteNumber("total", cpu.GetValueOrDefault("usage_usec") * 1000);
        w.WriteNumber("kernel", cpu.GetValueOrDefault("system_usec") * 1000);
        w.WriteNumber("user", cpu.GetValueOrDefault("user_usec") * 1000);
        w.WriteEndObject();
        Throttling(w, cpu, "nr_periods", "nr_throttled", "throttled_usec", 1000);
        w.WriteEndObject();

        var stat = KeyValues(dirs, "memory.stat");
        w.WriteStartObject("memory");
        if (stat.GetValueOrDefault("file") is long cache and > 0) w.WriteNumber("cache", cache);
        w.WriteStartObject("usage");
        w.WriteNumber("limit", Limit(Text(dirs, "memory.max")));
        w.WriteNumber("usage", Long(dirs, "memory.current"));
        if (Long(dirs, "memory.peak") is long peak and > 0) w.WriteNumber("max", peak);
        w.WriteEndObject();
        w.WriteStartObject("swap");
        w.WriteNumber("limit", Limit(Text(dirs, "memory.swap.max")));
        w.WriteNumber("usage", Long(dirs, "memory.swap.current"));
        w.WriteEndObject();
        Raw(w, stat);
        w.WriteEndObject();

        Pids(w, Long(dirs, "pids.current"), Text(dirs, "pids.max"));
        w.WriteStartObject("blkio");
        w.WriteEndObject();
        w.WriteStartObject("hugetlb");
        w.WriteEndObject();
    }

    private static void Throttling(Utf8JsonWriter w, Dictionary<string, long> stat, string periods, string throttled, string time, long scale)
    {
        w.WriteStartObject("throttling");
        if (stat.GetValueOrDefault(periods) is long p and > 0) w.WriteNumber("periods", p);
        if (stat.GetValueOrDefault(throttled) is long t and > 0) w.WriteNumber("throttled_periods", t);
        if (stat.GetValueOrDefault(time) is long ns and > 0) w.WriteNumber("throttled_time", ns * scale);
        w.WriteEndObject();
    }

    private static void MemoryEntry(Utf8JsonWriter w, string name, IReadOnlyList<string> dirs, string prefix)
    {
        w.WriteStartObject(name);
        w.WriteNumber("limit", Long(dirs, prefix + "limit_in_bytes"));
        w.WriteNumber("usage", Long(dirs, prefix + "usage_in_bytes"));
        w.WriteNumber("max", Long(dirs, prefix + "max_usage_in_bytes"));
        w.WriteNumber("failcnt", Long(dirs, prefix + "failcnt"));
        w.WriteEndObject();
    }

    private static void Raw(Utf8JsonWriter w, Dictionary<string, long> stat)
    {
        w.WriteStartObject("raw");
        var keys = new List<string>(stat.Keys);
        keys.Sort(StringComparer.Ordinal);
        foreach (string k in keys) w.WriteNumber(k, stat[k]);
        w.WriteEndObject();
    }

    private static void Pids(Utf8JsonWriter w, long current, string? max)
    {
        w.WriteStartObject("pids");
        w.WriteNumber("current", current);
        if (max is not null && long.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out long limit) && limit > 0) w.WriteNumber("limit", limit);
        w.WriteEndObject();
    }

    private static void BlkioEntries(Utf8JsonWriter w, string name, IReadOnlyList<string> dirs, string file)
    {
        string? path = Find(dirs, file);
        if (path is null) return;
        var entries = new List<(long Major, long Minor, string Op, long Value)>();
        foreach (string line in File.ReadAllLines(path))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3) continue;
            string[] device = parts[0].Split(':');
            if (device.Length == 2 && long.TryParse(device[0], out long major) && long.TryParse(device[1], out long minor) && long.TryParse(parts[2], out long value))
                entries.Add((major, minor, parts[1], value));
        }
        if (entries.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var (major, minor, op, value) in entries)
        {
            w.WriteStartObject();
            w.WriteNumber("major", major);
            w.WriteNumber("minor", minor);
            w.WriteString("op", op);
            w.WriteNumber("value", value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Array(Utf8JsonWriter w, string name, List<long> values)
    {
        if (values.Count == 0) return;
        w.WriteStartArray(name);
        foreach (long v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static long Limit(string? text) => text is null or "max" ? long.MaxValue : long.TryParse(text, out long v) ? v : 0;

    private static string? Find(IReadOnlyList<string> dirs, string file)
    {
        foreach (string dir in dirs)
            if (File.Exists(Path.Combine(dir, file))) return Path.Combine(dir, file);
        return null;
    }

    private static string? Text(IReadOnlyList<string> dirs, string file) => Find(dirs, file) is string path ? File.ReadAllText(path).Trim() : null;

    private static long Long(IReadOnlyList<string> dirs, string file) =>
        Text(dirs, file) is string text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : 0;

    private static List<long> Longs(IReadOnlyList<string> dirs, string file)
    {
        var values = new List<long>();
        foreach (string part in (Text(dirs, file) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (long.TryParse(part, out long v)) values.Add(v);
        return values;
    }

    /// <summary>cpuacct.usage_all: "cpu user system" rows after a header.</summary>
    private static List<long> Column(IReadOnlyList<string> dirs, string file, int column)
    {
        var values = new List<long>();
        string? path = Find(dirs, file);
        if (path is null) return values;
        string[] lines = File.ReadAllLines(path);
        for (int i = 1; i < lines.Length; i++)
        {
            string[] parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > column && long.TryParse(parts[column], out long v)) values.Add(v);
        }
        return values;
    }

    private static Dictionary<string, long> KeyValues(IReadOnlyList<string> dirs, string file)
    {
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        if (Find(dirs, file) is not string path) return map;
        foreach (string line in File.ReadAllLines(path))
        {
            int space = line.IndexOf(' ');
            if (space > 0 && long.TryParse(line[(space + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)) map[line[..space]] = v;
        }
        return map;
    }
}
