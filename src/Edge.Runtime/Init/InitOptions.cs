using System.Collections.Generic;
using Edge.Oci.Runtime;
using Edge.Runtime.Cgroups;

namespace Edge.Runtime.Init;

/// <summary>Everything the plan builder needs besides config.json: fds and decisions made by the parent.</summary>
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
    /// <summary>The hierarchies <see cref="Cgroup"/> was resolved against, in the same order as its directories.</summary>
    public IReadOnlyList<CgroupHierarchy> CgroupHierarchies { get; init; } = new List<CgroupHierarchy>();
    public int LastCapability { get; init; } = 40;
    /// <summary>Fds the plan refers to that the caller closes once the init has started (idmapped mounts' user namespaces).</summary>
    public List<int> Opened { get; init; } = new();
    /// <summary>True for `edge exec`: join an existing container instead of building one.</summary>
    public bool IsExec { get; init; }

    /// <summary>The state root, whose @seccomp-cache keeps compiled seccomp programs (null: no cache).</summary>
    public string? SeccompCacheRoot { get; init; }
}
