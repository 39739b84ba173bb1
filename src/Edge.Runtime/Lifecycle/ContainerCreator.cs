using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Edge.Linux;
using Edge.Oci.Json;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime.Cgroups;
using Edge.Runtime.Init;
using Edge.Runtime.State;

namespace Edge.Runtime.Lifecycle;

/// <summary>
/// `create`: reads the bundle, builds the init program, clones the init into its namespaces, does the
/// parent's share (id maps, cgroup placement, oom score), and returns once the init waits on the exec fifo.
/// On any failure nothing is left behind: the init is killed, the cgroup and state directory removed.
/// </summary>
public static class ContainerCreator
{
    public sealed class Created : IDisposable
    {
        public required ContainerRecord Record { get; init; }
        public required InitProcess Init { get; init; }
        public required string Directory { get; init; }
        public void Dispose() => Init.Dispose();
    }

    public static Created Create(CreateRequest request)
    {
        StepTimer.Mark("create: begin");
        ContainerId.Validate(request.Id);
        string bundle = Path.GetFullPath(request.Bundle);
        Spec spec = request.Config ?? ReadConfig(bundle);
        StepTimer.Mark("create: config.json parsed");
        (Process process, string rootfs) = InitPlanBuilder.CheckForCreate(spec, bundle);

        var store = new ContainerStore(request.Root);
        using ContainerLock lk = CreateDirectory(store, request.Id, out string dir);
        var opened = new List<int>();
        Cgroup? cgroup = null;
        CgroupJoin? cgroupJoin = null;
        InitProcess? init = null;
        InitPlan? plan = null;
        try
        {
            LinuxSpec linux = spec.Linux ?? new LinuxSpec();
            Namespaces namespaces = Namespaces.ForCreate(linux);
            (List<(string Type, int Fd)> join, int joinPid) = namespaces.OpenJoined(opened);
            List<CgroupHierarchy> hierarchies = CgroupHierarchy.Discover();
            cgroup = Cgroup.Resolve(linux.CgroupsPath, request.Id, request.SystemdCgroup, hierarchies);
            ContainerRecord record = RecordBeforeInit(store, request, bundle, rootfs, spec, cgroup);
            // A systemd unit is made with the init in it, once there is one (below).
            if (cgroup.SystemdUnit is null)
            {
                cgroup.Create();
                if (linux.Resources is { } resources) CgroupLimits.Apply(cgroup.Directories, cgroup.Unified, resources, linux.Devices ?? new List<Device>());
            }
            // The init joins its cgroups itself (v1) or is born in it (v2); a systemd unit is joined by systemd.
            if (cgroup.SystemdUnit is null) cgroupJoin = CgroupJoin.Open(cgroup.Directories);
            StepTimer.Mark("create: cgroups made");

            int fifo = ExecFifo.CreateForInit(dir);
            opened.Add(fifo);
            int console = request.ConsoleSocketFd >= 0 ? request.ConsoleSocketFd : ConsoleSocket.ConnectIfGiven(request.ConsoleSocket, opened);
            plan = InitPlanBuilder.Build(new InitOptions
            {
                Spec = spec,
                Process = process,
                Bundle = bundle,
                Rootfs = rootfs,
                NoPivot = request.NoPivot,
                OwnMountNamespace = namespaces.Mount,
                SessionKeyring = request.NoNewKeyring ? null : "_ses." + request.Id,
                SeccompProgram = Seccomp.SeccompCache.CompileIfAny(spec.Linux?.Seccomp, request.Root),
                ConsoleSocketFd = console,
                ExecFifoFd = fifo,
                PreserveFds = request.PreserveFds,
                Join = join,
                NewUserNamespace = namespaces.NewUser,
                NewCgroupNamespace = namespaces.NewCgroup,
                NewTimeNamespace = namespaces.NewTime,
                NewUtsNamespace = namespaces.NewUts || join.Exists(j => j.Type == "uts"),
                NewNetworkNamespace = namespaces.NewNetwork,
                Cgroup = cgroup,
                JoinCgroups = cgroupJoin?.Tasks ?? new List<(string, int)>(),
                CgroupHierarchies = hierarchies,
                LastCapability = LastCapability(),
                Opened = opened,
            });
            StepTimer.Mark("create: plan built");

            init = InitProcess.Start(plan, namespaces.CloneFlags, joinPid, cgroupJoin?.IntoCgroupFd ?? -1);
            StepTimer.Mark("create: cloned");
            ParentShare(init, request.Id, bundle, spec, linux, process, namespaces, cgroup, cgroupJoin);
            StepTimer.Mark("create: init ready (rootfs, mounts, credentials set up)");
            Commit(store, record, init, request, spec);
            StepTimer.Mark("create: state saved, hooks run");
            var created = new Created { Record = record, Init = init, Directory = dir };
            init = null; // owned by the result now
            return created;
        }
        catch
        {
            if (init is not null)
            {
                KillAndReap(init.Pid);
                init.Dispose();
            }
            try { cgroup?.Destroy(); } catch (Exception) { /* best effort: the original error matters */ }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
            throw;
        }
        finally
        {
            foreach (int fd in opened) Libc.Close(fd);
            cgroupJoin?.Dispose();
            plan?.Dispose();
        }
    }

