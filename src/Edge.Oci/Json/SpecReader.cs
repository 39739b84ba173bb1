using System.Text.Json;
using Edge.Oci.RuntimeSpec;
using static Edge.Oci.Json.FastJson;

namespace Edge.Oci.Json;

/// <summary>
/// The reader of config.json, which `create`, `run` and `exec` read on every call (and of `exec --process`
/// files, recorded hooks and `update --resources`): the runtime-spec model read with <see cref="FastJson"/>.
/// In a Native AOT process the serializer's first use would set up metadata for the whole model with
/// reflection: 6.8 ms and 960 KiB to read a 3 KB file, against 0.1 ms here.
/// </summary>
public static class SpecReader
{
    public static readonly Read<Spec> Spec = ReadSpec;
    public static readonly Read<Process> Process = ReadProcess;
    public static readonly Read<Hooks> Hooks = ReadHooks;
    /// <summary>`edge update --resources`: the linux.resources object alone.</summary>
    public static readonly Read<Resources> Resources = ReadResources;

    // ---- objects of config.md ----

    private static Spec ReadSpec(ref Utf8JsonReader r)
    {
        var s = new Spec { OciVersion = null! };
        bool version = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "ociVersion"u8)) { s.OciVersion = Str(ref r); version = true; }
            else if (Is(ref r, "process"u8)) s.Process = Maybe(ref r, Process);
            else if (Is(ref r, "root"u8)) s.Root = Maybe(ref r, ReadRoot);
            else if (Is(ref r, "hostname"u8)) s.Hostname = NStr(ref r);
            else if (Is(ref r, "domainname"u8)) s.Domainname = NStr(ref r);
            else if (Is(ref r, "mounts"u8)) s.Mounts = List(ref r, ReadMount);
            else if (Is(ref r, "hooks"u8)) s.Hooks = Maybe(ref r, Hooks);
            else if (Is(ref r, "annotations"u8)) s.Annotations = StringMap(ref r);
            else if (Is(ref r, "linux"u8)) s.Linux = Maybe(ref r, ReadLinux);
            else Skip(ref r);
        }
        Require(version, "ociVersion");
        return s;
    }

    private static Root ReadRoot(ref Utf8JsonReader r)
    {
        var root = new Root { Path = null! };
        bool path = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "path"u8)) { root.Path = Str(ref r); path = true; }
            else if (Is(ref r, "readonly"u8)) root.Readonly = Bool(ref r);
            else Skip(ref r);
        }
        Require(path, "path");
        return root;
    }

    private static Mount ReadMount(ref Utf8JsonReader r)
    {
        var m = new Mount { Destination = null! };
        bool destination = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "destination"u8)) { m.Destination = Str(ref r); destination = true; }
            else if (Is(ref r, "type"u8)) m.Type = NStr(ref r);
            else if (Is(ref r, "source"u8)) m.Source = NStr(ref r);
            else if (Is(ref r, "options"u8)) m.Options = Strings(ref r);
            else if (Is(ref r, "uidMappings"u8)) m.UidMappings = List(ref r, ReadIdMapping);
            else if (Is(ref r, "gidMappings"u8)) m.GidMappings = List(ref r, ReadIdMapping);
            else Skip(ref r);
        }
        Require(destination, "destination");
        return m;
    }

    private static IdMapping ReadIdMapping(ref Utf8JsonReader r)
    {
        var m = new IdMapping { ContainerId = 0, HostId = 0, Size = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "containerID"u8)) { m.ContainerId = U32(ref r); seen |= 1; }
            else if (Is(ref r, "hostID"u8)) { m.HostId = U32(ref r); seen |= 2; }
            else if (Is(ref r, "size"u8)) { m.Size = U32(ref r); seen |= 4; }
            else Skip(ref r);
        }
        Require(seen, "containerID", "hostID", "size");
        return m;
    }

    private static Hooks ReadHooks(ref Utf8JsonReader r)
    {
        var h = new Hooks();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "prestart"u8)) h.Prestart = List(ref r, ReadHook);
            else if (Is(ref r, "createRuntime"u8)) h.CreateRuntime = List(ref r, ReadHook);
            else if (Is(ref r, "createContainer"u8)) h.CreateContainer = List(ref r, ReadHook);
            else if (Is(ref r, "startContainer"u8)) h.StartContainer = List(ref r, ReadHook);
            else if (Is(ref r, "poststart"u8)) h.Poststart = List(ref r, ReadHook);
            else if (Is(ref r, "poststop"u8)) h.Poststop = List(ref r, ReadHook);
            else Skip(ref r);
        }
        return h;
    }

    private static Hook ReadHook(ref Utf8JsonReader r)
    {
        var h = new Hook { Path = null! };
        bool path = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "path"u8)) { h.Path = Str(ref r); path = true; }
            else if (Is(ref r, "args"u8)) h.Args = Strings(ref r);
            else if (Is(ref r, "env"u8)) h.Env = Strings(ref r);
            else if (Is(ref r, "timeout"u8)) h.Timeout = NI32(ref r);
            else Skip(ref r);
        }
        Require(path, "path");
        return h;
    }

    // ---- process ----

    private static Process ReadProcess(ref Utf8JsonReader r)
    {
        var p = new Process { Cwd = null! };
        bool cwd = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "terminal"u8)) p.Terminal = Bool(ref r);
            else if (Is(ref r, "consoleSize"u8)) p.ConsoleSize = Maybe(ref r, ReadConsoleSize);
            else if (Is(ref r, "user"u8)) p.User = ReadUser(ref r);
            else if (Is(ref r, "args"u8)) p.Args = Strings(ref r);
            else if (Is(ref r, "commandLine"u8)) p.CommandLine = NStr(ref r);
            else if (Is(ref r, "env"u8)) p.Env = Strings(ref r);
            else if (Is(ref r, "cwd"u8)) { p.Cwd = Str(ref r); cwd = true; }
            else if (Is(ref r, "capabilities"u8)) p.Capabilities = Maybe(ref r, ReadCapabilities);
            else if (Is(ref r, "rlimits"u8)) p.Rlimits = List(ref r, ReadRlimit);
            else if (Is(ref r, "noNewPrivileges"u8)) p.NoNewPrivileges = Bool(ref r);
            else if (Is(ref r, "apparmorProfile"u8)) p.ApparmorProfile = NStr(ref r);
            else if (Is(ref r, "oomScoreAdj"u8)) p.OomScoreAdj = NI32(ref r);
            else if (Is(ref r, "scheduler"u8)) p.Scheduler = Maybe(ref r, ReadScheduler);
            else if (Is(ref r, "selinuxLabel"u8)) p.SelinuxLabel = NStr(ref r);
            else if (Is(ref r, "ioPriority"u8)) p.IoPriority = Maybe(ref r, ReadIoPriority);
            else if (Is(ref r, "execCPUAffinity"u8)) p.ExecCpuAffinity = Maybe(ref r, ReadCpuAffinity);
            else Skip(ref r);
        }
        Require(cwd, "cwd");
        return p;
    }

    private static ConsoleSize ReadConsoleSize(ref Utf8JsonReader r)
    {
        var c = new ConsoleSize { Height = 0, Width = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "height"u8)) { c.Height = U32(ref r); seen |= 1; }
            else if (Is(ref r, "width"u8)) { c.Width = U32(ref r); seen |= 2; }
            else Skip(ref r);
        }
        Require(seen, "height", "width");
        return c;
    }

    private static User ReadUser(ref Utf8JsonReader r)
    {
        var u = new User();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "uid"u8)) u.Uid = U32(ref r);
            else if (Is(ref r, "gid"u8)) u.Gid = U32(ref r);
            else if (Is(ref r, "umask"u8)) u.Umask = NU32(ref r);
            else if (Is(ref r, "additionalGids"u8)) u.AdditionalGids = UInts(ref r);
            else if (Is(ref r, "username"u8)) u.Username = NStr(ref r);
            else Skip(ref r);
        }
        return u;
    }

    private static Capabilities ReadCapabilities(ref Utf8JsonReader r)
    {
        var c = new Capabilities();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "bounding"u8)) c.Bounding = Strings(ref r);
            else if (Is(ref r, "effective"u8)) c.Effective = Strings(ref r);
            else if (Is(ref r, "inheritable"u8)) c.Inheritable = Strings(ref r);
            else if (Is(ref r, "permitted"u8)) c.Permitted = Strings(ref r);
            else if (Is(ref r, "ambient"u8)) c.Ambient = Strings(ref r);
            else Skip(ref r);
        }
        return c;
    }

    private static Rlimit ReadRlimit(ref Utf8JsonReader r)
    {
        var l = new Rlimit { Type = null!, Hard = 0, Soft = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "type"u8)) { l.Type = Str(ref r); seen |= 1; }
            else if (Is(ref r, "hard"u8)) { l.Hard = U64(ref r); seen |= 2; }
            else if (Is(ref r, "soft"u8)) { l.Soft = U64(ref r); seen |= 4; }
            else Skip(ref r);
        }
        Require(seen, "type", "hard", "soft");
        return l;
    }

    private static Scheduler ReadScheduler(ref Utf8JsonReader r)
    {
        var s = new Scheduler { Policy = null! };
        bool policy = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "policy"u8)) { s.Policy = Str(ref r); policy = true; }
            else if (Is(ref r, "nice"u8)) s.Nice = NI32(ref r);
            else if (Is(ref r, "priority"u8)) s.Priority = NI32(ref r);
            else if (Is(ref r, "flags"u8)) s.Flags = Strings(ref r);
            else if (Is(ref r, "runtime"u8)) s.Runtime = NU64(ref r);
            else if (Is(ref r, "deadline"u8)) s.Deadline = NU64(ref r);
            else if (Is(ref r, "period"u8)) s.Period = NU64(ref r);
            else Skip(ref r);
        }
        Require(policy, "policy");
        return s;
    }

    private static IoPriority ReadIoPriority(ref Utf8JsonReader r)
    {
        var p = new IoPriority { Class = null! };
        bool cls = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "class"u8)) { p.Class = Str(ref r); cls = true; }
            else if (Is(ref r, "priority"u8)) p.Priority = I32(ref r);
            else Skip(ref r);
        }
        Require(cls, "class");
        return p;
    }

    private static CpuAffinity ReadCpuAffinity(ref Utf8JsonReader r)
    {
        var a = new CpuAffinity();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "initial"u8)) a.Initial = NStr(ref r);
            else if (Is(ref r, "final"u8)) a.Final = NStr(ref r);
            else Skip(ref r);
        }
        return a;
    }

    // ---- linux ----

    private static LinuxSpec ReadLinux(ref Utf8JsonReader r)
    {
        var l = new LinuxSpec();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "uidMappings"u8)) l.UidMappings = List(ref r, ReadIdMapping);
            else if (Is(ref r, "gidMappings"u8)) l.GidMappings = List(ref r, ReadIdMapping);
            else if (Is(ref r, "sysctl"u8)) l.Sysctl = StringMap(ref r);
            else if (Is(ref r, "resources"u8)) l.Resources = Maybe(ref r, ReadResources);
            else if (Is(ref r, "cgroupsPath"u8)) l.CgroupsPath = NStr(ref r);
            else if (Is(ref r, "namespaces"u8)) l.Namespaces = List(ref r, ReadNamespace);
            else if (Is(ref r, "devices"u8)) l.Devices = List(ref r, ReadDevice);
            else if (Is(ref r, "netDevices"u8)) l.NetDevices = Map(ref r, ReadNetDevice);
            else if (Is(ref r, "seccomp"u8)) l.Seccomp = Maybe(ref r, ReadSeccomp);
            else if (Is(ref r, "rootfsPropagation"u8)) l.RootfsPropagation = NStr(ref r);
            else if (Is(ref r, "maskedPaths"u8)) l.MaskedPaths = Strings(ref r);
            else if (Is(ref r, "readonlyPaths"u8)) l.ReadonlyPaths = Strings(ref r);
            else if (Is(ref r, "mountLabel"u8)) l.MountLabel = NStr(ref r);
            else if (Is(ref r, "intelRdt"u8)) l.IntelRdt = Maybe(ref r, ReadIntelRdt);
            else if (Is(ref r, "memoryPolicy"u8)) l.MemoryPolicy = Maybe(ref r, ReadMemoryPolicy);
            else if (Is(ref r, "personality"u8)) l.Personality = Maybe(ref r, ReadPersonality);
            else if (Is(ref r, "timeOffsets"u8)) l.TimeOffsets = Map(ref r, ReadTimeOffset);
            else Skip(ref r);
        }
        return l;
    }

    private static Namespace ReadNamespace(ref Utf8JsonReader r)
    {
        var n = new Namespace { Type = null! };
        bool type = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "type"u8)) { n.Type = Str(ref r); type = true; }
            else if (Is(ref r, "path"u8)) n.Path = NStr(ref r);
            else Skip(ref r);
        }
        Require(type, "type");
        return n;
    }

    private static TimeOffset ReadTimeOffset(ref Utf8JsonReader r)
    {
        var t = new TimeOffset();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "secs"u8)) t.Secs = I64(ref r);
            else if (Is(ref r, "nanosecs"u8)) t.Nanosecs = U32(ref r);
            else Skip(ref r);
        }
        return t;
    }

    private static Device ReadDevice(ref Utf8JsonReader r)
    {
        var d = new Device { Type = null!, Path = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "type"u8)) { d.Type = Str(ref r); seen |= 1; }
            else if (Is(ref r, "path"u8)) { d.Path = Str(ref r); seen |= 2; }
            else if (Is(ref r, "major"u8)) d.Major = I64(ref r);
            else if (Is(ref r, "minor"u8)) d.Minor = I64(ref r);
            else if (Is(ref r, "fileMode"u8)) d.FileMode = NU32(ref r);
            else if (Is(ref r, "uid"u8)) d.Uid = NU32(ref r);
            else if (Is(ref r, "gid"u8)) d.Gid = NU32(ref r);
            else Skip(ref r);
        }
        Require(seen, "type", "path");
        return d;
    }

    private static NetDevice ReadNetDevice(ref Utf8JsonReader r)
    {
        var d = new NetDevice();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "name"u8)) d.Name = NStr(ref r);
            else Skip(ref r);
        }
        return d;
    }

    private static IntelRdt ReadIntelRdt(ref Utf8JsonReader r)
    {
        var i = new IntelRdt();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "closID"u8)) i.ClosId = NStr(ref r);
            else if (Is(ref r, "schemata"u8)) i.Schemata = Strings(ref r);
            else if (Is(ref r, "l3CacheSchema"u8)) i.L3CacheSchema = NStr(ref r);
            else if (Is(ref r, "memBwSchema"u8)) i.MemBwSchema = NStr(ref r);
            else if (Is(ref r, "enableMonitoring"u8)) i.EnableMonitoring = Bool(ref r);
            else Skip(ref r);
        }
        return i;
    }

    private static MemoryPolicy ReadMemoryPolicy(ref Utf8JsonReader r)
    {
        var m = new MemoryPolicy { Mode = null! };
        bool mode = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "mode"u8)) { m.Mode = Str(ref r); mode = true; }
            else if (Is(ref r, "nodes"u8)) m.Nodes = NStr(ref r);
            else if (Is(ref r, "flags"u8)) m.Flags = Strings(ref r);
            else Skip(ref r);
        }
        Require(mode, "mode");
        return m;
    }

    private static Personality ReadPersonality(ref Utf8JsonReader r)
    {
        var p = new Personality { Domain = null! };
        bool domain = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "domain"u8)) { p.Domain = Str(ref r); domain = true; }
            else if (Is(ref r, "flags"u8)) p.Flags = Strings(ref r);
            else Skip(ref r);
        }
        Require(domain, "domain");
        return p;
    }

    private static Seccomp ReadSeccomp(ref Utf8JsonReader r)
    {
        var s = new Seccomp { DefaultAction = null! };
        bool action = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "defaultAction"u8)) { s.DefaultAction = Str(ref r); action = true; }
            else if (Is(ref r, "defaultErrnoRet"u8)) s.DefaultErrnoRet = NU32(ref r);
            else if (Is(ref r, "architectures"u8)) s.Architectures = Strings(ref r);
            else if (Is(ref r, "flags"u8)) s.Flags = Strings(ref r);
            else if (Is(ref r, "listenerPath"u8)) s.ListenerPath = NStr(ref r);
            else if (Is(ref r, "listenerMetadata"u8)) s.ListenerMetadata = NStr(ref r);
            else if (Is(ref r, "syscalls"u8)) s.Syscalls = List(ref r, ReadSyscallRule);
            else Skip(ref r);
        }
        Require(action, "defaultAction");
        return s;
    }

    private static SyscallRule ReadSyscallRule(ref Utf8JsonReader r)
    {
        var s = new SyscallRule { Names = null!, Action = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "names"u8)) { s.Names = RequiredStrings(ref r); seen |= 1; }
            else if (Is(ref r, "action"u8)) { s.Action = Str(ref r); seen |= 2; }
            else if (Is(ref r, "errnoRet"u8)) s.ErrnoRet = NU32(ref r);
            else if (Is(ref r, "args"u8)) s.Args = List(ref r, ReadSyscallArg);
            else Skip(ref r);
        }
        Require(seen, "names", "action");
        return s;
    }

    private static SyscallArg ReadSyscallArg(ref Utf8JsonReader r)
    {
        var a = new SyscallArg { Index = 0, Value = 0, Op = null! };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "index"u8)) { a.Index = U32(ref r); seen |= 1; }
            else if (Is(ref r, "value"u8)) { a.Value = U64(ref r); seen |= 2; }
            else if (Is(ref r, "valueTwo"u8)) a.ValueTwo = U64(ref r);
            else if (Is(ref r, "op"u8)) { a.Op = Str(ref r); seen |= 4; }
            else Skip(ref r);
        }
        Require(seen, "index", "value", "op");
        return a;
    }

    // ---- linux.resources ----

    private static Resources ReadResources(ref Utf8JsonReader r)
    {
        var res = new Resources();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "devices"u8)) res.Devices = List(ref r, ReadDeviceRule);
            else if (Is(ref r, "memory"u8)) res.Memory = Maybe(ref r, ReadMemory);
            else if (Is(ref r, "cpu"u8)) res.Cpu = Maybe(ref r, ReadCpu);
            else if (Is(ref r, "pids"u8)) res.Pids = Maybe(ref r, ReadPids);
            else if (Is(ref r, "blockIO"u8)) res.BlockIo = Maybe(ref r, ReadBlockIo);
            else if (Is(ref r, "hugepageLimits"u8)) res.HugepageLimits = List(ref r, ReadHugepageLimit);
            else if (Is(ref r, "network"u8)) res.Network = Maybe(ref r, ReadNetwork);
            else if (Is(ref r, "rdma"u8)) res.Rdma = Map(ref r, ReadRdmaLimit);
            else if (Is(ref r, "unified"u8)) res.Unified = StringMap(ref r);
            else Skip(ref r);
        }
        return res;
    }

    private static DeviceRule ReadDeviceRule(ref Utf8JsonReader r)
    {
        var d = new DeviceRule { Allow = false };
        bool allow = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "allow"u8)) { d.Allow = Bool(ref r); allow = true; }
            else if (Is(ref r, "type"u8)) d.Type = NStr(ref r);
            else if (Is(ref r, "major"u8)) d.Major = NI64(ref r);
            else if (Is(ref r, "minor"u8)) d.Minor = NI64(ref r);
            else if (Is(ref r, "access"u8)) d.Access = NStr(ref r);
            else Skip(ref r);
        }
        Require(allow, "allow");
        return d;
    }

    private static MemoryResources ReadMemory(ref Utf8JsonReader r)
    {
        var m = new MemoryResources();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "limit"u8)) m.Limit = NI64(ref r);
            else if (Is(ref r, "reservation"u8)) m.Reservation = NI64(ref r);
            else if (Is(ref r, "swap"u8)) m.Swap = NI64(ref r);
            else if (Is(ref r, "kernel"u8)) m.Kernel = NI64(ref r);
            else if (Is(ref r, "kernelTCP"u8)) m.KernelTcp = NI64(ref r);
            else if (Is(ref r, "swappiness"u8)) m.Swappiness = NU64(ref r);
            else if (Is(ref r, "disableOOMKiller"u8)) m.DisableOomKiller = NBool(ref r);
            else if (Is(ref r, "useHierarchy"u8)) m.UseHierarchy = NBool(ref r);
            else if (Is(ref r, "checkBeforeUpdate"u8)) m.CheckBeforeUpdate = NBool(ref r);
            else Skip(ref r);
        }
        return m;
    }

    private static CpuResources ReadCpu(ref Utf8JsonReader r)
    {
        var c = new CpuResources();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "shares"u8)) c.Shares = NU64(ref r);
            else if (Is(ref r, "quota"u8)) c.Quota = NI64(ref r);
            else if (Is(ref r, "burst"u8)) c.Burst = NU64(ref r);
            else if (Is(ref r, "period"u8)) c.Period = NU64(ref r);
            else if (Is(ref r, "realtimeRuntime"u8)) c.RealtimeRuntime = NI64(ref r);
            else if (Is(ref r, "realtimePeriod"u8)) c.RealtimePeriod = NU64(ref r);
            else if (Is(ref r, "cpus"u8)) c.Cpus = NStr(ref r);
            else if (Is(ref r, "mems"u8)) c.Mems = NStr(ref r);
            else if (Is(ref r, "idle"u8)) c.Idle = NI64(ref r);
            else Skip(ref r);
        }
        return c;
    }

    private static PidsResources ReadPids(ref Utf8JsonReader r)
    {
        var p = new PidsResources { Limit = 0 };
        bool limit = false;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "limit"u8)) { p.Limit = I64(ref r); limit = true; }
            else Skip(ref r);
        }
        Require(limit, "limit");
        return p;
    }

    private static BlockIo ReadBlockIo(ref Utf8JsonReader r)
    {
        var b = new BlockIo();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "weight"u8)) b.Weight = NU16(ref r);
            else if (Is(ref r, "leafWeight"u8)) b.LeafWeight = NU16(ref r);
            else if (Is(ref r, "weightDevice"u8)) b.WeightDevice = List(ref r, ReadWeightDevice);
            else if (Is(ref r, "throttleReadBpsDevice"u8)) b.ThrottleReadBpsDevice = List(ref r, ReadThrottleDevice);
            else if (Is(ref r, "throttleWriteBpsDevice"u8)) b.ThrottleWriteBpsDevice = List(ref r, ReadThrottleDevice);
            else if (Is(ref r, "throttleReadIOPSDevice"u8)) b.ThrottleReadIopsDevice = List(ref r, ReadThrottleDevice);
            else if (Is(ref r, "throttleWriteIOPSDevice"u8)) b.ThrottleWriteIopsDevice = List(ref r, ReadThrottleDevice);
            else Skip(ref r);
        }
        return b;
    }

    private static WeightDevice ReadWeightDevice(ref Utf8JsonReader r)
    {
        var w = new WeightDevice { Major = 0, Minor = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "major"u8)) { w.Major = I64(ref r); seen |= 1; }
            else if (Is(ref r, "minor"u8)) { w.Minor = I64(ref r); seen |= 2; }
            else if (Is(ref r, "weight"u8)) w.Weight = NU16(ref r);
            else if (Is(ref r, "leafWeight"u8)) w.LeafWeight = NU16(ref r);
            else Skip(ref r);
        }
        Require(seen, "major", "minor");
        return w;
    }

    private static ThrottleDevice ReadThrottleDevice(ref Utf8JsonReader r)
    {
        var t = new ThrottleDevice { Major = 0, Minor = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "major"u8)) { t.Major = I64(ref r); seen |= 1; }
            else if (Is(ref r, "minor"u8)) { t.Minor = I64(ref r); seen |= 2; }
            else if (Is(ref r, "rate"u8)) t.Rate = U64(ref r);
            else Skip(ref r);
        }
        Require(seen, "major", "minor");
        return t;
    }

    private static HugepageLimit ReadHugepageLimit(ref Utf8JsonReader r)
    {
        var h = new HugepageLimit { PageSize = null!, Limit = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "pageSize"u8)) { h.PageSize = Str(ref r); seen |= 1; }
            else if (Is(ref r, "limit"u8)) { h.Limit = U64(ref r); seen |= 2; }
            else Skip(ref r);
        }
        Require(seen, "pageSize", "limit");
        return h;
    }

    private static NetworkResources ReadNetwork(ref Utf8JsonReader r)
    {
        var n = new NetworkResources();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "classID"u8)) n.ClassId = NU32(ref r);
            else if (Is(ref r, "priorities"u8)) n.Priorities = List(ref r, ReadInterfacePriority);
            else Skip(ref r);
        }
        return n;
    }

    private static InterfacePriority ReadInterfacePriority(ref Utf8JsonReader r)
    {
        var p = new InterfacePriority { Name = null!, Priority = 0 };
        int seen = 0;
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "name"u8)) { p.Name = Str(ref r); seen |= 1; }
            else if (Is(ref r, "priority"u8)) { p.Priority = U32(ref r); seen |= 2; }
            else Skip(ref r);
        }
        Require(seen, "name", "priority");
        return p;
    }

    private static RdmaLimit ReadRdmaLimit(ref Utf8JsonReader r)
    {
        var l = new RdmaLimit();
        for (Begin(ref r); Property(ref r);)
        {
            if (Is(ref r, "hcaHandles"u8)) l.HcaHandles = NU32(ref r);
            else if (Is(ref r, "hcaObjects"u8)) l.HcaObjects = NU32(ref r);
            else Skip(ref r);
        }
        return l;
    }

}
