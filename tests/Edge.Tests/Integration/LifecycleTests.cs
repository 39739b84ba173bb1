using System.IO;
using System.Text.Json;
using System.Threading;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>create/start/state/kill/delete/list/ps/pause/resume/exec, compared with runc where they overlap.</summary>
[Collection("containers")]
public class LifecycleTests
{
    private static string Id(string name) => $"life-{name}-{System.Environment.ProcessId}";

    private const string LongRunning = "trap 'echo term; exit 3' TERM; while true; do sleep 0.05; done";

    private static JsonElement State(TestRuntime r, string id)
    {
        ProcessResult state = r.Cli("state", id);
        Assert.True(state.ExitCode == 0, state.ToString());
        return JsonDocument.Parse(state.Stdout).RootElement.Clone();
    }

    /// <summary>Polls CONDITION for up to 10 s.</summary>
    private static bool SpinUntil(System.Func<bool> condition)
    {
        for (int i = 0; i < 400; i++)
        {
            try { if (condition()) return true; } catch (IOException) { } catch (System.FormatException) { }
            Thread.Sleep(25);
        }
        return false;
    }

    /// <summary>Waits (bounded) until the container has at least COUNT processes: its script is past its set-up.</summary>
    private static void WaitForProcesses(TestRuntime r, string id, int count)
    {
        for (int i = 0; i < 400; i++)
        {
            ProcessResult ps = r.Cli("ps", "--format", "json", id);
            if (ps.ExitCode == 0 && JsonDocument.Parse(ps.Stdout).RootElement.GetArrayLength() >= count) return;
            Thread.Sleep(25);
        }
        Assert.Fail($"{id} never had {count} processes");
    }

    private static void WaitForStatus(TestRuntime r, string id, string status)
    {
        for (int i = 0; i < 200; i++)
        {
            ProcessResult state = r.Cli("state", id);
            if (state.ExitCode == 0 && JsonDocument.Parse(state.Stdout).RootElement.GetProperty("status").GetString() == status) return;
            Thread.Sleep(25);
        }
        Assert.Fail($"{r.Name}: {id} never became {status}: {r.Cli("state", id).Stdout}");
    }

    /// <summary>The same walk under edge, runc and crun. Error texts are checked against runc's words, which
    /// containerd's shim matches; crun words its errors differently, so for crun only the exit codes are.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    [InlineData("crun")]
    public void CreateStartKillDeleteWalksTheStates(string runtime)
    {
        bool runcWords = runtime != "crun";
        using var bundle = new TestBundle("/bin/sh", "-c", LongRunning);
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id("walk-" + runtime);
        string pidFile = Path.Combine(bundle.Path, "init.pid");

        ProcessResult create = r.Detached("create", "--bundle", bundle.Path, "--pid-file", pidFile, id);
        Assert.True(create.ExitCode == 0, create.ToString());
        JsonElement created = State(r, id);
        Assert.Equal("created", created.GetProperty("status").GetString());
        int pid = created.GetProperty("pid").GetInt32();
        Assert.Equal(pid.ToString(), File.ReadAllText(pidFile));
        Assert.Equal(bundle.Path, created.GetProperty("bundle").GetString());
        Assert.Equal(id, created.GetProperty("id").GetString());
        Assert.True(Directory.Exists($"/proc/{pid}"));

        Assert.Equal(0, r.Detached("start", id).ExitCode);
        Assert.Equal("running", State(r, id).GetProperty("status").GetString());
        ProcessResult second = r.Detached("start", id);
        Assert.NotEqual(0, second.ExitCode);

        ProcessResult refused = r.Cli("delete", id);
        Assert.NotEqual(0, refused.ExitCode);
        if (runcWords) Assert.Contains("running", refused.Stderr);

        Assert.Equal(0, r.Cli("kill", id, "TERM").ExitCode);
        WaitForStatus(r, id, "stopped");
        ProcessResult again = r.Cli("kill", id, "KILL");
        Assert.NotEqual(0, again.ExitCode);
        if (runcWords) Assert.Contains("container not running", again.Stderr);

        Assert.Equal(0, r.Cli("delete", id).ExitCode);
        ProcessResult gone = r.Cli("state", id);
        Assert.NotEqual(0, gone.ExitCode);
        if (runcWords) Assert.Contains("does not exist", gone.Stderr);
    }

