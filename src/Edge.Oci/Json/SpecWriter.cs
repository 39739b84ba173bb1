using System.Text.Json;
using Edge.Oci.RuntimeSpec;
using static Edge.Oci.Json.JsonOut;

namespace Edge.Oci.Json;

/// <summary>
/// Writers (see JsonOut) for the runtime-spec documents edge writes: config.json (`edge spec`, `run IMAGE`,
/// `unpack`), the state (`edge state`, hooks' stdin), what a seccomp listener receives, recorded hooks and
/// `edge features`. Tests hold them to System.Text.Json's output for the same model, byte for byte.
/// </summary>
public static class SpecWriter
{
    public static readonly Write<Spec> Spec = WriteSpec;
    public static readonly Write<Process> Process = WriteProcess;
    public static readonly Write<Hooks> Hooks = WriteHooks;
    public static readonly Write<State> State = WriteState;
    public static readonly Write<ContainerProcessState> ContainerProcessState = WriteContainerProcessState;
    public static readonly Write<Features> Features = WriteFeatures;

    private static void WriteSpec(Utf8JsonWriter w, Spec s)
    {
        w.WriteStartObject();
        Str(w, "ociVersion"u8, s.OciVersion);
        Obj(w, "process"u8, s.Process, WriteProcess);
        Obj(w, "root"u8, s.Root, WriteRoot);
        Str(w, "hostname"u8, s.Hostname);
        Str(w, "domainname"u8, s.Domainname);
        List(w, "mounts"u8, s.Mounts, WriteMount);
        Obj(w, "hooks"u8, s.Hooks, WriteHooks);
        StringMap(w, "annotations"u8, s.Annotations);
        Obj(w, "linux"u8, s.Linux, WriteLinuxSpec);
        w.WriteEndObject();
    }

    private static void WriteRoot(Utf8JsonWriter w, Root r)
    {
        w.WriteStartObject();
        Str(w, "path"u8, r.Path);
        if (r.Readonly) w.WriteBoolean("readonly"u8, true);
        w.WriteEndObject();
    }

    private static void WriteMount(Utf8JsonWriter w, Mount m)
    {
        w.WriteStartObject();
        Str(w, "destination"u8, m.Destination);
        Str(w, "type"u8, m.Type);
        Str(w, "source"u8, m.Source);
        Strings(w, "options"u8, m.Options);
        List(w, "uidMappings"u8, m.UidMappings, WriteIdMapping);
        List(w, "gidMappings"u8, m.GidMappings, WriteIdMapping);
        w.WriteEndObject();
    }

    private static void WriteIdMapping(Utf8JsonWriter w, IdMapping i)
    {
        w.WriteStartObject();
        w.WriteNumber("containerID"u8, i.ContainerId);
        w.WriteNumber("hostID"u8, i.HostId);
        w.WriteNumber("size"u8, i.Size);
        w.WriteEndObject();
    }

    private static void WriteHooks(Utf8JsonWriter w, Hooks h)
    {
        w.WriteStartObject();
        List(w, "prestart"u8, h.Prestart, WriteHook);
        List(w, "createRuntime"u8, h.CreateRuntime, WriteHook);
        List(w, "createContainer"u8, h.CreateContainer, WriteHook);
        List(w, "startContainer"u8, h.StartContainer, WriteHook);
        List(w, "poststart"u8, h.Poststart, WriteHook);
        List(w, "poststop"u8, h.Poststop, WriteHook);
        w.WriteEndObject();
    }

    private static void WriteHook(Utf8JsonWriter w, Hook h)
    {
        w.WriteStartObject();
        Str(w, "path"u8, h.Path);
        Strings(w, "args"u8, h.Args);
        Strings(w, "env"u8, h.Env);
        Num(w, "timeout"u8, h.Timeout);
        w.WriteEndObject();
    }

