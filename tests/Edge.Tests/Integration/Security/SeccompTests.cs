using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Security;

/// <summary>linux.seccomp enforced, compared with runc on the same bundles: errno rules, argument
/// conditions, kill actions, with and without no_new_privs (which decides when the filter goes in).</summary>
[Collection("containers")]
public class SeccompTests
{
    private static string Id(string name) => $"sc-{name}-{Environment.ProcessId}";

    private static TestBundle Bundle(JsonArray syscalls, bool noNewPrivileges, params string[] args)
    {
        var bundle = new TestBundle(args);
        bundle.Config["root"]!["readonly"] = false;
        bundle.Process["noNewPrivileges"] = noNewPrivileges;
        bundle.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
            ["syscalls"] = syscalls,
        };
        bundle.Save();
        return bundle;
    }

    public static TheoryData<string, bool> Runtimes() => new() { { "edge", true }, { "edge", false }, { "runc", true }, { "runc", false } };

    [Theory]
    [MemberData(nameof(Runtimes))]
    public void ErrnoRulesAndArgumentConditions(string runtime, bool noNewPrivileges)
    {
        using TestBundle bundle = Bundle(new JsonArray(
                new JsonObject { ["names"] = new JsonArray("mkdir", "mkdirat"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = 1 },
                // kill(pid, 0) refused with EACCES; other signals pass.
                new JsonObject
                {
                    ["names"] = new JsonArray("kill"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = 13,
                    ["args"] = new JsonArray(new JsonObject { ["index"] = 1, ["value"] = 0, ["op"] = "SCMP_CMP_EQ" }),
                }),
            noNewPrivileges,
            "sh", "-c", "mkdir /tmp/x 2>&1; kill -0 $$ 2>/dev/null && echo zero allowed || echo zero refused; kill -CONT $$ && echo cont allowed");
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, Id($"errno-{runtime}-{noNewPrivileges}"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("mkdir: can't create directory '/tmp/x': Operation not permitted\nzero refused\ncont allowed\n", run.Stdout);
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>
    /// Compiled programs are kept in the state root's @seccomp-cache: a cached start enforces the same
    /// profile, and an entry is only used when it is root's own in a directory nobody else can write, and
    /// carries this very profile's key.
    /// </summary>
    [Fact]
    public void CompiledProgramsAreCachedAndOnlyTrustedEntriesAreUsed()
    {
        using TestBundle bundle = Bundle(new JsonArray(
                new JsonObject { ["names"] = new JsonArray("mkdir", "mkdirat"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = 1 }),
            true, "sh", "-c", "mkdir /tmp/x 2>&1; echo done");
        using TestRuntime r = TestRuntime.Edge();
        const string blocked = "mkdir: can't create directory '/tmp/x': Operation not permitted\ndone\n";
        void RunsBlocked(string name)
        {
            ProcessResult run = r.Run(bundle, Id("cache-" + name));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(blocked, run.Stdout);
        }

        RunsBlocked("compiled");
        string cache = Path.Combine(r.Root, "@seccomp-cache");
        string entry = Assert.Single(Directory.GetFiles(cache, "*.bpf"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cache));
        DateTime written = File.GetLastWriteTimeUtc(entry);
        Thread.Sleep(20);
        RunsBlocked("cached");
        Assert.Equal(written, File.GetLastWriteTimeUtc(entry)); // read, not compiled and written again

        // A forged entry for this very key whose program allows everything (BPF_RET|BPF_K SECCOMP_RET_ALLOW).
        byte[] original = File.ReadAllBytes(entry);
        byte[] allowAll = { 0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f };
        int header = "edge-seccomp-cache 1\n".Length + 4 + BitConverter.ToInt32(original, "edge-seccomp-cache 1\n".Length);
        byte[] forged = original.Take(header).Concat(allowAll).ToArray();

        File.WriteAllBytes(entry, forged);
        File.SetUnixFileMode(cache, (UnixFileMode)0x1ff); // a directory others can write: not trusted
        RunsBlocked("world-writable-directory");
        File.SetUnixFileMode(cache, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        File.WriteAllBytes(entry, forged);
        Assert.Equal(0, EdgeProcess.Run("chown", new[] { "1000", entry }).ExitCode); // not root's own: not trusted
        RunsBlocked("foreign-owner");

        byte[] otherKey = (byte[])original.Clone();
        otherKey[header - 2] ^= 1; // the same name, another key: a miss, and the entry is written again
        File.WriteAllBytes(entry, otherKey.Take(header).Concat(allowAll).ToArray());
        RunsBlocked("other-key");
        Assert.Equal(original, File.ReadAllBytes(entry));
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>
    /// runc without no_new_privs installs the filter while its own Go init still runs, and that init calls
    /// getppid: runc then fails to start the container (exit 1) instead. Edge's init makes no such call.
    /// </summary>
    public static TheoryData<string, bool> KillRuntimes() => new() { { "edge", true }, { "edge", false }, { "runc", true } };

    [Theory]
    [MemberData(nameof(KillRuntimes))]
    public void KillProcessKills(string runtime, bool noNewPrivileges)
    {
        using TestBundle bundle = Bundle(new JsonArray(new JsonObject { ["names"] = new JsonArray("getppid"), ["action"] = "SCMP_ACT_KILL_PROCESS" }),
            noNewPrivileges, "sh", "-c", "echo $PPID");
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, Id($"kill-{runtime}-{noNewPrivileges}"));
        Assert.Equal(128 + 31, run.ExitCode); // SIGSYS
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Theory]
    [InlineData("SCMP_ACT_EXPLODE", "$.linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_EXPLODE\"")]
    [InlineData("SCMP_ACT_NOTIFY", "$.linux.seccomp.listenerPath: required when a rule's action is SCMP_ACT_NOTIFY")]
    public void BadProfileIsOneLine(string action, string error)
    {
        using TestBundle bundle = Bundle(new JsonArray(new JsonObject { ["names"] = new JsonArray("mkdir"), ["action"] = action }), true, "true");
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = r.Run(bundle, Id("bad-" + action[9..].ToLowerInvariant()));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"edge: config.json: {error}\n", run.Stderr);
        Assert.Empty(Directory.GetDirectories(r.Root));
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Theory]
    [InlineData("edge", true)]
    [InlineData("edge", false)]
    [InlineData("runc", true)]
    [InlineData("runc", false)]
    public void DockersDefaultProfileLetsBusyboxWorkAndBlocksWhatItShould(string runtime, bool withProfile)
    {
        // The process holds CAP_SYS_ADMIN, so sethostname(2) is allowed by capabilities; the profile is docker's
        // for the default capabilities, which refuses it. Without the profile it succeeds (the control).
        using var bundle = new TestBundle("sh", "-c",
            "ls / >/dev/null && echo works; hostname renamed 2>/dev/null && echo sethostname ok || echo sethostname refused");
        var defaultCaps = bundle.Process["capabilities"]!["bounding"]!.AsArray().Select(c => (string)c!).ToList();
        foreach (string set in new[] { "bounding", "effective", "permitted" }) bundle.Process["capabilities"]![set]!.AsArray().Add("CAP_SYS_ADMIN");
        if (withProfile) bundle.Linux["seccomp"] = DockerSeccomp.ForCapabilities(defaultCaps);
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, Id($"docker-{runtime}-{withProfile}"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(withProfile ? "works\nsethostname refused\n" : "works\nsethostname ok\n", run.Stdout);
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>
    /// SCMP_ACT_NOTIFY: the listener fd reaches the agent at listenerPath with the container process state, and
    /// the agent's answer is what the container's syscall returns. runc does the same with the same bundle.
    /// </summary>
    [Theory]
    [InlineData("edge", true)]
    [InlineData("edge", false)]
    [InlineData("runc", true)]
    public void NotifyHandsTheSyscallToTheAgent(string runtime, bool noNewPrivileges)
    {
        using var agent = new SeccompNotifyAgent(answerErrno: 28 /* ENOSPC */);
        using TestBundle bundle = Bundle(new JsonArray(new JsonObject { ["names"] = new JsonArray("mkdir", "mkdirat"), ["action"] = "SCMP_ACT_NOTIFY" }),
            noNewPrivileges, "sh", "-c", "mkdir /tmp/by-agent 2>&1; echo done");
        bundle.Linux["seccomp"]!["listenerPath"] = agent.SocketPath;
        bundle.Linux["seccomp"]!["listenerMetadata"] = "probe-metadata";
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id($"notify-{runtime}-{noNewPrivileges}");
        ProcessResult run = r.Run(bundle, id);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("mkdir: can't create directory '/tmp/by-agent': No space left on device\ndone\n", run.Stdout);
        Assert.True(agent.WaitDone(10_000), "the agent did not finish");
        JsonNode state = JsonNode.Parse(agent.State!)!;
        Assert.Equal("seccompFd", (string?)state["fds"]![0]);
        Assert.Equal("probe-metadata", (string?)state["metadata"]);
        Assert.Equal(id, (string?)state["state"]!["id"]);
        Assert.Equal((int)state["pid"]!, (int)state["state"]!["pid"]!);
        Assert.NotEmpty(agent.Syscalls);
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>
    /// A syscall numbered above everything docker's profile names gets ENOSYS (so a C library falls back to an
    /// older call), while a known syscall the profile does not allow gets the default EPERM. runc agrees.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void SyscallsNewerThanTheProfileGetEnosys(string runtime)
    {
        using var probeDir = new TempDir("edge-enosys-");
        string probe = probeDir.Combine("probe");
        File.WriteAllText(probe + ".c", """
            #include <errno.h>
            #include <stdio.h>
            #include <unistd.h>
            #include <sys/syscall.h>
            static const char *result(long r) { return r >= 0 ? "ok" : errno == ENOSYS ? "ENOSYS" : errno == EPERM ? "EPERM" : "other"; }
            int main(void) {
                printf("syscall 1000: %s\n", result(syscall(1000)));
                printf("acct: %s\n", result(syscall(SYS_acct, 0)));
                return 0;
            }
            """);
        StaticProgram.Compile(probe);
        using var bundle = new TestBundle("/probe");
        var defaultCaps = bundle.Process["capabilities"]!["bounding"]!.AsArray().Select(c => (string)c!).ToList();
        bundle.Linux["seccomp"] = DockerSeccomp.ForCapabilities(defaultCaps);
        bundle.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/probe", ["type"] = "bind", ["source"] = probe, ["options"] = new JsonArray("bind", "ro"),
        });
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, Id($"enosys-{runtime}"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("syscall 1000: ENOSYS\nacct: EPERM\n", run.Stdout);
        Assert.Equal("", LeftoverCheck.Find());
    }
}
