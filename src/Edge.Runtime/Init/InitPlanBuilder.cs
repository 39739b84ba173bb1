using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime.Mounts;

namespace Edge.Runtime.Init;

/// <summary>
/// Turns config.json into the init program, in the order runc and crun apply things: namespaces, mounts,
/// devices, pivot_root, sysctls, masked and read-only paths, terminal, limits, credentials, cwd, exec.
/// Everything that can be wrong with the config is found here, in the parent, as a one-line error (what create
/// needs before it makes anything through <see cref="CheckForCreate"/>; the namespaces' list through
/// Lifecycle/Namespaces, which decodes it for create and exec alike).
/// </summary>
public static unsafe class InitPlanBuilder
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly (string Name, long Major, long Minor)[] DefaultDevices =
    {
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    };

    /// <summary>
    /// What create must know before anything is made (the container's record names its rootfs): a 1.x
    /// config with a process and a root whose directory exists. Returns the process and the rootfs's full path.
    /// </summary>
    public static (Process Process, string Rootfs) CheckForCreate(Spec spec, string bundle)
    {
        if (!spec.OciVersion.StartsWith("1.", StringComparison.Ordinal))
            throw new RuntimeException($"config.json: $.ociVersion: unsupported version \"{spec.OciVersion}\" (edge reads 1.x)");
        Process process = spec.Process ?? throw new RuntimeException("config.json: $.process: required to create a container");
        if (spec.Root is null) throw new RuntimeException("config.json: $.root: required on Linux");
        string rootfs = Path.GetFullPath(Path.Combine(bundle, spec.Root.Path));
        if (!Directory.Exists(rootfs)) throw new RuntimeException($"rootfs `{rootfs}`: no such directory");
        return (process, rootfs);
    }

    public static InitPlan Build(InitOptions o)
    {
        var plan = new InitPlan();
        try
        {
            Populate(plan, o);
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    /// <summary>The init's program in its phases; each phase's steps are in the order runc and crun apply them.</summary>
    private static void Populate(InitPlan plan, InitOptions o)
    {
        AddIsolation(plan, o);
        if (o.IsExec) AddExecRoot(plan, o);
        else AddRootfs(plan, o);
        AddTerminal(plan, o);
        AddSecurityLabels(plan, o.Process);
        byte** envp = ProcessEnvironment(plan, o.Process);
        string cwd = AddProcessSettings(plan, o.Process, out byte* cleanCwd);
        SeccompFilter? seccomp = SeccompFilter.For(plan, o);
        AddCredentials(plan, o, seccomp);
        plan.Add(InitOp.Chdir, $"chdir to cwd `{cwd}`", a: 1, s1: cleanCwd);
        AddExec(plan, o, seccomp, envp);
    }

    /// <summary>
    /// Nothing of edge may be reachable from the container (docs/security.md): the init is not dumpable
    /// until execve, holds no fd it inherited but the plan's own, dies with edge until edge commits to it,
    /// and writes procfs only through a handle on a real procfs, taken while the mounts are the host's. Then
    /// the namespaces: joined, waited for (the parent writes id maps and places the cgroup), made.
    /// </summary>
    private static void AddIsolation(InitPlan plan, InitOptions o)
    {
        plan.Add(InitOp.SetDumpable, "prctl(PR_SET_DUMPABLE, 0)", a: 0);
        KeepFds(plan, o);
        plan.Add(InitOp.CloseFds, "close the fds inherited from edge", a: 0);
        // Into its cgroups while still edge's copy: before any namespace is joined or made (a cgroup namespace
        // is rooted where the init is when it is made) and before the credentials change.
        foreach ((string dir, int fd) in o.JoinCgroups)
            plan.Add(InitOp.JoinCgroup, $"join cgroup `{dir}`", a: fd);
        plan.Add(InitOp.ParentDeathSignal, "die with edge during set-up", a: Signals.SIGKILL);
        plan.Add(InitOp.OpenProc, "open a procfs handle");
        foreach ((string type, int fd) in o.Join)
            plan.Add(InitOp.SetNs, $"join {type} namespace", a: fd, b: (long)NamespaceFlag(type));
        plan.Add(InitOp.WaitParent, "wait for the parent's set-up");
        if (o.NewCgroupNamespace) plan.Add(InitOp.Unshare, "unshare cgroup namespace", a: (long)CloneFlags.NewCgroup);
        if (o.NewTimeNamespace) plan.Add(InitOp.TimeNamespace, "create the time namespace with its offsets", s1: plan.Arena.String(TimeOffsets(o.Spec)));
        if (o.NewUserNamespace)
        {
            plan.Add(InitOp.SetRootIds, "become root in the user namespace");
            plan.Add(InitOp.ParentDeathSignal, "die with edge during set-up", a: Signals.SIGKILL); // a credential change clears it
        }
        // A new network namespace has only `lo`, down: localhost services need it up (runc and crun do this).
        if (o.NewNetworkNamespace && !o.IsExec) plan.Add(InitOp.LoopbackUp, "bring up the loopback interface `lo`");
        if (!o.Process.Terminal) plan.Add(InitOp.Setsid, "setsid"); // the console step makes its own session
        if (o.SessionKeyring is not null) plan.Add(InitOp.SessionKeyring, "join a new session keyring", s1: plan.Arena.String(o.SessionKeyring));
        bool initHooks = !o.IsExec && (o.Spec.Hooks?.CreateContainer is { Count: > 0 } || o.Spec.Hooks?.StartContainer is { Count: > 0 });
        if (initHooks) plan.Add(InitOp.ReceiveState, "receive the container state for hooks");
    }

    private static void AddTerminal(InitPlan plan, InitOptions o)
    {
        Process process = o.Process;
        if (!process.Terminal) return;
        if (o.ConsoleSocketFd < 0)
            throw new RuntimeException("process.terminal is true: a --console-socket is required to receive the terminal");
        // /dev/console is the terminal only in a container of its own mounts (exec leaves it as it is).
        plan.Add(InitOp.Console, "set up the terminal (/dev/ptmx, /dev/console)", a: o.ConsoleSocketFd,
            b: process.ConsoleSize?.Height ?? 0, c: process.ConsoleSize?.Width ?? 0, d: !o.IsExec && o.OwnMountNamespace ? 1 : 0);
    }

    /// <summary>cwd (entered as root first, again as the user later), rlimits and umask; returns the cwd and its cleaned form.</summary>
    private static string AddProcessSettings(InitPlan plan, Process process, out byte* cleanCwd)
    {
        // From here on only what the container's process inherits stays open (and the root, for the cwd).
        plan.Add(InitOp.CloseFds, "close the fds set-up needed", a: 1, b: 1);
        string cwd = CheckedCwd(process);
        cleanCwd = plan.Arena.String(PathClean.Relative(cwd));
        plan.Add(InitOp.Chdir, $"chdir to cwd `{cwd}`", a: 0, s1: cleanCwd);

        if (process.Rlimits is { } rlimits)
        {
            for (int i = 0; i < rlimits.Count; i++)
            {
                Rlimit r = rlimits[i];
                int resource = RlimitNumber(r.Type);
                if (resource < 0) throw new RuntimeException($"config.json: $.process.rlimits[{i}].type: unknown rlimit \"{r.Type}\"");
                plan.Add(InitOp.Rlimit, $"setrlimit {r.Type} soft {r.Soft} hard {r.Hard}", a: resource, b: (long)r.Soft, c: (long)r.Hard);
            }
        }

        plan.Add(InitOp.Umask, "umask", a: process.User.Umask ?? 0x12 /* 022 */);
        // Nothing from here on can block, and the parent's death now shows on the sync socket (READY, COMMIT).
        // Cleared before any seccomp filter, which may not allow prctl.
        plan.Add(InitOp.ParentDeathSignal, "stop dying with edge", a: 0);
        return cwd;
    }

    /// <summary>
    /// linux.seccomp as the plan installs it. Without no_new_privs the filter needs CAP_SYS_ADMIN, so it goes
    /// in before the capabilities are dropped; with it, as late as possible, right before execve (as runc
    /// orders them). With SCMP_ACT_NOTIFY rules the listener fd must reach the parent while it still waits for
    /// READY, so with no_new_privs the filter goes in right before READY rather than before execve.
    /// </summary>
    private sealed class SeccompFilter
    {
        private byte* _program;
        private long _count, _flags;
        public bool Notify { get; private init; }

        public static SeccompFilter? For(InitPlan plan, InitOptions o)
        {
            if (o.Spec.Linux?.Seccomp is not { } profile) return null;
            byte[] bpf = o.SeccompProgram ?? throw new InvalidOperationException("linux.seccomp was not compiled for the plan");
            return new SeccompFilter
            {
                _program = plan.Arena.Bytes(bpf),
                _count = bpf.Length / 8,
                _flags = SeccompFlags(profile),
                Notify = Seccomp.SeccompCompiler.UsesNotify(profile),
            };
        }

        public void Install(InitPlan plan) =>
            plan.Add(InitOp.Seccomp, "install the seccomp filter", a: _count, b: _flags, c: Notify ? 1 : 0, s1: _program);
    }

    /// <summary>Capabilities, groups and ids, no_new_privs; seccomp in its place among them when no_new_privs is off.</summary>
    private static void AddCredentials(InitPlan plan, InitOptions o, SeccompFilter? seccomp)
    {
        Process process = o.Process;
        Capabilities? caps = process.Capabilities;
        ulong effective = 0, permitted = 0, inheritable = 0, ambient = 0;
        if (caps is not null)
        {
            ulong bounding = CapabilityMask(caps.Bounding, "bounding");
            effective = CapabilityMask(caps.Effective, "effective");
            permitted = CapabilityMask(caps.Permitted, "permitted");
            inheritable = CapabilityMask(caps.Inheritable, "inheritable");
            ambient = CapabilityMask(caps.Ambient, "ambient");
            plan.Add(InitOp.DropBounding, "drop capabilities from the bounding set", a: (long)bounding, b: o.LastCapability);
        }
        if (seccomp is not null && !process.NoNewPrivileges) seccomp.Install(plan);
        plan.Add(InitOp.KeepCaps, "prctl(PR_SET_KEEPCAPS, 1)", a: 1);
        List<uint> groups = process.User.AdditionalGids ?? new List<uint>();
        uint* gids = (uint*)plan.Arena.Alloc(Math.Max(1, groups.Count) * sizeof(uint));
        for (int i = 0; i < groups.Count; i++) gids[i] = groups[i];
        plan.Add(InitOp.SetGroups, $"setgroups [{string.Join(' ', groups)}]", a: groups.Count, s1: (byte*)gids);
        plan.Add(InitOp.SetIds, $"set uid {process.User.Uid} and gid {process.User.Gid}", a: process.User.Uid, b: process.User.Gid);
        plan.Add(InitOp.KeepCaps, "prctl(PR_SET_KEEPCAPS, 0)", a: 0);
        if (caps is not null)
        {
            plan.Add(InitOp.Capset, "capset", a: (long)effective, b: (long)permitted, c: (long)inheritable);
            if (ambient != 0) plan.Add(InitOp.AmbientRaise, "raise ambient capabilities", a: (long)(ambient & inheritable & permitted));
        }
        if (process.NoNewPrivileges) plan.Add(InitOp.NoNewPrivileges, "prctl(PR_SET_NO_NEW_PRIVS)");
    }

    /// <summary>The program found, READY, (for create) the wait for start and its hooks, execve; seccomp last with no_new_privs.</summary>
    private static void AddExec(InitPlan plan, InitOptions o, SeccompFilter? seccomp, byte** envp)
    {
        Process process = o.Process;
        List<string> args = process.Args is { Count: > 0 } a ? a : throw new RuntimeException("config.json: $.process.args: must name the program to run");
        List<string> env = process.Env ?? new List<string>();
        string path = DefaultPath;
        foreach (string e in env) if (e.StartsWith("PATH=", StringComparison.Ordinal)) path = e[5..];
        bool search = !args[0].Contains('/');
        plan.Add(InitOp.ResolveExec, search ? $"exec: \"{args[0]}\": executable file not found in $PATH" : $"exec: \"{args[0]}\"",
            a: search ? 1 : 0, s1: plan.Arena.String(args[0]), s2: plan.Arena.String(path), explains: search ? (int)Errno.ENOENT : 0);
        // With no_new_privs the filter goes in late (see SeccompFilter): before READY if it notifies, else last.
        SeccompFilter? late = process.NoNewPrivileges ? seccomp : null;
        if (late is { Notify: true }) late.Install(plan);
        plan.Add(InitOp.Ready, "report ready");
        if (!o.IsExec)
        {
            plan.Add(InitOp.Commit, "wait for edge to record the container");
            plan.Add(InitOp.WaitStart, "wait for start", a: o.ExecFifoFd);
            AddHooks(plan, "startContainer", o.Spec.Hooks?.StartContainer, state: 1);
        }
        if (late is { Notify: false }) late.Install(plan);
        plan.Add(InitOp.Exec, $"exec `{args[0]}`", s1: (byte*)plan.StubArgv(null, args), s2: (byte*)envp);
    }

    /// <summary>
    /// process.env as the process gets it: without HOME (or with an empty one), runc's rule adds it, the
    /// user's home directory in the container's /etc/passwd, or "/" (found by the init, inside the root).
    /// </summary>
    private static byte** ProcessEnvironment(InitPlan plan, Process process)
    {
        var env = new List<string>(process.Env ?? new List<string>());
        int home = env.FindIndex(e => e.StartsWith("HOME=", StringComparison.Ordinal));
        if (home >= 0 && env[home].Length > 5) return plan.Arena.StringArray(env);
        if (home < 0) { home = env.Count; env.Add("HOME=/"); }
        byte** envp = plan.Arena.StringArray(env);
        plan.Add(InitOp.DefaultHome, $"find HOME for uid {process.User.Uid} in /etc/passwd", a: process.User.Uid, b: home, s1: (byte*)envp);
        return envp;
    }

    /// <summary>
    /// The inherited fds the init needs: the container's process keeps the exec fifo (until `start`) and the
    /// --preserve-fds; set-up also uses the namespaces it joins, the console socket and idmapped mounts' user
    /// namespaces (added where they are made).
    /// </summary>
    private static void KeepFds(InitPlan plan, InitOptions o)
    {
        if (o.PreserveFds is < 0 or > 1000) throw new RuntimeException($"--preserve-fds: {o.PreserveFds} is out of range (0 to 1000)");
        for (int fd = 3; fd < 3 + o.PreserveFds; fd++) plan.KeepFd(fd, untilExec: true);
        plan.KeepFd(o.ExecFifoFd, untilExec: true);
        plan.KeepFd(o.ConsoleSocketFd, untilExec: false);
        foreach ((string _, int fd) in o.Join) plan.KeepFd(fd, untilExec: false);
        foreach ((string _, int fd) in o.JoinCgroups) plan.KeepFd(fd, untilExec: false);
    }

    private static string CheckedCwd(Process process)
    {
        if (string.IsNullOrEmpty(process.Cwd) || !process.Cwd.StartsWith('/'))
            throw new RuntimeException($"config.json: $.process.cwd: must be an absolute path, got \"{Printable.Short(process.Cwd)}\"");
        return process.Cwd;
    }

    /// <summary>
    /// process.apparmorProfile and process.selinuxLabel label the next execve, written through the procfs
    /// handle. A host without the module refuses the config: the container would run unconfined.
    /// </summary>
    private static void AddSecurityLabels(InitPlan plan, Process process)
    {
        if (!string.IsNullOrEmpty(process.ApparmorProfile))
        {
            if (!Lsm.AppArmorEnabled)
                throw new RuntimeException($"config.json: $.process.apparmorProfile: \"{Printable.Short(process.ApparmorProfile)}\" is set, but AppArmor is not enabled on this host");
            // The kernel answers ENOENT for a profile it has not loaded.
            AddProcWrite(plan, $"AppArmor profile \"{process.ApparmorProfile}\" is not loaded (apparmor_parser -r PROFILE)", Lsm.AppArmorExecAttribute,
                "exec " + process.ApparmorProfile, explains: (int)Errno.ENOENT);
        }
        if (!string.IsNullOrEmpty(process.SelinuxLabel))
        {
            if (!Lsm.SelinuxEnabled)
                throw new RuntimeException($"config.json: $.process.selinuxLabel: \"{Printable.Short(process.SelinuxLabel)}\" is set, but SELinux is not enabled on this host");
            AddProcWrite(plan, $"apply SELinux label \"{process.SelinuxLabel}\"", Lsm.SelinuxExecAttribute, process.SelinuxLabel);
        }
    }

    private static void AddProcWrite(InitPlan plan, string description, string path, string content, int explains = 0)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(content);
        plan.Add(InitOp.ProcWrite, description, a: bytes.Length, s1: plan.Arena.String(path), s2: plan.Arena.Bytes(bytes), explains: explains);
    }

    /// <summary>
    /// exec's root: the container's, from its mount namespace (joined by then), or its rootfs when it shares
    /// the host's mounts.
    /// </summary>
    private static void AddExecRoot(InitPlan plan, InitOptions o)
    {
        if (o.OwnMountNamespace)
        {
            plan.Add(InitOp.OpenRoot, "open the container's root", s1: plan.Arena.String("/"));
            return;
        }
        plan.Add(InitOp.OpenRoot, $"open rootfs `{o.Rootfs}`", s1: plan.Arena.String(o.Rootfs));
        plan.Add(InitOp.Chroot, $"chroot to `{o.Rootfs}`");
    }

    /// <summary>linux.seccomp.flags as SECCOMP_FILTER_FLAG_* bits.</summary>
    private static long SeccompFlags(Oci.RuntimeSpec.Seccomp profile)
    {
        long flags = 0;
        foreach (string flag in profile.Flags ?? new List<string>())
            flags |= (long)(flag switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => 1u,
                "SECCOMP_FILTER_FLAG_LOG" => 2u,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => 4u,
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => 32u,
                _ => throw new RuntimeException($"config.json: $.linux.seccomp.flags: unknown flag \"{flag}\""),
            });
        return flags;
    }

    private static void AddRootfs(InitPlan plan, InitOptions o)
    {
        NativeArena arena = plan.Arena;
        Spec spec = o.Spec;
        LinuxSpec linux = spec.Linux ?? new LinuxSpec();

        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            if (!o.NewUtsNamespace) throw new RuntimeException("config.json: $.hostname: setting the hostname needs a new uts namespace");
            plan.Add(InitOp.SetHostname, $"sethostname \"{Printable.Short(spec.Hostname)}\"", s1: arena.String(spec.Hostname));
        }
        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            if (!o.NewUtsNamespace) throw new RuntimeException("config.json: $.domainname: setting the domain name needs a new uts namespace");
            plan.Add(InitOp.SetDomainname, $"setdomainname \"{Printable.Short(spec.Domainname)}\"", s1: arena.String(spec.Domainname));
        }

        if (o.OwnMountNamespace) AddOwnMountsRoot(plan, o, linux);
        else AddSharedMountsRoot(plan, o, linux);

        // As runc does, a missing cwd is made (by root, before the root may become read-only).
        string cwd = CheckedCwd(o.Process);
        plan.Add(InitOp.MakeDirectory, $"create cwd `{Printable.Short(cwd)}`", s2: arena.String(PathClean.Relative(cwd)));

        if (linux.Sysctl is { } sysctls)
        {
            foreach ((string key, string value) in sysctls)
            {
                AddProcWrite(plan, $"sysctl {Printable.Short(key)}={Printable.Short(value)}", "sys/" + SysctlPath(key, o), value);
            }
        }

        if (!o.OwnMountNamespace) return;
        foreach (string ro in linux.ReadonlyPaths ?? new List<string>())
            plan.Add(InitOp.ReadonlyPath, $"make `{Printable.Short(ro)}` read-only", s2: arena.String(PathClean.Relative(ro)));
        foreach (string masked in linux.MaskedPaths ?? new List<string>())
            plan.Add(InitOp.MaskPath, $"mask `{Printable.Short(masked)}`", s2: arena.String(PathClean.Relative(masked)));
        if (spec.Root?.Readonly == true) plan.Add(InitOp.RemountRootReadonly, "remount / read-only");
        // The configured propagation is the container's root's own, applied once it is the root (as runc), and
        // last: the read-only and masked paths above are bind mounts, which an unbindable tree would refuse.
        if (!string.IsNullOrEmpty(linux.RootfsPropagation))
            plan.Add(InitOp.MountPropagation, $"make the container's / {linux.RootfsPropagation}", a: (long)MountOptions.RootPropagation(linux.RootfsPropagation));
    }

    /// <summary>
    /// A container with its own mount namespace: the rootfs bound onto itself, the config's mounts, devices and
    /// /dev links made inside it (each target resolved inside the root), createContainer hooks, then
    /// pivot_root (or, with --no-pivot, a move of the rootfs onto / and chroot).
    /// </summary>
    private static void AddOwnMountsRoot(InitPlan plan, InitOptions o, LinuxSpec linux)
    {
        NativeArena arena = plan.Arena;
        Spec spec = o.Spec;
        byte* rootfs = arena.String(o.Rootfs);
        ulong propagation = MountOptions.RootPropagation(linux.RootfsPropagation);
        // An unbindable / could not have the rootfs bound out of it: it is a slave until the root is the
        // container's, then unbindable (below).
        ulong before = (propagation & MountFlags.Unbindable) != 0 ? MountFlags.Slave | MountFlags.Rec : propagation;
        plan.Add(InitOp.MountPropagation, "make / " + (before == propagation ? linux.RootfsPropagation ?? "rslave" : "rslave"), a: (long)before);
        // With / shared, the mount holding the rootfs is made private (that mount only), as runc does: the bind
        // below must not propagate to the host's peers, and pivot_root refuses a shared parent (EINVAL).
        if ((propagation & MountFlags.Shared) != 0 && MountInfo.Holding(o.Rootfs) is { } holding)
            plan.Add(InitOp.MountPropagation, $"make `{Printable.Short(holding.MountPoint)}` (holding the rootfs) private",
                a: (long)MountFlags.Private, s1: arena.String(holding.MountPoint));
        plan.Add(InitOp.BindRootfs, $"bind mount rootfs `{o.Rootfs}`", s1: rootfs);
        plan.Add(InitOp.OpenRoot, $"open rootfs `{o.Rootfs}`", s1: rootfs);

        bool devIsMounted = false, devPtsIsMounted = false;
        List<Mount> mounts = spec.Mounts ?? new List<Mount>();
        for (int i = 0; i < mounts.Count; i++)
        {
            Mount m = mounts[i];
            if (!m.Destination.StartsWith('/'))
                throw new RuntimeException($"config.json: $.mounts[{i}].destination: must be an absolute path, got \"{Printable.Short(m.Destination)}\"");
            string target = PathClean.Relative(m.Destination);
            if (target == ".") throw new RuntimeException($"config.json: $.mounts[{i}].destination: cannot mount over the root");
            if (target == "dev") devIsMounted = true;
            if (target == "dev/pts") devPtsIsMounted = true;
            if (m.Type == "cgroup" || m.Type == "cgroup2") AddCgroupMount(plan, o, m, target);
            else AddMount(plan, o, m, target, i);
        }

        AddDevices(plan, o, linux, devIsMounted);
        foreach ((string link, string to) in new[] { ("dev/fd", "/proc/self/fd"), ("dev/stdin", "/proc/self/fd/0"), ("dev/stdout", "/proc/self/fd/1"), ("dev/stderr", "/proc/self/fd/2") })
            plan.Add(InitOp.Symlink, $"symlink `/{link}` -> `{to}`", s1: arena.String(to), s2: arena.String(link));
        if (devPtsIsMounted)
            plan.Add(InitOp.Symlink, "symlink `/dev/ptmx` -> `pts/ptmx`", s1: arena.String("pts/ptmx"), s2: arena.String("dev/ptmx"));

        AddHooks(plan, "createContainer", o.Spec.Hooks?.CreateContainer, state: 0);
        if (o.NoPivot) plan.Add(InitOp.MoveRoot, $"move rootfs `{o.Rootfs}` to / and chroot", s1: rootfs);
        else plan.Add(InitOp.PivotRoot, $"pivot_root to `{o.Rootfs}`", s1: rootfs);
    }

    /// <summary>
    /// A container without a mount namespace of its own shares the host's mount table: any mount edge made
    /// would be the host's, and pivot_root would move the host's root. So it only gets chroot(2) into its
    /// rootfs, and a config asking for mounts of any kind is refused (runc refuses masked and read-only paths
    /// there too).
    /// </summary>
    private static void AddSharedMountsRoot(InitPlan plan, InitOptions o, LinuxSpec linux)
    {
        const string Why = "needs a mount namespace (add {\"type\": \"mount\"} to $.linux.namespaces)";
        Spec spec = o.Spec;
        if (spec.Mounts is { Count: > 0 }) throw new RuntimeException($"config.json: $.mounts: mounting {Why}");
        if (linux.MaskedPaths is { Count: > 0 }) throw new RuntimeException($"config.json: $.linux.maskedPaths: masking paths {Why}");
        if (linux.ReadonlyPaths is { Count: > 0 }) throw new RuntimeException($"config.json: $.linux.readonlyPaths: read-only paths {Why}");
        if (linux.Devices is { Count: > 0 }) throw new RuntimeException($"config.json: $.linux.devices: creating devices {Why}");
        if (spec.Root?.Readonly == true) throw new RuntimeException($"config.json: $.root.readonly: a read-only root {Why}");
        if (!string.IsNullOrEmpty(linux.RootfsPropagation)) throw new RuntimeException($"config.json: $.linux.rootfsPropagation: {Why}");
        if (o.NoPivot) throw new RuntimeException($"--no-pivot: moving the rootfs {Why}");
        plan.Add(InitOp.OpenRoot, $"open rootfs `{o.Rootfs}`", s1: plan.Arena.String(o.Rootfs));
        AddHooks(plan, "createContainer", spec.Hooks?.CreateContainer, state: 0);
        plan.Add(InitOp.Chroot, $"chroot to `{o.Rootfs}`");
    }

    /// <summary>Hooks the init runs itself, in the container's namespaces (before pivot_root, or before execve).</summary>
    private static void AddHooks(InitPlan plan, string phase, List<Hook>? hooks, int state)
    {
        if (hooks is null) return;
        for (int i = 0; i < hooks.Count; i++)
        {
            Hook hook = hooks[i];
            if (hook.Timeout is <= 0) throw new RuntimeException($"config.json: $.hooks.{phase}[{i}].timeout: must be greater than zero");
            var args = hook.Args is { Count: > 0 } given ? given : new List<string> { hook.Path };
            plan.Add(InitOp.Hook, $"{phase} hook #{i} `{Printable.Short(hook.Path)}`", a: hook.Timeout ?? 0, b: state,
                // Without env, an empty one (as runc): the runtime's own environment stays out of the container.
                s1: plan.Arena.String(hook.Path), s2: (byte*)plan.StubArgv(hook.Path, args), s3: (byte*)plan.Arena.StringArray(hook.Env ?? new List<string>()));
        }
    }

    private static void AddMount(InitPlan plan, InitOptions o, Mount m, string target, int index)
    {
        NativeArena arena = plan.Arena;
        ParsedMountOptions parsed = MountOptions.Parse(m.Type, m.Options);
        bool idmapped = m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 };
        string? source = m.Source;
        bool file = false;
        if (parsed.Bind)
        {
            if (string.IsNullOrEmpty(source)) throw new RuntimeException($"config.json: $.mounts[{index}].source: a bind mount needs a source");
            if (!source.StartsWith('/')) source = Path.GetFullPath(Path.Combine(o.Bundle, source));
            if (!Path.Exists(source)) throw new RuntimeException($"mount `{source}` on `{m.Destination}`: source does not exist");
            file = !Directory.Exists(source);
        }
        string type = parsed.Bind ? "" : m.Type ?? "";
        if (!parsed.Bind && type.Length == 0)
            throw new RuntimeException($"config.json: $.mounts[{index}].type: required for a mount that is not a bind mount");
        if (parsed.CopyUp && type != "tmpfs")
            throw new RuntimeException($"config.json: $.mounts[{index}].options: tmpcopyup is for tmpfs mounts");
        if (idmapped)
        {
            if (parsed.AttributesSet != 0 || parsed.AttributesCleared != 0)
                throw new RuntimeException($"config.json: $.mounts[{index}].options: recursive options (rro, rnosuid, ...) on an idmapped mount are not supported");
            AddIdmapMount(plan, o, m, parsed, source!, target, file, index);
            return;
        }
        // C and D carry the recursive attributes in their high halves (Native/init.c, do_mount).
        plan.Add(InitOp.Mount, $"mount `{source}` on `{m.Destination}` ({(parsed.Bind ? "bind" : type)}{(parsed.CopyUp ? ", copied up" : "")})",
            a: (long)parsed.Flags, b: (long)parsed.Propagation,
            c: (long)((file ? 1UL : 0) | (parsed.CopyUp ? 2UL : 0) | parsed.AttributesCleared << 32),
            d: (long)((parsed.ChangesBindFlags ? 1UL : 0) | parsed.AttributesSet << 32),
            s1: arena.String(source), s2: arena.String(target), s3: parsed.Bind ? null : arena.String(type), s4: arena.String(parsed.Data));
    }

    /// <summary>
    /// An idmapped bind mount (uidMappings/gidMappings, runtime-spec 1.2): the source's ids shifted through a user
    /// namespace with those maps, made here (NativeInit.UsernsFd) and handed to the init by fd. "ridmap" or
    /// "rbind" maps the whole tree.
    /// </summary>
    private static void AddIdmapMount(InitPlan plan, InitOptions o, Mount m, ParsedMountOptions parsed, string source, string target, bool file, int index)
    {
        if (!parsed.Bind) throw new RuntimeException($"config.json: $.mounts[{index}]: uidMappings/gidMappings need a bind mount");
        if (m.UidMappings is not { Count: > 0 } || m.GidMappings is not { Count: > 0 })
            throw new RuntimeException($"config.json: $.mounts[{index}]: an idmapped mount needs both uidMappings and gidMappings");
        if (parsed.Propagation != 0) throw new RuntimeException($"config.json: $.mounts[{index}].options: propagation flags on an idmapped mount are not supported");
        long ns = o.IdmapUserNamespace(FormatIdMap(m.UidMappings), FormatIdMap(m.GidMappings));
        if (ns < 0) throw new SystemCallException($"user namespace for the idmapped mount on `{m.Destination}`", null, (int)-ns);
        o.Opened.Add((int)ns);
        plan.KeepFd((int)ns, untilExec: false);
        ulong flags = parsed.Flags;
        foreach (string option in m.Options ?? new List<string>())
            if (option == "ridmap") flags |= MountFlags.Rec;
        plan.Add(InitOp.IdmapMount, $"idmapped mount `{source}` on `{m.Destination}`",
            a: (long)flags, b: ns, c: file ? 1 : 0, d: parsed.ChangesBindFlags ? 1 : 0, s1: plan.Arena.String(source), s2: plan.Arena.String(target));
    }

    /// <summary>The text of a /proc/PID/uid_map or gid_map file: "inside outside count" lines.</summary>
    internal static string FormatIdMap(List<IdMapping> maps)
    {
        var text = new System.Text.StringBuilder();
        foreach (IdMapping map in maps) text.Append(CultureInfo.InvariantCulture, $"{map.ContainerId} {map.HostId} {map.Size}\n");
        return text.ToString();
    }

    /// <summary>
    /// A "cgroup" mount shows the container its own cgroups. On cgroup v2 that is a cgroup2 mount (scoped by
    /// the cgroup namespace); on v1 it is a tmpfs with each hierarchy's container directory bound into it,
    /// the layout runc gives (/sys/fs/cgroup/cpu, .../memory, .../systemd).
    /// </summary>
    private static void AddCgroupMount(InitPlan plan, InitOptions o, Mount m, string target)
    {
        NativeArena arena = plan.Arena;
        ParsedMountOptions parsed = MountOptions.Parse(null, m.Options);
        ulong flags = parsed.Flags & ~(MountFlags.Bind | MountFlags.Rec);
        if (o.Cgroup is null || o.Cgroup.Unified)
        {
            plan.Add(InitOp.Mount, $"mount cgroup2 on `{m.Destination}`", a: (long)flags,
                s1: arena.String("cgroup2"), s2: arena.String(target), s3: arena.String("cgroup2"));
            return;
        }
        plan.Add(InitOp.Mount, $"mount tmpfs on `{m.Destination}`", a: (long)(MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec),
            s1: arena.String("tmpfs"), s2: arena.String(target), s3: arena.String("tmpfs"), s4: arena.String("mode=755"));
        for (int i = 0; i < o.Cgroup.Directories.Count && i < o.CgroupHierarchies.Count; i++)
        {
            string dir = o.Cgroup.Directories[i];
            Cgroups.CgroupHierarchy h = o.CgroupHierarchies[i];
            if (h.IsV2) continue;
            string name = h.Controllers.StartsWith("name=", StringComparison.Ordinal) ? h.Controllers[5..] : h.Controllers;
            string inner = target + "/" + name;
            plan.Add(InitOp.Mount, $"bind cgroup `{dir}` on `/{inner}`", a: (long)(MountFlags.Bind | flags), d: 1,
                s1: arena.String(dir), s2: arena.String(inner));
        }
        // A read-only cgroup mount leaves no way to add entries beside the hierarchies either.
        if ((flags & MountFlags.ReadOnly) != 0)
            plan.Add(InitOp.Chmod, $"chmod `{m.Destination}` 0555", a: 0x16d /* 0555 */, s2: arena.String(target));
    }

    private static void AddDevices(InitPlan plan, InitOptions o, LinuxSpec linux, bool devIsMounted)
    {
        NativeArena arena = plan.Arena;
        var devices = new List<(string Path, string Type, long Major, long Minor, uint Mode, uint Uid, uint Gid)>();
        foreach ((string name, long major, long minor) in DefaultDevices)
            devices.Add(("/dev/" + name, "c", major, minor, 0x1b6 /* 0666 */, 0, 0));
        List<Device> extra = linux.Devices ?? new List<Device>();
        for (int i = 0; i < extra.Count; i++)
        {
            Device d = extra[i];
            if (d.Type is not ("c" or "b" or "u" or "p"))
                throw new RuntimeException($"config.json: $.linux.devices[{i}].type: unknown device type \"{d.Type}\"");
            devices.RemoveAll(x => x.Path == d.Path);
            devices.Add((d.Path, d.Type, d.Major, d.Minor, (d.FileMode ?? 0x1b6) & 0xfff, d.Uid ?? 0, d.Gid ?? 0));
        }
        if (!devIsMounted && extra.Count == 0) return; // a /dev from the image is left as it is, as runc does

        foreach (var d in devices)
        {
            string target = PathClean.Relative(d.Path);
            if (o.NewUserNamespace)
            {
                // mknod is not allowed in a user namespace: bind the host's node instead.
                plan.Add(InitOp.BindDevice, $"bind device `{d.Path}`", s1: arena.String(d.Path), s2: arena.String(target));
                continue;
            }
            uint type = d.Type switch { "b" => 0x6000u, "p" => 0x1000u, _ => 0x2000u };
            plan.Add(InitOp.Mknod, $"mknod `{d.Path}`", a: type | d.Mode, b: (long)MakeDev(d.Major, d.Minor), c: d.Uid, d: d.Gid,
                s2: arena.String(target));
        }
    }

    /// <summary>linux.timeOffsets as /proc/PID/timens_offsets wants it: "CLOCK SECS NANOSECS" per line.</summary>
    private static string TimeOffsets(Spec spec)
    {
        var text = new System.Text.StringBuilder();
        foreach ((string clock, TimeOffset offset) in spec.Linux?.TimeOffsets ?? new Dictionary<string, TimeOffset>())
        {
            if (clock is not ("monotonic" or "boottime"))
                throw new RuntimeException($"config.json: $.linux.timeOffsets: unknown clock \"{clock}\" (monotonic or boottime)");
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{clock} {offset.Secs} {offset.Nanosecs}\n");
        }
        return text.ToString();
    }

    public static ulong MakeDev(long major, long minor)
    {
        ulong ma = (ulong)major, mi = (ulong)minor;
        return ((ma & 0xfffff000UL) << 32) | ((ma & 0xfffUL) << 8) | ((mi & 0xffffff00UL) << 12) | (mi & 0xffUL);
    }

    /// <summary>
    /// The /proc/sys path of a linux.sysctl key, once it is known to be the container's own: written as
    /// sysctl(8) takes it, "a.b.c" or "a/b/c" (where dots stay, as in interface names). The hostname and domain
    /// name are the $.hostname and $.domainname fields' (runc and crun refuse them here too).
    /// </summary>
    private static string SysctlPath(string key, InitOptions o)
    {
        string Refuse(string why) => throw new RuntimeException($"config.json: $.linux.sysctl['{Printable.Short(key)}']: {why}");
        string path = key.Contains('/') ? key : key.Replace('.', '/');
        foreach (string part in path.Split('/'))
            if (part is "" or "." or "..") Refuse("not a sysctl name");
        string name = path.Replace('/', '.');
        if (name is "kernel.hostname" or "kernel.domainname")
            Refuse($"not allowed: set $.{name["kernel.".Length..]} instead");

        LinuxSpec linux = o.Spec.Linux!;
        bool Has(string type) => linux.Namespaces?.Exists(n => n.Type == type) == true;
        bool ipc = name.StartsWith("kernel.msg", StringComparison.Ordinal) || name.StartsWith("kernel.sem", StringComparison.Ordinal)
            || name.StartsWith("kernel.shm", StringComparison.Ordinal) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal);
        if (ipc && Has("ipc")) return path;
        if (name.StartsWith("net.", StringComparison.Ordinal) && Has("network")) return path;
        return Refuse("sysctl is not in a separate kernel namespace of the container");
    }

    private static ulong CapabilityMask(List<string>? names, string set)
    {
        ulong mask = 0;
        if (names is null) return 0;
        for (int i = 0; i < names.Count; i++)
        {
            int cap = Capability.Parse(names[i]);
            if (cap < 0) throw new RuntimeException($"config.json: $.process.capabilities.{set}[{i}]: unknown capability \"{names[i]}\"");
            mask |= 1UL << cap;
        }
        return mask;
    }

    public static ulong NamespaceFlag(string type) => type switch
    {
        "pid" => CloneFlags.NewPid,
        "network" => CloneFlags.NewNet,
        "mount" => CloneFlags.NewNs,
        "ipc" => CloneFlags.NewIpc,
        "uts" => CloneFlags.NewUts,
        "user" => CloneFlags.NewUser,
        "cgroup" => CloneFlags.NewCgroup,
        "time" => CloneFlags.NewTime,
        _ => 0,
    };

    private static readonly string[] Rlimits =
    {
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    };

    /// <summary>RLIMIT_* numbers (the same on x86-64 and arm64); -1 when unknown.</summary>
    public static int RlimitNumber(string name) => Array.IndexOf(Rlimits, name);
}
