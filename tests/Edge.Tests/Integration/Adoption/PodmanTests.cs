using System;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Adoption;

/// <summary>
/// edge as podman's --runtime (conmon drives create, start, state, kill, delete and exec), each scenario also
/// with runc: output and exit codes must agree.
/// </summary>
[Collection("containers")]
public class PodmanTests : IClassFixture<PodmanHost>
{
    private readonly PodmanHost _podman;

    public PodmanTests(PodmanHost podman) => _podman = podman;

    private ProcessResult Run(string runtime, params string[] command) =>
        _podman.Podman(runtime, new[] { "run", "--rm" }.Concat(PodmanHost.RunFlags).Append(PodmanHost.Image).Concat(command).ToArray());

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RunRmPrintsAndExitCodesPass(string runtime)
    {
        ProcessResult hi = Run(runtime, "echo", "hi");
        Assert.True(hi.ExitCode == 0, hi.ToString());
        Assert.Equal("hi\n", hi.Stdout);
        Assert.Equal(3, Run(runtime, "sh", "-c", "exit 3").ExitCode);
        ProcessResult missing = Run(runtime, "/nonexistent");
        Assert.Equal(127, missing.ExitCode); // podman's "command not found", from the runtime's error
        Assert.Contains("exec: \"/nonexistent\": ", missing.Stderr);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void DetachedExecAndStop(string runtime)
    {
        string name = $"pm-{runtime}-{Environment.ProcessId}";
        ProcessResult run = _podman.Podman(runtime, new[] { "run", "-d", "--name", name }.Concat(PodmanHost.RunFlags).Concat(new[] { PodmanHost.Image, "sleep", "300" }).ToArray());
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            // The config.json podman wrote reads with edge's reader as the serializer reads it.
            JsonParity.AssertReads(_podman.Podman(runtime, "inspect", "--format", "{{.OCIConfigPath}}", name).Stdout.Trim());

            ProcessResult exec = _podman.Podman(runtime, "exec", name, "sh", "-c", "echo in exec; cat /proc/1/cmdline | tr '\\0' ' '");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            Assert.Equal("in exec\nsleep 300 ", exec.Stdout);
            Assert.Equal(4, _podman.Podman(runtime, "exec", name, "sh", "-c", "exit 4").ExitCode);
            // sleep ignores SIGTERM as PID 1: stop falls back to SIGKILL after the timeout.
            Assert.Equal(0, _podman.Podman(runtime, "stop", "-t", "1", name).ExitCode);
            Assert.Equal("exited 137", _podman.Podman(runtime, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name).Stdout.Trim());
        }
        finally
        {
            _podman.Podman(runtime, "rm", "-f", "-t", "0", name);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void InteractiveTerminal(string runtime)
    {
        // The pause: podman -it loses the output of a container that prints before its attach is in place,
        // about one run in twelve with runc and with edge alike.
        string command = "podman " + string.Join(' ', _podman.Global(runtime)) + " run --rm -it " + string.Join(' ', PodmanHost.RunFlags)
            + $" {PodmanHost.Image} sh -c 'sleep 0.5; tty; exit 6'";
        ProcessResult run = EdgeProcess.Run("script", new[] { "-qec", command, "/dev/null" }, timeoutMs: 60_000, environment: _podman.Environment);
        Assert.True(run.ExitCode == 6 && run.Stdout.Contains("/dev/pts/0"), run.ToString());
    }

    /// <summary>`--network none`: the container's own network namespace has its loopback up, so localhost
    /// answers (podman's ping_group_range lets busybox ping without CAP_NET_RAW).</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void NetworkNoneHasLocalhost(string runtime)
    {
        ProcessResult run = Run(runtime, "sh", "-c", "ping -c1 -W2 127.0.0.1 >/dev/null && echo localhost answers; cat /sys/class/net/lo/flags");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("localhost answers\n0x9\n", run.Stdout);
    }

    /// <summary>`--read-only` mounts /tmp, /run and /var/tmp as tmpfs with tmpcopyup; `--tmpfs` asks for it too.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void ReadOnlyAndTmpfs(string runtime)
    {
        ProcessResult readOnly = _podman.Podman(runtime, new[] { "run", "--rm", "--read-only" }.Concat(PodmanHost.RunFlags)
            .Concat(new[] { PodmanHost.Image, "sh", "-c", "touch /x 2>/dev/null || echo read-only root; for d in /tmp /run /var/tmp; do echo $d > $d/t && cat $d/t; done" }).ToArray());
        Assert.True(readOnly.ExitCode == 0, readOnly.ToString());
        Assert.Equal("read-only root\n/tmp\n/run\n/var/tmp\n", readOnly.Stdout);

        ProcessResult tmpfs = _podman.Podman(runtime, new[] { "run", "--rm", "--tmpfs", "/data:size=1m" }.Concat(PodmanHost.RunFlags)
            .Concat(new[] { PodmanHost.Image, "sh", "-c", "grep ' /data ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1; echo x > /data/f && cat /data/f" }).ToArray());
        Assert.True(tmpfs.ExitCode == 0, tmpfs.ToString());
        Assert.Equal("tmpfs\nx\n", tmpfs.Stdout);
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>`--timeout`: conmon kills the container when it runs out; podman reports 255 and nothing is
    /// left (edge used to hang there and leave its state).</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void TimeoutStopsTheContainer(string runtime)
    {
        ProcessResult run = _podman.Podman(runtime, new[] { "run", "--rm", "--timeout", "2" }.Concat(PodmanHost.RunFlags)
            .Concat(new[] { PodmanHost.Image, "sh", "-c", "trap '' TERM; sleep 60" }).ToArray());
        Assert.True(run.ExitCode == 255, run.ToString());
        Assert.Equal("", _podman.Podman(runtime, "ps", "-aq").Stdout);
        Assert.Equal("", LeftoverCheck.Find());
    }
}
