using System.Collections.Generic;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime;

/// <summary>
/// The starter config.json that `edge spec` writes: the same container as `runc spec` describes (sh as
/// PID 1 on a terminal, a read-only rootfs, three capabilities, the usual /proc, /dev, /sys mounts and masked
/// paths), so that bundles move freely between runc, crun and edge.
/// </summary>
public static class DefaultSpec
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly string[] DefaultCapabilities = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };

    public static readonly string[] MaskedPaths =
    {
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    };

    public static readonly string[] ReadonlyPaths = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

    public static Spec Create() => new()
    {
        OciVersion = Spec.StarterVersion,
        Process = new Process
        {
            Terminal = true,
            User = new User { Uid = 0, Gid = 0 },
            Args = new List<string> { "sh" },
            Env = new List<string> { DefaultPath, "TERM=xterm" },
            Cwd = "/",
            Capabilities = new Capabilities
            {
                Bounding = new List<string>(DefaultCapabilities),
                Effective = new List<string>(DefaultCapabilities),
                Permitted = new List<string>(DefaultCapabilities),
                Ambient = new List<string>(DefaultCapabilities),
            },
            Rlimits = new List<Rlimit> { new() { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 } },
            NoNewPrivileges = true,
        },
        Root = new Root { Path = "rootfs", Readonly = true },
        Hostname = "edge",
        Mounts = new List<Mount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc" },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = new() { "nosuid", "strictatime", "mode=755", "size=65536k" } },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = new() { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = new() { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = new() { "nosuid", "noexec", "nodev" } },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = new() { "nosuid", "noexec", "nodev", "ro" } },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = new() { "nosuid", "noexec", "nodev", "relatime", "ro" } },
        },
        Linux = new LinuxSpec
        {
            Resources = new Resources { Devices = new List<DeviceRule> { new() { Allow = false, Access = "rwm" } } },
            Namespaces = new List<Namespace>
            {
                new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" },
            },
            MaskedPaths = new List<string>(MaskedPaths),
            ReadonlyPaths = new List<string>(ReadonlyPaths),
        },
    };

    /// <summary>
    /// The rootless variant, as `runc spec --rootless` makes it: a user namespace mapping the caller to root,
    /// no network namespace, /sys bind-mounted from the host (sysfs cannot be mounted without owning the
    /// network namespace), no devpts gid, and no device cgroup rules.
    /// </summary>
    public static Spec CreateRootless(uint hostUid, uint hostGid)
    {
        Spec spec = Create();
        LinuxSpec linux = spec.Linux!;
        linux.Resources = null;
        linux.Namespaces!.RemoveAll(ns => ns.Type == "network");
        linux.Namespaces.Add(new Namespace { Type = "user" });
        linux.UidMappings = new List<IdMapping> { new() { ContainerId = 0, HostId = hostUid, Size = 1 } };
        linux.GidMappings = new List<IdMapping> { new() { ContainerId = 0, HostId = hostGid, Size = 1 } };
        foreach (Mount mount in spec.Mounts!)
        {
            if (mount.Destination == "/dev/pts") mount.Options!.Remove("gid=5");
            if (mount.Destination == "/sys")
            {
                mount.Type = "none";
                mount.Source = "/sys";
                mount.Options = new List<string> { "rbind", "nosuid", "noexec", "nodev", "ro" };
            }
        }
        return spec;
    }
}
