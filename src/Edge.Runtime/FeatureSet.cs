using System;
using System.Collections.Generic;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime;

/// <summary>
/// What this build of edge implements (runtime-spec features.md). Callers such as containerd read it to
/// decide what they may ask for, so it states only what edge really does.
/// </summary>
public static class FeatureSet
{
    public static readonly string[] Hooks = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };

    public static readonly string[] Namespaces = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };

    /// <summary>The mount options edge interprets, sorted (others reach the file system as data).</summary>
    public static string[] MountOptions
    {
        get
        {
            var names = new List<string>(Mounts.MountOptions.Known());
            names.Sort(StringComparer.Ordinal);
            return names.ToArray();
        }
    }

    public static Features Describe()
    {
        var capabilities = new List<string>(Capability.Count);
        foreach (string name in Capability.All) capabilities.Add(name);
        return new Features
        {
            OciVersionMin = "1.0.0",
            OciVersionMax = Spec.CurrentVersion,
            Hooks = new List<string>(Hooks),
            MountOptions = new List<string>(MountOptions),
            Linux = new LinuxFeatures
            {
                Namespaces = new List<string>(Namespaces),
                Capabilities = capabilities,
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = true, SystemdUser = false, Rdma = true },
                // Intel RDT is not implemented in this build.
                Seccomp = new SeccompFeatures
                {
                    Enabled = true,
                    Actions = new() { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP" },
                    Operators = new() { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE" },
                    Archs = new() { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64" },
                    KnownFlags = new() { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
                    SupportedFlags = new() { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
                },
                // Implemented: the profile or label is applied where the host has the module, and a config that
                // asks for one is refused where it has not (features-linux.md: irrelevant to the host).
                Apparmor = new EnabledFeature { Enabled = true },
                Selinux = new EnabledFeature { Enabled = true },
                IntelRdt = new IntelRdtFeatures { Enabled = false },
                MountExtensions = new MountExtensionFeatures { IdMap = new EnabledFeature { Enabled = true } },
            },
            Annotations = new Dictionary<string, string>
            {
                ["org.edge.version"] = Version,
            },
        };
    }

    /// <summary>Set by the CLI from its build information.</summary>
    public static string Version { get; set; } = "unknown";
}
