using System;
using Edge.Linux;
using System.Globalization;
using System.IO;
using Edge.Cli.CommandLine;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;
using Edge.Runtime.Cgroups;
using Edge.Runtime.State;

namespace Edge.Cli.Commands;

/// <summary>
/// `update [--resources FILE|-] [flags] ID`: changes a created or running container's cgroup limits, as
/// `runc update` does (the same flags; sizes with k, m, g suffixes).
/// </summary>
internal static class UpdateCommand
{
    public static readonly CommandSpec Definition = new()
    {
        Name = "update",
        Summary = "update container resource constraints",
        Usage = "<container-id>",
        MinArgs = 1,
        MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("resources", "FILE", "path to a file with the new linux.resources (JSON), or - for stdin", "r"),
            OptionSpec.Value("memory", "BYTES", "memory limit (in bytes, or with k, m, g)"),
            OptionSpec.Value("memory-reservation", "BYTES", "memory reservation or soft limit"),
            OptionSpec.Value("memory-swap", "BYTES", "total memory usage (memory + swap); -1 for unlimited"),
            OptionSpec.Value("cpu-share", "N", "CPU shares (relative weight vs. other containers)"),
            OptionSpec.Value("cpu-shares", "N", "") with { Hidden = true }, // an older spelling some callers use
            OptionSpec.Value("cpu-quota", "US", "CPU CFS quota in microseconds"),
            OptionSpec.Value("cpu-period", "US", "CPU CFS period in microseconds"),
            OptionSpec.Value("cpu-rt-period", "US", "CPU realtime period in microseconds"),
            OptionSpec.Value("cpu-rt-runtime", "US", "CPU realtime runtime in microseconds"),
            OptionSpec.Value("cpuset-cpus", "LIST", "CPUs to use (0-3, 0,1)"),
            OptionSpec.Value("cpuset-mems", "LIST", "memory nodes to use (0-3, 0,1)"),
            OptionSpec.Value("kernel-memory-tcp", "BYTES", "kernel memory limit for TCP buffers (cgroup v1)"),
            OptionSpec.Ignored("kernel-memory", takesValue: true), // runc 1.1 ignores it too: the kernel dropped it
            OptionSpec.Value("pids-limit", "N", "maximum number of pids allowed in the container"),
            OptionSpec.Value("blkio-weight", "N", "block IO weight, between 10 and 1000"),
        },
        Run = Run,
    };

    private static int Run(CommandContext context)
    {
        string id = context.Args[0];
        ContainerStore store = context.Store;
        using ContainerLock held = store.Lock(id);
        ContainerRecord record = store.Load(id);
        if (ContainerStatus.Status(record, store.DirectoryOf(id)) == ContainerStatus.Stopped)
            throw new RuntimeException("container not running");
        if (record.CgroupPaths is not { Count: > 0 } paths) throw new RuntimeException($"container {id} has no cgroup");

        Resources resources = context.Options.Get("resources") is string file ? ReadResources(file) : new Resources();
        ApplyFlags(context.Options, resources);
        if (record.SystemdUnit is not null) Edge.Runtime.Cgroups.Systemd.SystemdCgroup.Update(record.SystemdUnit, resources, record.CgroupUnified);
        CgroupLimits.Apply(paths, record.CgroupUnified, resources, origin: CgroupLimits.FromUpdate);
        return 0;
    }

    private static Resources ReadResources(string file)
    {
        byte[] content;
        try
        {
            content = file == "-" ? ReadStdin() : File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OciFormatException(file, null, ErrorText.Describe(ex), null);
        }
        return OciJson.Parse(content, SpecReader.Resources, file == "-" ? "stdin" : file);
    }

    private static byte[] ReadStdin()
    {
        using Stream stdin = Console.OpenStandardInput();
        var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void ApplyFlags(ParsedOptions o, Resources r)
    {
        if (o.Get("memory") is string memory) (r.Memory ??= new()).Limit = Bytes(memory, "memory");
        if (o.Get("memory-reservation") is string reservation) (r.Memory ??= new()).Reservation = Bytes(reservation, "memory-reservation");
        if (o.Get("memory-swap") is string swap) (r.Memory ??= new()).Swap = Bytes(swap, "memory-swap");
        if (o.Get("kernel-memory-tcp") is string tcp) (r.Memory ??= new()).KernelTcp = Bytes(tcp, "kernel-memory-tcp");
        if ((o.Get("cpu-share") ?? o.Get("cpu-shares")) is string shares) (r.Cpu ??= new()).Shares = (ulong)Number(shares, "cpu-share");
        if (o.Get("cpu-quota") is string quota) (r.Cpu ??= new()).Quota = Number(quota, "cpu-quota");
        if (o.Get("cpu-period") is string period) (r.Cpu ??= new()).Period = (ulong)Number(period, "cpu-period");
        if (o.Get("cpu-rt-period") is string rtPeriod) (r.Cpu ??= new()).RealtimePeriod = (ulong)Number(rtPeriod, "cpu-rt-period");
        if (o.Get("cpu-rt-runtime") is string rtRuntime) (r.Cpu ??= new()).RealtimeRuntime = Number(rtRuntime, "cpu-rt-runtime");
        if (o.Get("cpuset-cpus") is string cpus) (r.Cpu ??= new()).Cpus = cpus;
        if (o.Get("cpuset-mems") is string mems) (r.Cpu ??= new()).Mems = mems;
        if (o.Get("pids-limit") is string pids) r.Pids = new PidsResources { Limit = Number(pids, "pids-limit") };
        if (o.Get("blkio-weight") is string weight)
        {
            long w = Number(weight, "blkio-weight");
            if (w is < 10 or > 1000) throw new UsageException($"invalid value \"{weight}\" for --blkio-weight: between 10 and 1000");
            (r.BlockIo ??= new()).Weight = (ushort)w;
        }
    }

    private static long Number(string text, string flag) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && (value >= 0 || value == -1)
            ? value : throw new UsageException($"invalid value \"{text}\" for --{flag}");

    /// <summary>A size as docker's units.RAMInBytes reads it: 512, 64k, 32m, 1g (binary multiples), or -1.</summary>
    public static long Bytes(string text, string flag)
    {
        if (text == "-1") return -1;
        string t = text.Trim().ToLowerInvariant();
        if (t.EndsWith('b')) t = t[..^1];
        long multiplier = 1;
        if (t.Length > 0 && "kmgtp".IndexOf(t[^1]) is int unit and >= 0)
        {
            multiplier = 1L << (10 * (unit + 1));
            t = t[..^1];
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value) || value < 0)
            throw new UsageException($"invalid value \"{text}\" for --{flag}: expected a size like 512, 64k, 32m or 1g");
        return (long)(value * multiplier);
    }
}
