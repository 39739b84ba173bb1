using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Edge.Oci.RuntimeSpec;
using Edge.Runtime;
using Edge.Runtime.Init;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Runtime;

/// <summary>
/// The init plan as a test seam: plans built from configs in memory, without a kernel or root (the seccomp
/// program and idmapped mounts' user namespaces come in through InitOptions), and the ordering rules the
/// runtime-spec, runc and crun imply, checked on the steps the plan holds.
/// </summary>
public class InitPlanOrderTests
{
    private static readonly byte[] FakeSeccomp = new byte[16]; // two BPF instructions: only the count matters here

    private const string Caps = "\"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]}";

    /// <summary>A config with a process, a root, proc and dev mounts, masked and read-only paths; EXTRA goes into linux, PROCESS into process.</summary>
    private static string Config(string process = "", string linux = "", string mounts = "") =>
        "{\"ociVersion\": \"1.2.1\"," +
        " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/bin/true\"], \"cwd\": \"/\", " + Caps + process + "}," +
        " \"root\": {\"path\": \"rootfs\"}," +
        " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}," +
        " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"mode=755\"]}" + mounts + "]," +
        " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]," +
        " \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"]" + linux + "}}";

    private const string Seccomp = ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";

    private static List<InitOp> Ops(string json, bool newUserNamespace = false, Func<string, string, long>? userns = null,
        List<(string Type, int Fd)>? join = null, List<(string, int)>? cgroups = null, bool newCgroupNamespace = false)
    {
        using InitPlan plan = Plan(json, newUserNamespace, userns, join, cgroups, newCgroupNamespace);
        return plan.Steps.Select(s => (InitOp)s.Op).ToList();
    }

    private static InitPlan Plan(string json, bool newUserNamespace = false, Func<string, string, long>? userns = null,
        List<(string Type, int Fd)>? join = null, List<(string, int)>? cgroups = null, bool newCgroupNamespace = false)
    {
        using var bundle = new TempDir("edge-plan-");
        Directory.CreateDirectory(bundle.Combine("rootfs"));
        Spec spec = OciJson.Parse(Encoding.UTF8.GetBytes(json), SpecReader.Spec, "config.json");
        return InitPlanBuilder.Build(new InitOptions
        {
            Spec = spec,
            Process = spec.Process!,
            Bundle = bundle.Path,
            Rootfs = bundle.Combine("rootfs"),
            SeccompProgram = spec.Linux?.Seccomp is null ? null : FakeSeccomp,
            NewUserNamespace = newUserNamespace,
            NewCgroupNamespace = newCgroupNamespace,
            Join = join ?? new List<(string, int)>(),
            JoinCgroups = cgroups ?? new List<(string, int)>(),
            IdmapUserNamespace = userns ?? ((_, _) => throw new InvalidOperationException("no idmapped mount expected")),
        });
    }

    private static int First(List<InitOp> ops, InitOp op) => ops.IndexOf(op) is >= 0 and var i ? i : throw new Xunit.Sdk.XunitException($"no {op} step in: {string.Join(' ', ops)}");
    private static int Last(List<InitOp> ops, InitOp op) => ops.LastIndexOf(op) is >= 0 and var i ? i : throw new Xunit.Sdk.XunitException($"no {op} step in: {string.Join(' ', ops)}");

    [Fact]
    public void WithoutNoNewPrivilegesSeccompGoesInBeforeCapabilitiesAreDropped()
    {
        // The filter needs CAP_SYS_ADMIN when no_new_privs is off, so it must precede setuid and capset.
        List<InitOp> ops = Ops(Config(linux: Seccomp));
        Assert.True(First(ops, InitOp.Seccomp) < First(ops, InitOp.SetIds));
        Assert.True(First(ops, InitOp.Seccomp) < First(ops, InitOp.Capset));
    }

    [Fact]
    public void WithNoNewPrivilegesNothingButExecFollowsSeccomp()
    {
        // As late as possible: after start, so the filter never constrains edge's own set-up.
        List<InitOp> ops = Ops(Config(process: ", \"noNewPrivileges\": true", linux: Seccomp));
        int seccomp = First(ops, InitOp.Seccomp);
        Assert.Equal(new[] { InitOp.Seccomp, InitOp.Exec }, ops.Skip(seccomp));
        Assert.True(First(ops, InitOp.NoNewPrivileges) < seccomp);
        Assert.True(First(ops, InitOp.WaitStart) < seccomp);
    }

    [Fact]
    public void MountsPrecedeMaskingAndReadOnlyPathsWhichPrecedePivotRootOrFollowIt()
    {
        List<InitOp> ops = Ops(Config());
        int lastMount = Last(ops, InitOp.Mount);
        Assert.True(lastMount < First(ops, InitOp.MaskPath));
        Assert.True(lastMount < First(ops, InitOp.ReadonlyPath));
        Assert.True(lastMount < First(ops, InitOp.PivotRoot));
        // Masks are applied inside the new root, so after pivot_root; and the program is looked up after both.
        Assert.True(First(ops, InitOp.PivotRoot) < First(ops, InitOp.MaskPath));
        Assert.True(Last(ops, InitOp.MaskPath) < First(ops, InitOp.ResolveExec));
    }

    [Fact]
    public void DevicesAreBoundNotMadeUnderAUserNamespace()
    {
        // mknod is not allowed in a user namespace: the host's devices are bound instead (as runc does).
        List<InitOp> withUserns = Ops(Config(linux: ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"), newUserNamespace: true);
        Assert.DoesNotContain(InitOp.Mknod, withUserns);
        Assert.Contains(InitOp.BindDevice, withUserns);
        List<InitOp> plain = Ops(Config());
        Assert.Contains(InitOp.Mknod, plain);
        Assert.DoesNotContain(InitOp.BindDevice, plain);
    }

    [Fact]
    public void TheInitHidesItselfFirstAndExecsLast()
    {
        List<InitOp> ops = Ops(Config(linux: Seccomp));
        Assert.Equal(InitOp.SetDumpable, ops[0]);
        Assert.Equal(InitOp.Exec, ops[^1]);
        Assert.Single(ops, InitOp.Exec);
        // Inherited fds are closed before anything inside the container's root is resolved.
        Assert.True(First(ops, InitOp.CloseFds) < First(ops, InitOp.Mount));
    }

    /// <summary>
    /// The init writes itself into its v1 cgroups (Cgroups/CgroupJoin) while it is still edge's copy: after the
    /// inherited fds are closed (the `tasks` fds are kept for it), before it joins a namespace, waits for the
    /// parent (who may write id maps) or makes a cgroup namespace (rooted where the init is when it is made).
    /// </summary>
    [Fact]
    public void TheInitJoinsItsCgroupsBeforeAnyNamespaceOrCredentialChange()
    {
        var cgroups = new List<(string, int)> { ("/sys/fs/cgroup/pids/c1", 41), ("/sys/fs/cgroup/memory/c1", 42) };
        var join = new List<(string Type, int Fd)> { ("user", 43), ("net", 44) };
        List<InitOp> ops = Ops(Config(), newUserNamespace: true, join: join, cgroups: cgroups, newCgroupNamespace: true);
        int first = First(ops, InitOp.JoinCgroup);
        Assert.Equal(2, ops.Count(op => op == InitOp.JoinCgroup));
        Assert.Equal(InitOp.JoinCgroup, ops[first + 1]);
        Assert.True(First(ops, InitOp.CloseFds) < first);
        foreach (InitOp later in new[] { InitOp.SetNs, InitOp.WaitParent, InitOp.Unshare, InitOp.SetRootIds, InitOp.Mount, InitOp.SetIds })
            Assert.True(first + 1 < First(ops, later), $"{later} before JoinCgroup: {string.Join(' ', ops)}");
    }

    [Fact]
    public void CgroupFdsAreKeptForSetUpOnlyAndNamedInErrors()
    {
        using InitPlan plan = Plan(Config(), cgroups: new List<(string, int)> { ("/sys/fs/cgroup/pids/c1", 41) });
        int step = plan.Steps.ToList().FindIndex(s => s.Op == InitOp.JoinCgroup);
        Assert.Equal(41, plan.Steps[step].A);
        Assert.Equal("join cgroup `/sys/fs/cgroup/pids/c1`: No space left on device", plan.Describe(step, 28, "No space left on device"));
        Assert.Contains(41, plan.KeptForSetUp);
        Assert.DoesNotContain(41, plan.KeptUntilExec);
    }

    [Fact]
    public void AnIdmappedMountGetsItsUserNamespaceFromTheOptions()
    {
        using var source = new TempDir("edge-idmap-");
        var asked = new List<(string Uid, string Gid)>();
        List<InitOp> ops = Ops(Config(mounts: ", {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"" + source.Path +
                "\", \"options\": [\"bind\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}"),
            userns: (uid, gid) => { asked.Add((uid, gid)); return 99; });
        Assert.Contains(InitOp.IdmapMount, ops);
        Assert.Equal(new[] { ("0 1000 1\n", "0 1000 1\n") }, asked);
    }

    /// <summary>What is wrong with a config is found while planning, as one line that names the field.</summary>
    public static TheoryData<string, string> BadConfigs => new()
    {
        { Config(process: ", \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]"), "config.json: $.process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"" },
        { Config().Replace("\"args\": [\"/bin/true\"]", "\"args\": []"), "config.json: $.process.args: must name the program to run" },
        { Config(mounts: ", {\"destination\": \"/x\", \"source\": \"tmpfs\"}"), "config.json: $.mounts[2].type: required for a mount that is not a bind mount" },
        { Config(mounts: ", {\"destination\": \"/x\", \"type\": \"proc\", \"source\": \"proc\", \"options\": [\"tmpcopyup\"]}"), "config.json: $.mounts[2].options: tmpcopyup is for tmpfs mounts" },
        { Config(process: ", \"terminal\": true"), "process.terminal is true: a --console-socket is required to receive the terminal" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void ABadConfigIsRefusedWithOneLine(string json, string message)
    {
        var ex = Assert.Throws<RuntimeException>(() => Ops(json));
        Assert.Equal(message, ex.Message);
    }

    /// <summary>What create checks before it makes anything: the version, a process, a root whose directory exists.</summary>
    public static TheoryData<string, string> BadForCreate => new()
    {
        { Config().Replace("\"1.2.1\"", "\"2.0.0\""), "config.json: $.ociVersion: unsupported version \"2.0.0\" (edge reads 1.x)" },
        { Config().Replace("\"root\": {\"path\": \"rootfs\"},", ""), "config.json: $.root: required on Linux" },
        { Config().Replace("\"path\": \"rootfs\"", "\"path\": \"missing\""), "rootfs `BUNDLE/missing`: no such directory" },
    };

    [Theory]
    [MemberData(nameof(BadForCreate))]
    public void WhatCreateNeedsFirstIsCheckedBeforeAnythingIsMade(string json, string message)
    {
        using var bundle = new TempDir("edge-plan-");
        Directory.CreateDirectory(bundle.Combine("rootfs"));
        Spec spec = OciJson.Parse(Encoding.UTF8.GetBytes(json), SpecReader.Spec, "config.json");
        var ex = Assert.Throws<RuntimeException>(() => InitPlanBuilder.CheckForCreate(spec, bundle.Path));
        Assert.Equal(message.Replace("BUNDLE", bundle.Path), ex.Message);
    }

    [Fact]
    public void AConfigWithoutAProcessCannotCreate()
    {
        using var bundle = new TempDir("edge-plan-");
        Directory.CreateDirectory(bundle.Combine("rootfs"));
        var spec = new Spec { OciVersion = "1.0.2", Root = new Root { Path = "rootfs" } };
        var ex = Assert.Throws<RuntimeException>(() => InitPlanBuilder.CheckForCreate(spec, bundle.Path));
        Assert.Equal("config.json: $.process: required to create a container", ex.Message);

        spec.Process = new Process { User = new User(), Cwd = "/" };
        Assert.Equal(bundle.Combine("rootfs"), InitPlanBuilder.CheckForCreate(spec, bundle.Path).Rootfs);
    }
}
