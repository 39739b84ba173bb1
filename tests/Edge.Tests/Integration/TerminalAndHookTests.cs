using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>Terminals through --console-socket, and the runtime-spec hooks.</summary>
[Collection("containers")]
public class TerminalAndHookTests
{
    private static string ReadUntil(Stream master, string marker)
    {
        var text = new StringBuilder();
        var buffer = new byte[256];
        var deadline = System.DateTime.UtcNow.AddSeconds(10);
        while (!text.ToString().Contains(marker) && System.DateTime.UtcNow < deadline)
        {
            Task<int> read = master.ReadAsync(buffer, 0, buffer.Length);
            if (!read.Wait(System.TimeSpan.FromSeconds(10)) || read.Result <= 0) break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, read.Result));
        }
        return text.ToString();
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public async Task TerminalMasterIsSentToTheConsoleSocket(string runtime)
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "echo tty=$(tty) size=$(stty size) sid=$(cut -d' ' -f6 /proc/self/stat); echo done");
        bundle.Process["terminal"] = true;
        bundle.Process["consoleSize"] = new JsonObject { ["height"] = 30, ["width"] = 100 };
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        using var receiver = new ConsoleReceiver();
        string id = $"tty-{runtime}-{System.Environment.ProcessId}";
        Task<(FileStream Master, string Name)> receive = receiver.ReceiveAsync();
        ProcessResult create = r.Detached("create", "--bundle", bundle.Path, "--console-socket", receiver.SocketPath, id);
        Assert.True(create.ExitCode == 0, create.ToString());
        (FileStream master, string _) = await receive.WaitAsync(System.TimeSpan.FromSeconds(10));
        using (master)
        {
            Assert.Equal(0, r.Detached("start", id).ExitCode);
            string output = ReadUntil(master, "done");
            Assert.Contains("tty=/dev/pts/0 size=30 100", output);
        }
        for (int i = 0; i < 100 && JsonDocument.Parse(r.Cli("state", id).Stdout).RootElement.GetProperty("status").GetString() != "stopped"; i++) Thread.Sleep(20);
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public async Task ExecWithTtySendsItsTerminalToTheConsoleSocket(string runtime)
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "sleep 30");
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = $"exectty-{runtime}-{System.Environment.ProcessId}";
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        using var receiver = new ConsoleReceiver();
        Task<(FileStream Master, string Name)> receive = receiver.ReceiveAsync();
        ProcessResult exec = r.Detached("exec", "--tty", "--detach", "--console-socket", receiver.SocketPath, id, "sh", "-c", "echo exec-tty=$(tty); sleep 1");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        (FileStream master, string _) = await receive.WaitAsync(System.TimeSpan.FromSeconds(10));
        using (master)
            Assert.Matches(@"exec-tty=/dev/pts/\d+", ReadUntil(master, "\n"));
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
    }

    /// <summary>
    /// `run` in the foreground with a terminal and no console socket relays the terminal itself. (runc 1.1
    /// does too, but only when it has a controlling terminal: here it fails with "open /dev/tty: no such
    /// device or address", so this is not a differential test.)
    /// </summary>
    [Fact]
    public void ForegroundRunRelaysTheTerminal()
    {
        const string runtime = "edge";
        using var bundle = new TestBundle("/bin/sh", "-c", "echo tty=$(tty); exit 4");
        bundle.Process["terminal"] = true;
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, $"ttyfg-{runtime}-{System.Environment.ProcessId}");
        Assert.Equal(4, run.ExitCode);
        Assert.Equal("tty=/dev/pts/0\r\n", run.Stdout);
    }

    [Fact]
    public void DetachedTerminalWithoutConsoleSocketIsRefused()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Process["terminal"] = true;
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = r.Detached("run", "-d", "--bundle", bundle.Path, $"ttyd-{System.Environment.ProcessId}");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("edge: cannot allocate a pseudo-TTY for a detached container without --console-socket\n", run.Stderr);
        Assert.Empty(Directory.GetDirectories(r.Root));
    }

    [Fact]
    public void HooksRunWithTheStateOnStdinAtTheirLifecyclePoints()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "sleep 0.2");
        using var record = new TempDir("edge-hooks-");
        JsonObject Hook(string name) => new()
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"cat > {record.Path}/{name}.json; echo $HOOK_ENV > {record.Path}/{name}.env"),
            ["env"] = new JsonArray("HOOK_ENV=" + name, "PATH=/usr/bin:/bin"),
            ["timeout"] = 10,
        };
        bundle.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(Hook("prestart")),
            ["createRuntime"] = new JsonArray(Hook("createRuntime")),
            ["poststart"] = new JsonArray(Hook("poststart")),
            ["poststop"] = new JsonArray(Hook("poststop")),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = $"hooks-{System.Environment.ProcessId}";
        ProcessResult run = r.Run(bundle, id);
        Assert.True(run.ExitCode == 0, run.ToString());

        foreach ((string name, string status) in new[] { ("prestart", "created"), ("createRuntime", "creating"), ("poststart", "running"), ("poststop", "stopped") })
        {
            using JsonDocument state = JsonDocument.Parse(File.ReadAllText(Path.Combine(record.Path, name + ".json")));
            Assert.Equal(id, state.RootElement.GetProperty("id").GetString());
            Assert.Equal(status, state.RootElement.GetProperty("status").GetString());
            Assert.Equal(bundle.Path, state.RootElement.GetProperty("bundle").GetString());
            Assert.Equal(name + "\n", File.ReadAllText(Path.Combine(record.Path, name + ".env")));
        }
        using JsonDocument created = JsonDocument.Parse(File.ReadAllText(Path.Combine(record.Path, "prestart.json")));
        using JsonDocument started = JsonDocument.Parse(File.ReadAllText(Path.Combine(record.Path, "poststart.json")));
        Assert.True(created.RootElement.GetProperty("pid").GetInt32() > 0);
        Assert.Equal(created.RootElement.GetProperty("pid").GetInt32(), started.RootElement.GetProperty("pid").GetInt32());
    }

    /// <summary>
    /// A hook's args are its argv, args[0] included (dockerd's libnetwork-setkey hook is dockerd itself, told
    /// apart by argv[0]; busybox is the same kind of program). A hook without env that the runtime runs gets
    /// the runtime's own environment; one run by the container's init gets an empty one (the host's stays out
    /// of the container), as under runc. Both runtimes, both kinds of hook.
    /// </summary>
    [Theory]
    [InlineData("edge", "prestart")]
    [InlineData("edge", "createContainer")]
    [InlineData("runc", "prestart")]
    [InlineData("runc", "createContainer")]
    public void HookArgsAreItsArgvAndWithoutEnvItGetsTheRuntimes(string runtime, string phase)
    {
        using var bundle = new TestBundle("/bin/true");
        using var record = new TempDir("edge-hooks-");
        string busybox = File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        bundle.Config["hooks"] = new JsonObject
        {
            [phase] = new JsonArray(
                new JsonObject { ["path"] = busybox, ["args"] = new JsonArray("sh", "-c", $"echo \"$0\" > {record.Path}/argv0") },
                new JsonObject { ["path"] = busybox, ["args"] = new JsonArray("sh", "-c", $"echo \"$EDGE_HOOK_PROBE\" > {record.Path}/env") }),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime, new System.Collections.Generic.Dictionary<string, string?> { ["EDGE_HOOK_PROBE"] = "from-the-runtime" });
        ProcessResult run = r.Run(bundle, $"hargv-{runtime}-{phase}-{System.Environment.ProcessId}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("sh\n", File.ReadAllText(Path.Combine(record.Path, "argv0")));
        Assert.Equal(phase == "prestart" ? "from-the-runtime\n" : "\n", File.ReadAllText(Path.Combine(record.Path, "env")));
    }

    /// <summary>createContainer runs in the container's mount namespace before pivot_root (host paths still
    /// resolve); startContainer runs after it, in the container's file system, just before the process.</summary>
    [Fact]
    public void ContainerHooksRunInsideTheContainersNamespaces()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "readlink /proc/self/ns/mnt > /tmp/process.ns");
        using var record = new TempDir("edge-hooks-");
        bundle.Config["root"]!["readonly"] = false;
        bundle.Config["hooks"] = new JsonObject
        {
            ["createContainer"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", $"cat > {record.Path}/create.json; readlink /proc/self/ns/mnt > {record.Path}/create.ns"),
            }),
            ["startContainer"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", "cat > /tmp/start.json; test -e /etc/os-release && grep -q busybox /etc/os-release && echo inside > /tmp/start.where"),
                ["timeout"] = 5,
            }),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = $"chooks-{System.Environment.ProcessId}";
        ProcessResult run = r.Run(bundle, id);
        Assert.True(run.ExitCode == 0, run.ToString());

        using JsonDocument create = JsonDocument.Parse(File.ReadAllText(Path.Combine(record.Path, "create.json")));
        Assert.Equal(id, create.RootElement.GetProperty("id").GetString());
        Assert.Equal("creating", create.RootElement.GetProperty("status").GetString());
        string processNs = File.ReadAllText(Path.Combine(bundle.Rootfs, "tmp", "process.ns"));
        Assert.Equal(processNs, File.ReadAllText(Path.Combine(record.Path, "create.ns")));
        Assert.NotEqual(new FileInfo("/proc/self/ns/mnt").LinkTarget + "\n", processNs);

        using JsonDocument start = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle.Rootfs, "tmp", "start.json")));
        Assert.Equal(create.RootElement.GetProperty("pid").GetInt32(), start.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("inside\n", File.ReadAllText(Path.Combine(bundle.Rootfs, "tmp", "start.where")));
    }

    [Fact]
    public void FailingStartContainerHookStopsTheContainer()
    {
        using var bundle = new TestBundle("/bin/echo", "must not run");
        bundle.Config["hooks"] = new JsonObject
        {
            ["startContainer"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "exit 3") }),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = r.Run(bundle, $"shookfail-{System.Environment.ProcessId}");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal("edge: startContainer hook #0 `/bin/sh`: exit status 3\n", run.Stderr);
        Assert.Empty(Directory.GetDirectories(r.Root));
    }

    /// <summary>
    /// Poststart hooks run after the container's process is executed (runtime-spec config.md): `start`
    /// waits for the init's execve before it runs them, so the hook sees the program, not edge's init, at
    /// the state's pid. Without the wait this was a race (the runtime-tools suite's poststart test); a slow
    /// startContainer hook, which the init runs between `start` and execve, makes it one the wait must win.
    /// </summary>
    [Fact]
    public void PoststartHooksSeeTheExecutedProcess()
    {
        using var bundle = new TestBundle("/bin/sleep", "5");
        using var record = new TempDir("edge-hooks-");
        bundle.Config["hooks"] = new JsonObject
        {
            ["startContainer"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "sleep 1") }),
            ["poststart"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", $"pid=$(sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p'); cat /proc/$pid/comm >> {record.Path}/comm"),
            }),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        for (int i = 0; i < 2; i++)
        {
            string id = $"poststart-exec-{i}-{System.Environment.ProcessId}";
            ProcessResult create = r.Detached("create", "--bundle", bundle.Path, id);
            Assert.True(create.ExitCode == 0, create.ToString());
            ProcessResult start = r.Detached("start", id);
            Assert.True(start.ExitCode == 0, start.ToString());
            r.Detached("delete", "--force", id);
        }
        Assert.Equal("sleep\nsleep\n", File.ReadAllText(Path.Combine(record.Path, "comm")));
    }

    /// <summary>A failing poststart or poststop hook is a warning: the hooks after it still run and the
    /// lifecycle goes on (the runtime-tools suite's poststart_fail and poststop_fail), as under crun.</summary>
    [Theory]
    [InlineData("poststart")]
    [InlineData("poststop")]
    public void FailingPoststartOrPoststopHookWarnsAndTheRestRun(string phase)
    {
        using var bundle = new TestBundle("/bin/true");
        using var record = new TempDir("edge-hooks-");
        bundle.Config["hooks"] = new JsonObject
        {
            [phase] = new JsonArray(
                new JsonObject { ["path"] = "/bin/false" },
                new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", $"echo ran > {record.Path}/second") }),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = r.Run(bundle, $"hookwarn-{phase}-{System.Environment.ProcessId}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"edge: warning: {phase} hook #0 `/bin/false`: exit status 1\n", run.Stderr);
        Assert.Equal("ran\n", File.ReadAllText(Path.Combine(record.Path, "second")));
    }

    [Fact]
    public void FailingPrestartHookFailsCreateAndLeavesNothing()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(new JsonObject { ["path"] = "/bin/false" }),
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = $"hookfail-{System.Environment.ProcessId}";
        ProcessResult create = r.Detached("create", "--bundle", bundle.Path, id);
        Assert.Equal(1, create.ExitCode);
        Assert.Equal("edge: prestart hook #0 `/bin/false`: exit status 1\n", create.Stderr);
        Assert.Empty(Directory.GetDirectories(r.Root));
        Assert.Equal("", LeftoverCheck.Find());
    }
}