    private static void WriteProcess(Utf8JsonWriter w, Process p)
    {
        w.WriteStartObject();
        if (p.Terminal) w.WriteBoolean("terminal"u8, true);
        Obj(w, "consoleSize"u8, p.ConsoleSize, WriteConsoleSize);
        Obj(w, "user"u8, p.User, WriteUser);
        Strings(w, "args"u8, p.Args);
        Str(w, "commandLine"u8, p.CommandLine);
        Strings(w, "env"u8, p.Env);
        Str(w, "cwd"u8, p.Cwd);
        Obj(w, "capabilities"u8, p.Capabilities, WriteCapabilities);
        List(w, "rlimits"u8, p.Rlimits, WriteRlimit);
        if (p.NoNewPrivileges) w.WriteBoolean("noNewPrivileges"u8, true);
        Str(w, "apparmorProfile"u8, p.ApparmorProfile);
        Num(w, "oomScoreAdj"u8, p.OomScoreAdj);
        Obj(w, "scheduler"u8, p.Scheduler, WriteScheduler);
        Str(w, "selinuxLabel"u8, p.SelinuxLabel);
        Obj(w, "ioPriority"u8, p.IoPriority, WriteIoPriority);
        Obj(w, "execCPUAffinity"u8, p.ExecCpuAffinity, WriteCpuAffinity);
        w.WriteEndObject();
    }

    private static void WriteConsoleSize(Utf8JsonWriter w, ConsoleSize c)
    {
        w.WriteStartObject();
        w.WriteNumber("height"u8, c.Height);
        w.WriteNumber("width"u8, c.Width);
        w.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter w, User u)
    {
        w.WriteStartObject();
        w.WriteNumber("uid"u8, u.Uid);
        w.WriteNumber("gid"u8, u.Gid);
        Num(w, "umask"u8, u.Umask);
        UInts(w, "additionalGids"u8, u.AdditionalGids);
        Str(w, "username"u8, u.Username);
        w.WriteEndObject();
    }

    private static void WriteCapabilities(Utf8JsonWriter w, Capabilities c)
    {
        w.WriteStartObject();
        Strings(w, "bounding"u8, c.Bounding);
        Strings(w, "effective"u8, c.Effective);
        Strings(w, "inheritable"u8, c.Inheritable);
        Strings(w, "permitted"u8, c.Permitted);
        Strings(w, "ambient"u8, c.Ambient);
        w.WriteEndObject();
    }

    private static void WriteRlimit(Utf8JsonWriter w, Rlimit r)
    {
        w.WriteStartObject();
        Str(w, "type"u8, r.Type);
        w.WriteNumber("hard"u8, r.Hard);
        w.WriteNumber("soft"u8, r.Soft);
        w.WriteEndObject();
    }

    private static void WriteScheduler(Utf8JsonWriter w, Scheduler s)
    {
        w.WriteStartObject();
        Str(w, "policy"u8, s.Policy);
        Num(w, "nice"u8, s.Nice);
        Num(w, "priority"u8, s.Priority);
        Strings(w, "flags"u8, s.Flags);
        Num(w, "runtime"u8, s.Runtime);
        Num(w, "deadline"u8, s.Deadline);
        Num(w, "period"u8, s.Period);
        w.WriteEndObject();
    }

    private static void WriteIoPriority(Utf8JsonWriter w, IoPriority i)
    {
        w.WriteStartObject();
        Str(w, "class"u8, i.Class);
        w.WriteNumber("priority"u8, i.Priority);
        w.WriteEndObject();
    }

    private static void WriteCpuAffinity(Utf8JsonWriter w, CpuAffinity c)
    {
        w.WriteStartObject();
        Str(w, "initial"u8, c.Initial);
        Str(w, "final"u8, c.Final);
        w.WriteEndObject();
    }

