using System.Collections.Generic;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime.Cgroups;

namespace Edge.Runtime.Init;

/// <summary>
/// Everything the plan builder needs besides config.json: fds and decisions made by the parent, and what only
/// the kernel or the disk can make (the compiled seccomp program, user namespaces for idmapped mounts). With
/// these given, building a plan is pure: tests build plans without a kernel (tests/Edge.Tests/Runtime).
/// </summary>
public sealed class InitOptions
{
    public required Spec Spec { get; init; }
    public required Process Process { get; init; }
    public required string Bundle { get; init; }
    /// <summary>Absolute rootfs path on the host (exec uses it only when the container shares the host's mounts).</summary>
    public string Rootfs { get; init; } = "";
    /// <summary>The container has a mount namespace (new or joined); without one it only gets chroot(2).</summary>
    public bool OwnMountNamespace { get; init; } = true;
    public bool NoPivot { get; init; }
    /// <summary>Keyring name for a new session keyring; null with --no-new-keyring (and for exec).</summary>
    public string? SessionKeyring { get; init; }
    public int ConsoleSocketFd { get; init; } = -1;
    public int ExecFifoFd { get; init; } = -1;
    public int PreserveFds { get; init; }
    /// <summary>Namespaces to join with setns, in order (user first).</summary>
    public List<(string Type, int Fd)> Join { get; init; } = new();
    public bool NewUserNamespace { get; init; }
    public bool NewCgroupNamespace { get; init; }
    public bool NewUtsNamespace { get; init; }
    public bool NewTimeNamespace { get; init; }
    /// <summary>A network namespace made for the container (not joined): its loopback is brought up, as runc does.</summary>
    public bool NewNetworkNamespace { get; init; }
    public Cgroup? Cgroup { get; init; }
    /// <summary>cgroup v1 `tasks` files (directory, fd) the init writes itself into first thing (Cgroups/CgroupJoin).</summary>
    public IReadOnlyList<(string Directory, int Fd)> JoinCgroups { get; init; } = new List<(string, int)>();
    /// <summary>The hierarchies <see cref="Cgroup"/> was resolved against, in the same order as its directories.</summary>
    public IReadOnlyList<CgroupHierarchy> CgroupHierarchies { get; init; } = new List<CgroupHierarchy>();
    public int LastCapability { get; init; } = 40;
    /// <summary>Fds the plan refers to that the caller closes once the init has started (idmapped mounts' user namespaces).</summary>
    public List<int> Opened { get; init; } = new();
    /// <summary>True for `edge exec`: join an existing container instead of building one.</summary>
    public bool IsExec { get; init; }

    /// <summary>linux.seccomp compiled to a BPF program (Seccomp.SeccompCache.Compile); required when the config has one.</summary>
    public byte[]? SeccompProgram { get; init; }

    /// <summary>Makes a user namespace with these id maps for an idmapped mount: its fd, or -errno.</summary>
    public System.Func<string, string, long> IdmapUserNamespace { get; init; } = NativeInit.UsernsFd;
}
