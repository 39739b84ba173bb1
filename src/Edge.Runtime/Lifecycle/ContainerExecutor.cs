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
/// `exec`: a new process in a running container. The child of clone(2) joins the container's namespaces
/// with setns (the pid namespace is joined by this thread first, so the child is born inside it), is put in
/// the container's cgroup, takes on the process's credentials and execs. In the foreground edge waits for it
/// and exits with its status.
/// </summary>
public static class ContainerExecutor
{
    public static int Exec(ExecRequest request, Action<string>? warn)
    {
        var store = new ContainerStore(request.Root);
        ContainerRecord record = store.Load(request.Id);
        string dir = store.DirectoryOf(request.Id);
        string status = ContainerStatus.Status(record, dir);
        Transitions.Check(request.IgnorePaused ? ContainerOperation.ExecIgnoringPause : ContainerOperation.Exec, status, request.Id);

        string config = Path.Combine(record.Bundle, "config.json");
        Spec spec = OciJson.ReadFile(config, SpecReader.Spec, config);
        Process process = BuildProcess(request, spec);

        var opened = new List<int>();
        InitPlan? plan = null;
        InitProcess? child = null;
        CgroupJoin? cgroupJoin = null;
        try
        {
            Namespaces namespaces = Namespaces.ForExec(spec.Linux, record.Pid);
            (List<(string Type, int Fd)> join, int pidNs) = namespaces.OpenJoined(opened);

            int console = ConsoleSocket.ConnectIfGiven(request.ConsoleSocket, opened);
            // The process joins the container's cgroups itself (v1) or is born in them (v2): Cgroups/CgroupJoin.
            if (record.CgroupPaths is { Count: > 0 } paths)
                cgroupJoin = CgroupJoin.Open(SubCgroupPaths.Resolve(paths, record.CgroupUnified, request.SubCgroups));

            plan = InitPlanBuilder.Build(new InitOptions
            {
                Spec = spec,
                Process = process,
                Bundle = record.Bundle,
                Rootfs = record.Rootfs,
                OwnMountNamespace = namespaces.Mount,
                IsExec = true,
                SeccompProgram = Seccomp.SeccompCache.CompileIfAny(spec.Linux?.Seccomp, request.Root),
                ConsoleSocketFd = console,
                PreserveFds = request.PreserveFds,
                Join = join,
                JoinCgroups = cgroupJoin?.Tasks ?? new List<(string, int)>(),
            });
            child = InitProcess.Start(plan, 0, pidNs, cgroupJoin?.IntoCgroupFd ?? -1);
            cgroupJoin?.Finish(child.Pid, child.BornInCgroup);
            child.Release();
            int execPid = child.Pid;
            child.WaitReady(fd => Seccomp.SeccompAgent.Send(spec.Linux!.Seccomp!, fd, execPid, ContainerStatus.Describe(record, dir)));
            if (!string.IsNullOrEmpty(request.PidFile))
                AtomicFile.Write(Path.GetFullPath(request.PidFile), Encoding.ASCII.GetBytes(child.Pid.ToString(CultureInfo.InvariantCulture)), durable: false);
        }
        catch
        {
            if (child is not null)
            {
                ContainerCreator.KillAndReap(child.Pid);
                child.Dispose();
            }
            throw;
        }
        finally
        {
            foreach (int fd in opened) Libc.Close(fd);
            cgroupJoin?.Dispose();
            plan?.Dispose();
        }

        using (child)
        {
            string? execError = child.WaitExec();
            if (execError is not null)
            {
                ContainerCreator.KillAndReap(child.Pid);
                throw new RuntimeException(execError);
            }
            if (request.Detach) return 0;
            using (ChildProcess.ForwardSignals(child.Pid))
                return ChildProcess.Wait(child.Pid, reapOthers: false);
        }
    }

    /// <summary>runc's rules: --process replaces everything; otherwise config.json's process with the flags applied.</summary>
    private static Process BuildProcess(ExecRequest request, Spec spec)
    {
        if (!string.IsNullOrEmpty(request.ProcessFile))
            return OciJson.ReadFile(request.ProcessFile, SpecReader.Process);
        Process baseProcess = spec.Process ?? throw new RuntimeException("config.json: $.process: required");
        if (request.Args.Count == 0) throw new RuntimeException("exec: no command given (pass ARGS or --process FILE)");
        var env = new List<string>(baseProcess.Env ?? new List<string>());
        env.AddRange(request.Env);
        var process = new Process
        {
            Terminal = request.Tty,
            Args = new List<string>(request.Args),
            Env = env,
            Cwd = string.IsNullOrEmpty(request.Cwd) ? baseProcess.Cwd : request.Cwd,
            User = new User
            {
                Uid = baseProcess.User.Uid,
                Gid = baseProcess.User.Gid,
                Umask = baseProcess.User.Umask,
                AdditionalGids = baseProcess.User.AdditionalGids,
            },
            Capabilities = baseProcess.Capabilities,
            Rlimits = baseProcess.Rlimits,
            NoNewPrivileges = baseProcess.NoNewPrivileges || request.NoNewPrivs,
            ApparmorProfile = baseProcess.ApparmorProfile,
            SelinuxLabel = baseProcess.SelinuxLabel,
        };
        if (!string.IsNullOrEmpty(request.User))
        {
            string[] parts = request.User.Split(':');
            if (!uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                || (parts.Length > 1 && !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)) || parts.Length > 2)
                throw new RuntimeException($"exec: invalid --user \"{request.User}\" (expected UID[:GID])");
            process.User.Uid = uid;
            process.User.Gid = parts.Length > 1 ? uint.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        }
        if (request.AdditionalGids.Count > 0)
        {
            var gids = new List<uint>();
            foreach (string g in request.AdditionalGids)
                gids.Add(uint.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid) ? gid : throw new RuntimeException($"exec: invalid additional gid \"{g}\""));
            process.User.AdditionalGids = gids;
        }
        if (request.Caps.Count > 0)
        {
            Capabilities caps = process.Capabilities ?? new Capabilities();
            process.Capabilities = new Capabilities
            {
                Bounding = Union(caps.Bounding, request.Caps),
                Effective = Union(caps.Effective, request.Caps),
                Permitted = Union(caps.Permitted, request.Caps),
                Inheritable = Union(caps.Inheritable, request.Caps),
                Ambient = Union(caps.Ambient, request.Caps),
            };
        }
        return process;
    }

    private static List<string> Union(List<string>? set, IReadOnlyList<string> add)
    {
        var result = new List<string>(set ?? new List<string>());
        foreach (string cap in add)
        {
            string name = cap.StartsWith("CAP_", StringComparison.Ordinal) ? cap : "CAP_" + cap.ToUpperInvariant();
            if (!result.Contains(name)) result.Add(name);
        }
        return result;
    }
}