    private static void WriteLinuxSpec(Utf8JsonWriter w, LinuxSpec l)
    {
        w.WriteStartObject();
        List(w, "uidMappings"u8, l.UidMappings, WriteIdMapping);
        List(w, "gidMappings"u8, l.GidMappings, WriteIdMapping);
        StringMap(w, "sysctl"u8, l.Sysctl);
        Obj(w, "resources"u8, l.Resources, WriteResources);
        Str(w, "cgroupsPath"u8, l.CgroupsPath);
        List(w, "namespaces"u8, l.Namespaces, WriteNamespace);
        List(w, "devices"u8, l.Devices, WriteDevice);
        Map(w, "netDevices"u8, l.NetDevices, WriteNetDevice);
        Obj(w, "seccomp"u8, l.Seccomp, WriteSeccomp);
        Str(w, "rootfsPropagation"u8, l.RootfsPropagation);
        Strings(w, "maskedPaths"u8, l.MaskedPaths);
        Strings(w, "readonlyPaths"u8, l.ReadonlyPaths);
        Str(w, "mountLabel"u8, l.MountLabel);
        Obj(w, "intelRdt"u8, l.IntelRdt, WriteIntelRdt);
        Obj(w, "memoryPolicy"u8, l.MemoryPolicy, WriteMemoryPolicy);
        Obj(w, "personality"u8, l.Personality, WritePersonality);
        Map(w, "timeOffsets"u8, l.TimeOffsets, WriteTimeOffset);
        w.WriteEndObject();
    }

    private static void WriteNamespace(Utf8JsonWriter w, Namespace n)
    {
        w.WriteStartObject();
        Str(w, "type"u8, n.Type);
        Str(w, "path"u8, n.Path);
        w.WriteEndObject();
    }

    private static void WriteTimeOffset(Utf8JsonWriter w, TimeOffset t)
    {
        w.WriteStartObject();
        w.WriteNumber("secs"u8, t.Secs);
        w.WriteNumber("nanosecs"u8, t.Nanosecs);
        w.WriteEndObject();
    }

    private static void WriteDevice(Utf8JsonWriter w, Device d)
    {
        w.WriteStartObject();
        Str(w, "type"u8, d.Type);
        Str(w, "path"u8, d.Path);
        w.WriteNumber("major"u8, d.Major);
        w.WriteNumber("minor"u8, d.Minor);
        Num(w, "fileMode"u8, d.FileMode);
        Num(w, "uid"u8, d.Uid);
        Num(w, "gid"u8, d.Gid);
        w.WriteEndObject();
    }

    private static void WriteNetDevice(Utf8JsonWriter w, NetDevice n)
    {
        w.WriteStartObject();
        Str(w, "name"u8, n.Name);
        w.WriteEndObject();
    }

    private static void WriteIntelRdt(Utf8JsonWriter w, IntelRdt i)
    {
        w.WriteStartObject();
        Str(w, "closID"u8, i.ClosId);
        Strings(w, "schemata"u8, i.Schemata);
        Str(w, "l3CacheSchema"u8, i.L3CacheSchema);
        Str(w, "memBwSchema"u8, i.MemBwSchema);
        if (i.EnableMonitoring) w.WriteBoolean("enableMonitoring"u8, true);
        w.WriteEndObject();
    }

    private static void WriteMemoryPolicy(Utf8JsonWriter w, MemoryPolicy m)
    {
        w.WriteStartObject();
        Str(w, "mode"u8, m.Mode);
        Str(w, "nodes"u8, m.Nodes);
        Strings(w, "flags"u8, m.Flags);
        w.WriteEndObject();
    }

    private static void WritePersonality(Utf8JsonWriter w, Personality p)
    {
        w.WriteStartObject();
        Str(w, "domain"u8, p.Domain);
        Strings(w, "flags"u8, p.Flags);
        w.WriteEndObject();
    }