    [Fact]
    public void StateJsonHasTheSameShapeAsRuncs()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", LongRunning);
        bundle.Config["annotations"] = new System.Text.Json.Nodes.JsonObject { ["org.example"] = "yes" };
        bundle.Save();
        using TestRuntime edge = TestRuntime.Edge();
        using TestRuntime runc = TestRuntime.Runc();
        Assert.Equal(0, edge.Detached("create", "--bundle", bundle.Path, Id("shape")).ExitCode);
        Assert.Equal(0, runc.Detached("create", "--bundle", bundle.Path, Id("shape")).ExitCode);
        JsonElement ours = State(edge, Id("shape"));
        JsonElement theirs = State(runc, Id("shape"));
        foreach (string field in new[] { "id", "status", "bundle" })
            Assert.Equal(theirs.GetProperty(field).GetString(), ours.GetProperty(field).GetString());
        Assert.Equal("yes", ours.GetProperty("annotations").GetProperty("org.example").GetString());
        Assert.Equal(0, edge.Cli("delete", "--force", Id("shape")).ExitCode);
        Assert.Equal(0, runc.Cli("delete", "--force", Id("shape")).ExitCode);
    }

    [Fact]
    public void CreatedContainerCanBeKilledAndDeletedWithoutForce()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("created-kill");
        Assert.Equal(0, r.Detached("create", "--bundle", bundle.Path, id).ExitCode);
        Assert.Equal(0, r.Cli("kill", id, "9").ExitCode);
        WaitForStatus(r, id, "stopped");
        Assert.Equal(0, r.Cli("delete", id).ExitCode);

        Assert.Equal(0, r.Detached("create", "--bundle", bundle.Path, id).ExitCode);
        Assert.Equal(0, r.Cli("delete", id).ExitCode); // a created container is deleted without --force, as runc does
        Assert.Empty(Directory.GetDirectories(r.Root));
    }

    [Fact]
    public void ListAndPsShowTheContainer()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", LongRunning);
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("list");
        Assert.Equal(0, r.Detached("run", "--detach", "--bundle", bundle.Path, id).ExitCode);
        int pid = State(r, id).GetProperty("pid").GetInt32();

        string table = r.Cli("list").Stdout;
        Assert.Matches(@"^ID +PID +STATUS +BUNDLE +CREATED +OWNER\n", table);
        Assert.Contains($"{id} ", table);
        Assert.Equal(id + "\n", r.Cli("list", "-q").Stdout);
        using (JsonDocument list = JsonDocument.Parse(r.Cli("list", "--format", "json").Stdout))
        {
            JsonElement entry = list.RootElement[0];
            Assert.Equal(id, entry.GetProperty("id").GetString());
            Assert.Equal("running", entry.GetProperty("status").GetString());
            Assert.Equal(pid, entry.GetProperty("pid").GetInt32());
        }

        using (JsonDocument ps = JsonDocument.Parse(r.Cli("ps", "--format", "json", id).Stdout))
        {
            Assert.Equal(JsonValueKind.Array, ps.RootElement.ValueKind);
            Assert.Contains(ps.RootElement.EnumerateArray(), e => e.GetInt32() == pid);
        }
        string psTable = r.Cli("ps", id).Stdout;
        Assert.StartsWith("UID", psTable);
        Assert.Contains(" " + pid + " ", psTable);
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
    }

    [Fact]
    public void PauseFreezesAndResumeThaws()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done");
        bundle.Config["root"]!["readonly"] = false;
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("pause");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        string counter = Path.Combine(bundle.Rootfs, "tmp", "count");
        Assert.True(SpinUntil(() => File.Exists(counter) && File.ReadAllText(counter).Trim() is { Length: > 0 } n && int.Parse(n) > 2), "the counter never started");

        Assert.Equal(0, r.Cli("pause", id).ExitCode);
        Assert.Equal("paused", State(r, id).GetProperty("status").GetString());
        string frozen = File.ReadAllText(counter);
        Thread.Sleep(300);
        Assert.Equal(frozen, File.ReadAllText(counter));
        Assert.Equal("edge: container already paused\n", r.Cli("pause", id).Stderr);
        Assert.Equal("edge: cannot exec in a paused container (use --ignore-paused)\n", r.Cli("exec", id, "true").Stderr);

        Assert.Equal(0, r.Cli("resume", id).ExitCode);
        Assert.Equal("running", State(r, id).GetProperty("status").GetString());
        Assert.True(SpinUntil(() => File.ReadAllText(counter) != frozen), "the counter did not move after resume");
        Assert.Equal("edge: container not paused\n", r.Cli("resume", id).Stderr);
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
    }

    [Fact]
    public void ExecRunsInTheContainersNamespacesAndCgroup()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", LongRunning);
        bundle.Config["hostname"] = "inside";
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("exec");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);

        ProcessResult exec = r.Cli("exec", id, "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; grep pids /proc/self/cgroup");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        string[] lines = exec.Stdout.Split('\n');
        Assert.Equal("inside", lines[0]);
        Assert.StartsWith("/bin/sh -c trap", lines[1]);
        Assert.EndsWith("/" + id, lines[2]);

        ProcessResult flags = r.Cli("exec", "--env", "X=1", "--cwd", "/tmp", "--user", "1000:100", id, "sh", "-c", "echo $X $(pwd) $(id -u) $(id -g); exit 5");
        Assert.Equal(5, flags.ExitCode);
        Assert.Equal("1 /tmp 1000 100\n", flags.Stdout);

        string pidFile = Path.Combine(bundle.Path, "exec.pid");
        Assert.Equal(0, r.Detached("exec", "--detach", "--pid-file", pidFile, id, "sleep", "5").ExitCode);
        int execPid = int.Parse(File.ReadAllText(pidFile));
        using (JsonDocument ps = JsonDocument.Parse(r.Cli("ps", "--format", "json", id).Stdout))
            Assert.Contains(ps.RootElement.EnumerateArray(), e => e.GetInt32() == execPid);

        ProcessResult missing = r.Cli("exec", id, "no-such-program");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("edge: exec: \"no-such-program\": executable file not found in $PATH\n", missing.Stderr);

        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
        Assert.False(Directory.Exists($"/proc/{execPid}") && File.ReadAllText($"/proc/{execPid}/cmdline").StartsWith("sleep"));
    }

    [Fact]
    public void ForegroundRunForwardsSignalsAndReportsTheExit()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", LongRunning);
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("fg");
        var info = new System.Diagnostics.ProcessStartInfo(EdgeProcess.Binary) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "--root", r.Root, "run", "--bundle", bundle.Path, id }) info.ArgumentList.Add(a);
        using var run = System.Diagnostics.Process.Start(info)!;
        WaitForStatus(r, id, "running");
        WaitForProcesses(r, id, 2); // the loop's sleep runs: the trap is set
        Assert.Equal(0, EdgeProcess.Run("kill", new[] { "-TERM", run.Id.ToString() }).ExitCode);
        Assert.True(run.WaitForExit(10_000));
        Assert.Equal(3, run.ExitCode); // the container's trap exits 3 on TERM
        Assert.Equal("term\n", run.StandardOutput.ReadToEnd());
        Assert.NotEqual(0, r.Cli("state", id).ExitCode); // run removed it
    }

    [Fact]
    public void PreservedFdsReachTheProcessAndNothingElseDoes()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "cat <&3; ls /proc/self/fd | sort -n | tr '\\n' ' '");
        bundle.Save();
        using var data = new TempDir("edge-fd-");
        File.WriteAllText(data.Combine("secret"), "passed through fd 3\n");
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = EdgeProcess.Run("sh", new[] { "-c", "exec 3<\"$0\" 4<\"$0\"; exec \"$1\" --root \"$2\" run --preserve-fds 1 --bundle \"$3\" \"$4\"",
            data.Combine("secret"), EdgeProcess.Binary, r.Root, bundle.Path, Id("fds") });
        Assert.True(run.ExitCode == 0, run.ToString());
        // fd 3 is kept; fd 4 (not preserved) was closed at execve, so ls's own directory fd takes number 4.
        Assert.Equal("passed through fd 3\n0 1 2 3 4 ", run.Stdout);
    }

    [Fact]
    public void ExecWithAProcessFile()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", LongRunning);
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("procfile");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        string processFile = Path.Combine(bundle.Path, "process.json");
        File.WriteAllText(processFile, """
            {"args": ["sh", "-c", "echo $A; id -u; pwd"], "env": ["A=from-file", "PATH=/bin"], "cwd": "/etc",
             "user": {"uid": 65534, "gid": 65534}}
            """);
        ProcessResult exec = r.Cli("exec", "--process", processFile, id);
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.Equal("from-file\n65534\n/etc\n", exec.Stdout);

        File.WriteAllText(processFile, """{"args": "sh", "cwd": "/"}""");
        ProcessResult bad = r.Cli("exec", "--process", processFile, id);
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal($"edge: {processFile}: $.args: expected array of strings, got string (line 1)\n", bad.Stderr);
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void AbsoluteCgroupsPathIsCreatedUsedAndRemoved(string runtime)
    {
        string parent = $"edge-tests-{runtime}-{System.Environment.ProcessId}";
        using var bundle = new TestBundle("/bin/sh", "-c", "grep -E ':(pids|memory):' /proc/self/cgroup; sleep 30");
        bundle.Linux["cgroupsPath"] = $"/{parent}/box";
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id("cgpath-" + runtime);
        try
        {
            Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
            int pid = State(r, id).GetProperty("pid").GetInt32();
            foreach (string controller in new[] { "pids", "memory", "freezer" })
            {
                string dir = $"/sys/fs/cgroup/{controller}/{parent}/box";
                Assert.True(Directory.Exists(dir), dir);
                Assert.Contains(pid.ToString(), File.ReadAllText(Path.Combine(dir, "cgroup.procs")).Split('\n'));
            }
            Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
            Assert.False(Directory.Exists($"/sys/fs/cgroup/pids/{parent}/box"));
        }
        finally
        {
            foreach (string hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
                if (Directory.Exists(Path.Combine(hierarchy, parent))) Directory.Delete(Path.Combine(hierarchy, parent));
        }
    }

    [Fact]
    public void KillAllSignalsEveryProcess()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "sleep 100 & sleep 100 & wait");
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("killall");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        WaitForProcesses(r, id, 3);
        Assert.Equal(3, JsonDocument.Parse(r.Cli("ps", "--format", "json", id).Stdout).RootElement.GetArrayLength());
        Assert.Equal(0, r.Cli("kill", "--all", id, "SIGKILL").ExitCode);
        WaitForStatus(r, id, "stopped");
        Assert.Equal(0, r.Cli("delete", id).ExitCode);
    }
}