    /// <summary>
    /// A record before anything is made, without an init yet: should edge be killed from here on, `list`
    /// shows the container and `delete --force` (or the next create of this id) removes what it names. The
    /// init itself dies with edge until <see cref="Commit"/>.
    /// </summary>
    private static ContainerRecord RecordBeforeInit(ContainerStore store, CreateRequest request, string bundle, string rootfs, Spec spec, Cgroup cgroup)
    {
        var record = new ContainerRecord
        {
            Id = request.Id,
            Bundle = bundle,
            Rootfs = rootfs,
            Created = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            Owner = OwnerName(),
            Annotations = spec.Annotations,
            CgroupPaths = new List<string>(cgroup.Directories),
            CgroupUnified = cgroup.Unified,
            SystemdUnit = cgroup.SystemdUnit,
            Hooks = spec.Hooks,
        };
        store.Save(record);
        return record;
    }

    /// <summary>
    /// What the parent does for the cloned init while it waits: id maps, cgroup placement, oom score, the
    /// state for createContainer/startContainer hooks, the seccomp listener for an agent; then the init
    /// sets itself up and reports ready.
    /// </summary>
    private static void ParentShare(InitProcess init, string id, string bundle, Spec spec, LinuxSpec linux, Process process, Namespaces namespaces, Cgroup cgroup, CgroupJoin? cgroupJoin)
    {
        int pid = init.Pid;
        if (namespaces.NewUser) WriteIdMaps(pid, linux);
        if (cgroupJoin is not null) cgroupJoin.Finish(pid, init.BornInCgroup);
        else Cgroups.Systemd.SystemdCgroup.Join(cgroup, id, pid, linux.Resources, linux.Devices ?? new List<Device>());
        if (process.OomScoreAdj is int oom) WriteProcFile(pid, "oom_score_adj", oom.ToString(CultureInfo.InvariantCulture));
        init.Release();
        if (spec.Hooks?.CreateContainer is { Count: > 0 } || spec.Hooks?.StartContainer is { Count: > 0 })
            init.SendState(HookState(id, pid, bundle, spec, ContainerStatus.Creating), HookState(id, pid, bundle, spec, ContainerStatus.Created));
        init.WaitReady(fd => Seccomp.SeccompAgent.Send(linux.Seccomp!, fd, pid, StateOf(id, pid, bundle, spec, ContainerStatus.Creating)));
    }