    private static void WriteResources(Utf8JsonWriter w, Resources r)
    {
        w.WriteStartObject();
        List(w, "devices"u8, r.Devices, WriteDeviceRule);
        Obj(w, "memory"u8, r.Memory, WriteMemoryResources);
        Obj(w, "cpu"u8, r.Cpu, WriteCpuResources);
        Obj(w, "pids"u8, r.Pids, WritePidsResources);
        Obj(w, "blockIO"u8, r.BlockIo, WriteBlockIo);
        List(w, "hugepageLimits"u8, r.HugepageLimits, WriteHugepageLimit);
        Obj(w, "network"u8, r.Network, WriteNetworkResources);
        Map(w, "rdma"u8, r.Rdma, WriteRdmaLimit);
        StringMap(w, "unified"u8, r.Unified);
        w.WriteEndObject();
    }

    private static void WriteDeviceRule(Utf8JsonWriter w, DeviceRule d)
    {
        w.WriteStartObject();
        w.WriteBoolean("allow"u8, d.Allow);
        Str(w, "type"u8, d.Type);
        Num(w, "major"u8, d.Major);
        Num(w, "minor"u8, d.Minor);
        Str(w, "access"u8, d.Access);
        w.WriteEndObject();
    }

    private static void WriteMemoryResources(Utf8JsonWriter w, MemoryResources m)
    {
        w.WriteStartObject();
        Num(w, "limit"u8, m.Limit);
        Num(w, "reservation"u8, m.Reservation);
        Num(w, "swap"u8, m.Swap);
        Num(w, "kernel"u8, m.Kernel);
        Num(w, "kernelTCP"u8, m.KernelTcp);
        Num(w, "swappiness"u8, m.Swappiness);
        Bool(w, "disableOOMKiller"u8, m.DisableOomKiller);
        Bool(w, "useHierarchy"u8, m.UseHierarchy);
        Bool(w, "checkBeforeUpdate"u8, m.CheckBeforeUpdate);
        w.WriteEndObject();
    }

    private static void WriteCpuResources(Utf8JsonWriter w, CpuResources c)
    {
        w.WriteStartObject();
        Num(w, "shares"u8, c.Shares);
        Num(w, "quota"u8, c.Quota);
        Num(w, "burst"u8, c.Burst);
        Num(w, "period"u8, c.Period);
        Num(w, "realtimeRuntime"u8, c.RealtimeRuntime);
        Num(w, "realtimePeriod"u8, c.RealtimePeriod);
        Str(w, "cpus"u8, c.Cpus);
        Str(w, "mems"u8, c.Mems);
        Num(w, "idle"u8, c.Idle);
        w.WriteEndObject();
    }

    private static void WritePidsResources(Utf8JsonWriter w, PidsResources p)
    {
        w.WriteStartObject();
        w.WriteNumber("limit"u8, p.Limit);
        w.WriteEndObject();
    }

    private static void WriteBlockIo(Utf8JsonWriter w, BlockIo b)
    {
        w.WriteStartObject();
        Num(w, "weight"u8, b.Weight);
        Num(w, "leafWeight"u8, b.LeafWeight);
        List(w, "weightDevice"u8, b.WeightDevice, WriteWeightDevice);
        List(w, "throttleReadBpsDevice"u8, b.ThrottleReadBpsDevice, WriteThrottleDevice);
        List(w, "throttleWriteBpsDevice"u8, b.ThrottleWriteBpsDevice, WriteThrottleDevice);
        List(w, "throttleReadIOPSDevice"u8, b.ThrottleReadIopsDevice, WriteThrottleDevice);
        List(w, "throttleWriteIOPSDevice"u8, b.ThrottleWriteIopsDevice, WriteThrottleDevice);
        w.WriteEndObject();
    }

    private static void WriteWeightDevice(Utf8JsonWriter w, WeightDevice d)
    {
        w.WriteStartObject();
        w.WriteNumber("major"u8, d.Major);
        w.WriteNumber("minor"u8, d.Minor);
        Num(w, "weight"u8, d.Weight);
        Num(w, "leafWeight"u8, d.LeafWeight);
        w.WriteEndObject();
    }

