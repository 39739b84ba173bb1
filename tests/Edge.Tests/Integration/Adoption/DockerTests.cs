using System;
using System.Threading;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Adoption;

/// <summary>
/// edge as Docker's runtime (a private dockerd with `--add-runtime edge=...`, containerd's runc v2 shim
/// driving edge): what a Docker user does, each scenario also with runc and the outputs compared.
/// </summary>
[Collection("containers")]
public class DockerTests : IClassFixture<DockerHost>
{
    private readonly DockerHost _docker;

    public DockerTests(DockerHost docker) => _docker = docker;

    private static string Name(string runtime, string what) => $"dk-{what}-{runtime}-{Environment.ProcessId}";

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RunPrintsAndExitCodesPass(string runtime)
    {
        ProcessResult hi = _docker.Run(runtime, Array.Empty<string>(), "echo", "hi");
        Assert.True(hi.ExitCode == 0, hi.ToString());
        Assert.Equal("hi\n", hi.Stdout);
        Assert.Equal(3, _docker.Run(runtime, Array.Empty<string>(), "sh", "-c", "exit 3").ExitCode);
        // docker's "command not found", from the runtime's exec error
        Assert.Equal(127, _docker.Run(runtime, Array.Empty<string>(), "/nonexistent").ExitCode);
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>-d, exec (with its exit code), logs, a HUP to the container's trap (signals the caller ignored
    /// must not stay ignored inside), pause, stop falling back to SIGKILL.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void DetachedExecLogsSignalsPauseAndStop(string runtime)
    {
        string name = Name(runtime, "life");
        ProcessResult run = _docker.Docker("run", "-d", "--name", name, "--runtime", runtime, DockerHost.Image,
            "sh", "-c", "trap 'echo got HUP' HUP; echo started; while true; do sleep 0.1; done");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            Assert.True(SpinUntil(() => _docker.Docker("logs", name).Stdout.Contains("started")), "the container never started");
            ProcessResult exec = _docker.Docker("exec", name, "sh", "-c", "echo in exec; cat /proc/1/cmdline | tr '\\0' ' '; exit 4");
            Assert.Equal(4, exec.ExitCode);
            Assert.StartsWith("in exec\nsh -c trap", exec.Stdout);

            Assert.Equal(0, _docker.Docker("kill", "-s", "HUP", name).ExitCode);
            Assert.True(SpinUntil(() => _docker.Docker("logs", name).Stdout.Contains("got HUP")), _docker.Docker("logs", name).ToString());

            Assert.Equal(0, _docker.Docker("pause", name).ExitCode);
            Assert.Equal("paused", _docker.Docker("inspect", "-f", "{{.State.Status}}", name).Stdout.Trim());
            Assert.Equal(0, _docker.Docker("unpause", name).ExitCode);
            Assert.Equal("running", _docker.Docker("inspect", "-f", "{{.State.Status}}", name).Stdout.Trim());

            // sh ignores SIGTERM as PID 1 here (no trap for it): stop falls back to SIGKILL after 1 s.
            Assert.Equal(0, _docker.Docker("stop", "-t", "1", name).ExitCode);
            Assert.Equal("exited 137", _docker.Docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).Stdout.Trim());
        }
        finally
        {
            _docker.Docker("rm", "-f", name);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void InteractiveTerminal(string runtime)
    {
        string command = $"{_docker.CommandLine} run --rm -it --runtime {runtime} {DockerHost.Image} sh -c 'sleep 0.3; tty; exit 6'";
        ProcessResult run = EdgeProcess.Run("script", new[] { "-qec", command, "/dev/null" }, timeoutMs: 60_000);
        Assert.True(run.ExitCode == 6 && run.Stdout.Contains("/dev/pts/0"), run.ToString());
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void ReadOnlyRootAndTmpfs(string runtime)
    {
        ProcessResult readOnly = _docker.Run(runtime, new[] { "--read-only", "--tmpfs", "/scratch" },
            "sh", "-c", "touch /x 2>/dev/null || echo read-only root; echo s > /scratch/f && cat /scratch/f");
        Assert.True(readOnly.ExitCode == 0, readOnly.ToString());
        Assert.Equal("read-only root\ns\n", readOnly.Stdout);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void OomKillIsReported(string runtime)
    {
        string name = Name(runtime, "oom");
        ProcessResult run = _docker.Docker("run", "--name", name, "--runtime", runtime, "-m", "16m", "--memory-swap", "16m", DockerHost.Image,
            "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
        try
        {
            Assert.Equal(137, run.ExitCode);
            Assert.Equal("true", _docker.Docker("inspect", "-f", "{{.State.OOMKilled}}", name).Stdout.Trim());
        }
        finally
        {
            _docker.Docker("rm", "-f", name);
        }
    }

    /// <summary>`docker update` sends every resource, zero meaning "not set": the limits asked for change, the
    /// others stay (edge used to write the zero memory limit and fail).</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void UpdateChangesOnlyWhatIsAsked(string runtime)
    {
        string name = Name(runtime, "update");
        Assert.Equal(0, _docker.Docker("run", "-d", "--name", name, "--runtime", runtime, "-m", "64m", DockerHost.Image, "sleep", "60").ExitCode);
        try
        {
            ProcessResult update = _docker.Docker("update", "--pids-limit", "50", "--cpus", "0.5", name);
            Assert.True(update.ExitCode == 0, update.ToString());
            ProcessResult seen = _docker.Docker("exec", name, "sh", "-c",
                "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/memory/memory.limit_in_bytes");
            Assert.Equal($"50\n50000\n{64 << 20}\n", seen.Stdout);
            Assert.Equal(0, _docker.Docker("update", "--memory", "96m", "--memory-swap", "128m", name).ExitCode);
            Assert.Equal($"{96 << 20}\n", _docker.Docker("exec", name, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").Stdout);
        }
        finally
        {
            _docker.Docker("rm", "-f", name);
        }
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RestartPolicyRestarts(string runtime)
    {
        string name = Name(runtime, "restart");
        Assert.Equal(0, _docker.Docker("run", "-d", "--name", name, "--restart", "on-failure:2", "--runtime", runtime, DockerHost.Image, "sh", "-c", "exit 1").ExitCode);
        try
        {
            Assert.True(SpinUntil(() => _docker.Docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name).Stdout.Trim() == "2 exited", 60),
                _docker.Docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name).ToString());
        }
        finally
        {
            _docker.Docker("rm", "-f", name);
        }
    }

    /// <summary>
    /// Networking, which goes through Docker's prestart hook (dockerd itself, chosen by argv[0]): `--network
    /// none` has a working loopback; a user-defined network resolves and reaches another container by name;
    /// the default bridge gives eth0 an address in docker0's subnet.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void Networks(string runtime)
    {
        ProcessResult none = _docker.Run(runtime, new[] { "--network", "none" }, "sh", "-c", "cat /sys/class/net/lo/flags; ls /sys/class/net");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal("0x9\nlo\n", none.Stdout);

        string network = Name(runtime, "net"), server = Name(runtime, "srv");
        Assert.Equal(0, _docker.Docker("network", "create", "--internal", network).ExitCode);
        try
        {
            Assert.Equal(0, _docker.Docker("run", "-d", "--name", server, "--network", network, "--runtime", runtime, DockerHost.Image, "sleep", "60").ExitCode);
            ProcessResult ping = _docker.Run(runtime, new[] { "--network", network }, "sh", "-c", $"ping -c1 -W3 {server} >/dev/null && echo reached");
            Assert.True(ping.ExitCode == 0, ping.ToString());
            Assert.Equal("reached\n", ping.Stdout);
        }
        finally
        {
            _docker.Docker("rm", "-f", server);
            _docker.Docker("network", "rm", network);
        }

        ProcessResult bridge = _docker.Run(runtime, Array.Empty<string>(), "sh", "-c", "cat /sys/class/net/eth0/operstate; grep -c . /proc/net/route");
        Assert.True(bridge.ExitCode == 0, bridge.ToString());
        Assert.Equal("up\n3\n", bridge.Stdout);
        Assert.Equal("", LeftoverCheck.Find());
    }

    private static bool SpinUntil(Func<bool> condition, int seconds = 15)
    {
        for (int i = 0; i < seconds * 10; i++)
        {
            if (condition()) return true;
            Thread.Sleep(100);
        }
        return false;
    }
}
