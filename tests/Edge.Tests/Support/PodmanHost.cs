using System;
using System.IO;
using System.Linq;

namespace Edge.Tests.Support;

/// <summary>
/// Debian's podman with a private store (vfs) and run root under a temp dir, cgroupfs, and a containers.conf
/// that names edge as a runtime and lists it among the runtimes that write JSON logs, as a user would add
/// it. The busybox sample image is loaded with `podman load`.
/// </summary>
public sealed class PodmanHost : IDisposable
{
    public const string Image = "localhost/edge-samples/busybox:latest";

    /// <summary>This sandbox lacks CAP_SYS_RESOURCE: podman's default rlimits are above the hard limits.</summary>
    public static readonly string[] RunFlags = { "--network", "none", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768" };

    private readonly TempDir _dir = new("edge-podman-");

    /// <summary>podman's cgroupfs parent; removed at the end when the tests made it.</summary>
    private readonly bool _madeLibpodParent = !Directory.Exists("/sys/fs/cgroup/memory/libpod_parent") && !Directory.Exists("/sys/fs/cgroup/libpod_parent");

    public PodmanHost()
    {
        File.WriteAllText(_dir.Combine("containers.conf"), $"""
            [engine]
            runtime_supports_json = ["crun", "runc", "edge"]
            [engine.runtimes]
            edge = ["{EdgeProcess.Binary}"]
            """);
        ProcessResult load = Podman("runc", "load", "-i", Path.Combine(EdgeProcess.SamplesDirectory, "busybox-image.tar"));
        if (load.ExitCode != 0) throw new InvalidOperationException("podman load failed: " + load);
    }

    public string[] Global(string runtime) => new[]
    {
        "--root", _dir.Combine("storage"), "--runroot", _dir.Combine("run"), "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", runtime,
    };

    public System.Collections.Generic.Dictionary<string, string?> Environment => new() { ["CONTAINERS_CONF"] = _dir.Combine("containers.conf") };

    public ProcessResult Podman(string runtime, params string[] args) =>
        EdgeProcess.Run("podman", Global(runtime).Concat(args).ToArray(), timeoutMs: 120_000, environment: Environment);

    /// <summary>podman runs edge with its default state root; the seccomp cache edge keeps there goes with the fixture.</summary>
    private static readonly string SeccompCache = Path.Combine("/run/edge", global::Edge.Runtime.Seccomp.SeccompCache.DirectoryName);
    private readonly bool _hadSeccompCache = Directory.Exists(SeccompCache);

    public void Dispose()
    {
        Podman("runc", "rm", "-af", "-t", "0");
        _dir.Dispose();
        if (!_hadSeccompCache && Directory.Exists(SeccompCache)) Directory.Delete(SeccompCache, recursive: true);
        if (_madeLibpodParent) TestCgroups.RemoveEverywhere("libpod_parent");
    }
}