    private static void WriteThrottleDevice(Utf8JsonWriter w, ThrottleDevice t)
    {
        w.WriteStartObject();
        w.WriteNumber("major"u8, t.Major);
        w.WriteNumber("minor"u8, t.Minor);
        w.WriteNumber("rate"u8, t.Rate);
        w.WriteEndObject();
    }

    private static void WriteHugepageLimit(Utf8JsonWriter w, HugepageLimit h)
    {
        w.WriteStartObject();
        Str(w, "pageSize"u8, h.PageSize);
        w.WriteNumber("limit"u8, h.Limit);
        w.WriteEndObject();
    }

    private static void WriteNetworkResources(Utf8JsonWriter w, NetworkResources n)
    {
        w.WriteStartObject();
        Num(w, "classID"u8, n.ClassId);
        List(w, "priorities"u8, n.Priorities, WriteInterfacePriority);
        w.WriteEndObject();
    }

    private static void WriteInterfacePriority(Utf8JsonWriter w, InterfacePriority i)
    {
        w.WriteStartObject();
        Str(w, "name"u8, i.Name);
        w.WriteNumber("priority"u8, i.Priority);
        w.WriteEndObject();
    }

    private static void WriteRdmaLimit(Utf8JsonWriter w, RdmaLimit r)
    {
        w.WriteStartObject();
        Num(w, "hcaHandles"u8, r.HcaHandles);
        Num(w, "hcaObjects"u8, r.HcaObjects);
        w.WriteEndObject();
    }

    private static void WriteSeccomp(Utf8JsonWriter w, Seccomp s)
    {
        w.WriteStartObject();
        Str(w, "defaultAction"u8, s.DefaultAction);
        Num(w, "defaultErrnoRet"u8, s.DefaultErrnoRet);
        Strings(w, "architectures"u8, s.Architectures);
        Strings(w, "flags"u8, s.Flags);
        Str(w, "listenerPath"u8, s.ListenerPath);
        Str(w, "listenerMetadata"u8, s.ListenerMetadata);
        List(w, "syscalls"u8, s.Syscalls, WriteSyscallRule);
        w.WriteEndObject();
    }

    private static void WriteSyscallRule(Utf8JsonWriter w, SyscallRule s)
    {
        w.WriteStartObject();
        Strings(w, "names"u8, s.Names);
        Str(w, "action"u8, s.Action);
        Num(w, "errnoRet"u8, s.ErrnoRet);
        List(w, "args"u8, s.Args, WriteSyscallArg);
        w.WriteEndObject();
    }

    private static void WriteSyscallArg(Utf8JsonWriter w, SyscallArg s)
    {
        w.WriteStartObject();
        w.WriteNumber("index"u8, s.Index);
        w.WriteNumber("value"u8, s.Value);
        if (s.ValueTwo != 0) w.WriteNumber("valueTwo"u8, s.ValueTwo);
        Str(w, "op"u8, s.Op);
        w.WriteEndObject();
    }

    private static void WriteState(Utf8JsonWriter w, State s)
    {
        w.WriteStartObject();
        Str(w, "ociVersion"u8, s.OciVersion);
        Str(w, "id"u8, s.Id);
        Str(w, "status"u8, s.Status);
        if (s.Pid != 0) w.WriteNumber("pid"u8, s.Pid);
        Str(w, "bundle"u8, s.Bundle);
        StringMap(w, "annotations"u8, s.Annotations);
        w.WriteEndObject();
    }

    private static void WriteContainerProcessState(Utf8JsonWriter w, ContainerProcessState c)
    {
        w.WriteStartObject();
        Str(w, "ociVersion"u8, c.OciVersion);
        Strings(w, "fds"u8, c.Fds);
        w.WriteNumber("pid"u8, c.Pid);
        Str(w, "metadata"u8, c.Metadata);
        Obj(w, "state"u8, c.State, WriteState);
        w.WriteEndObject();
    }