    /// <summary>The init is ready and waits for start: the record gets its pid, hooks run, the pid file is written, edge commits.</summary>
    private static void Commit(ContainerStore store, ContainerRecord record, InitProcess init, CreateRequest request, Spec spec)
    {
        int pid = init.Pid;
        ProcStat.TryRead(pid, out _, out ulong startTime);
        record.Pid = pid;
        record.PidStartTime = startTime;
        store.Save(record);

        // Prestart hooks see "created", as the spec and crun give them; createRuntime hooks belong to the
        // create operation ("creating").
        HookRunner.Run("prestart", spec.Hooks?.Prestart, ContainerStatus.InPhase(record, ContainerStatus.Created));
        HookRunner.Run("createRuntime", spec.Hooks?.CreateRuntime, ContainerStatus.InPhase(record, ContainerStatus.Creating));

        if (!string.IsNullOrEmpty(request.PidFile))
            AtomicFile.Write(Path.GetFullPath(request.PidFile), Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture)), durable: false);
        init.Commit();
    }

    /// <summary>
    /// ROOT/ID, made exclusively. What a `create` killed half-way left under the id (a directory with no
    /// record, or the record it writes before its init exists) is removed first, with the cgroups it names:
    /// a create that is still running holds the directory's lock, and a container that exists keeps its id.
    /// </summary>
    private static ContainerLock CreateDirectory(ContainerStore store, string id, out string directory)
    {
        try
        {
            return store.CreateDirectory(id, out directory);
        }
        catch (ContainerExistsException) when (store.IsAbandoned(id))
        {
            ContainerDeleter.Delete(store, id, force: true);
            return store.CreateDirectory(id, out directory);
        }
    }

    /// <summary>BUNDLE/config.json, with the bundle checked first so that a missing bundle says so.</summary>
    public static Spec ReadConfig(string bundle)
    {
        if (!Directory.Exists(bundle)) throw new RuntimeException($"bundle `{bundle}`: no such directory");
        string file = Path.Combine(bundle, "config.json");
        return OciJson.ReadFile(file, SpecReader.Spec, file);
    }

    /// <summary>The state create tells hooks and a seccomp agent about, before its record has a pid.</summary>
    private static Oci.RuntimeSpec.State StateOf(string id, int pid, string bundle, Spec spec, string status) => new()
    {
        OciVersion = Spec.CurrentVersion, Id = id, Status = status, Pid = pid, Bundle = bundle, Annotations = spec.Annotations,
    };

    private static string HookState(string id, int pid, string bundle, Spec spec, string status) =>
        Encoding.UTF8.GetString(OciJson.ToUtf8(StateOf(id, pid, bundle, spec, status), SpecWriter.State));

    private static void WriteIdMaps(int pid, LinuxSpec linux)
    {
        if (Libc.GetEffectiveUid() != 0) WriteProcFile(pid, "setgroups", "deny");
        WriteProcFile(pid, "uid_map", InitPlanBuilder.FormatIdMap(linux.UidMappings!));
        WriteProcFile(pid, "gid_map", InitPlanBuilder.FormatIdMap(linux.GidMappings!));
    }

    private static unsafe void WriteProcFile(int pid, string name, string content)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        int error;
        fixed (byte* data = bytes) error = NativeInit.ProcWrite(pid, name, data, bytes.Length);
        if (error != 0) throw new SystemCallException("write", $"/proc/{pid}/{name}", error);
    }

    private static int LastCapability()
    {
        try
        {
            return int.Parse(SysFile.ReadText("/proc/sys/kernel/cap_last_cap").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return Capability.Count - 1;
        }
    }

    private static string OwnerName()
    {
        uint uid = Libc.GetUid();
        try
        {
            // name:password:uid:...; scanned in place, as a host's passwd can be long.
            // A device without /etc/passwd is common: its absence is no error (and no exception to pay for).
            string uidText = uid.ToString(CultureInfo.InvariantCulture);
            if (!SysFile.TryReadText("/etc/passwd", out string text)) return "#" + uidText;
            ReadOnlySpan<char> passwd = text;
            foreach (Range range in passwd.Split('\n'))
            {
                ReadOnlySpan<char> line = passwd[range];
                int nameEnd = line.IndexOf(':');
                if (nameEnd < 0) continue;
                ReadOnlySpan<char> rest = line[(nameEnd + 1)..];
                int passwordEnd = rest.IndexOf(':');
                if (passwordEnd < 0) continue;
                rest = rest[(passwordEnd + 1)..];
                int uidEnd = rest.IndexOf(':');
                if ((uidEnd < 0 ? rest : rest[..uidEnd]).SequenceEqual(uidText)) return line[..nameEnd].ToString();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        return "#" + uid.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>SIGKILL and reap a child that failed during set-up.</summary>
    public static unsafe void KillAndReap(int pid)
    {
        Libc.Kill(pid, Signals.SIGKILL);
        int status;
        while (Libc.WaitPid(pid, &status, 0) < 0 && ErrnoText.Last == (int)Errno.EINTR) { }
    }
}