    private static void WriteFeatures(Utf8JsonWriter w, Features f)
    {
        w.WriteStartObject();
        Str(w, "ociVersionMin"u8, f.OciVersionMin);
        Str(w, "ociVersionMax"u8, f.OciVersionMax);
        Strings(w, "hooks"u8, f.Hooks);
        Strings(w, "mountOptions"u8, f.MountOptions);
        Obj(w, "linux"u8, f.Linux, WriteLinuxFeatures);
        StringMap(w, "annotations"u8, f.Annotations);
        Strings(w, "potentiallyUnsafeConfigAnnotations"u8, f.PotentiallyUnsafeConfigAnnotations);
        w.WriteEndObject();
    }

    private static void WriteLinuxFeatures(Utf8JsonWriter w, LinuxFeatures l)
    {
        w.WriteStartObject();
        Strings(w, "namespaces"u8, l.Namespaces);
        Strings(w, "capabilities"u8, l.Capabilities);
        Obj(w, "cgroup"u8, l.Cgroup, WriteCgroupFeatures);
        Obj(w, "seccomp"u8, l.Seccomp, WriteSeccompFeatures);
        Obj(w, "apparmor"u8, l.Apparmor, WriteEnabledFeature);
        Obj(w, "selinux"u8, l.Selinux, WriteEnabledFeature);
        Obj(w, "intelRdt"u8, l.IntelRdt, WriteIntelRdtFeatures);
        Obj(w, "memoryPolicy"u8, l.MemoryPolicy, WriteMemoryPolicyFeatures);
        Obj(w, "mountExtensions"u8, l.MountExtensions, WriteMountExtensionFeatures);
        Obj(w, "netDevices"u8, l.NetDevices, WriteEnabledFeature);
        w.WriteEndObject();
    }

    private static void WriteCgroupFeatures(Utf8JsonWriter w, CgroupFeatures c)
    {
        w.WriteStartObject();
        Bool(w, "v1"u8, c.V1);
        Bool(w, "v2"u8, c.V2);
        Bool(w, "systemd"u8, c.Systemd);
        Bool(w, "systemdUser"u8, c.SystemdUser);
        Bool(w, "rdma"u8, c.Rdma);
        w.WriteEndObject();
    }

    private static void WriteSeccompFeatures(Utf8JsonWriter w, SeccompFeatures s)
    {
        w.WriteStartObject();
        Bool(w, "enabled"u8, s.Enabled);
        Strings(w, "actions"u8, s.Actions);
        Strings(w, "operators"u8, s.Operators);
        Strings(w, "archs"u8, s.Archs);
        Strings(w, "knownFlags"u8, s.KnownFlags);
        Strings(w, "supportedFlags"u8, s.SupportedFlags);
        w.WriteEndObject();
    }

    private static void WriteEnabledFeature(Utf8JsonWriter w, EnabledFeature e)
    {
        w.WriteStartObject();
        Bool(w, "enabled"u8, e.Enabled);
        w.WriteEndObject();
    }

    private static void WriteIntelRdtFeatures(Utf8JsonWriter w, IntelRdtFeatures i)
    {
        w.WriteStartObject();
        Bool(w, "enabled"u8, i.Enabled);
        Bool(w, "schemata"u8, i.Schemata);
        Bool(w, "monitoring"u8, i.Monitoring);
        w.WriteEndObject();
    }

    private static void WriteMemoryPolicyFeatures(Utf8JsonWriter w, MemoryPolicyFeatures m)
    {
        w.WriteStartObject();
        Strings(w, "modes"u8, m.Modes);
        Strings(w, "flags"u8, m.Flags);
        w.WriteEndObject();
    }

    private static void WriteMountExtensionFeatures(Utf8JsonWriter w, MountExtensionFeatures m)
    {
        w.WriteStartObject();
        Obj(w, "idmap"u8, m.IdMap, WriteEnabledFeature);
        w.WriteEndObject();
    }
}
