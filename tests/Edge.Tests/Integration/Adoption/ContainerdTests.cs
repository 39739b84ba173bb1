using System;
using System.Linq;
using System.Threading;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Adoption;

/// <summary>
/// edge as the runtime of containerd's io.containerd.runc.v2 shim (BinaryName, which `ctr --runc-binary`
/// sets), driven by ctr: each scenario runs with edge and with runc, and what ctr shows must agree.
/// </summary>
[Collection("containers")]
public class ContainerdTests : IClassFixture<ContainerdDaemon>
{
    private readonly ContainerdDaemon _ctd;

    public ContainerdTests(ContainerdDaemon ctd) => _ctd = ctd;

    private static string Id(string name) => $"ctr-{name}-{Environment.ProcessId}";

    private ProcessResult Run(string runtime, string id, params string[] command) =>
        _ctd.Ctr(new[] { "run", "--rm", "--runc-binary", ContainerdDaemon.Binary(runtime), ContainerdDaemon.Image, id }.Concat(command).ToArray());

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RunPrintsWhatTheContainerPrintsAndPassesTheExitStatus(string runtime)
    {
        ProcessResult run = Run(runtime, Id("print-" + runtime), "sh", "-c", "echo hello from $(cat /proc/1/cmdline | tr '\\0' ' '); id -u; exit 7");
        Assert.Equal(7, run.ExitCode);
        Assert.Equal("hello from sh -c echo hello from $(cat /proc/1/cmdline | tr '\\0' ' '); id -u; exit 7\n0\n", run.Stdout);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void DetachedTaskExecPsPauseResumeMetricsKill(string runtime)
    {
        string id = Id("task-" + runtime);
        ProcessResult run = _ctd.Ctr("run", "-d", "--runc-binary", ContainerdDaemon.Binary(runtime), ContainerdDaemon.Image, id, "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            // The bundle containerd wrote: its config.json reads with edge's reader as the serializer reads it (the shim's root is runc's).
            JsonParity.AssertBundleReads(ContainerdDaemon.Binary(runtime), $"/run/containerd/runc/{_ctd.Namespace}", id);

            ProcessResult exec = _ctd.Ctr("task", "exec", "--exec-id", "probe", id, "sh", "-c", "echo from exec; cat /proc/1/cmdline | tr '\\0' ' '");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            Assert.Equal("from exec\nsleep 300 ", exec.Stdout);
            Assert.Equal(3, _ctd.Ctr("task", "exec", "--exec-id", "fails", id, "sh", "-c", "exit 3").ExitCode);

            ProcessResult ps = _ctd.Ctr("task", "ps", id);
            string pid = Status(id).Pid;
            Assert.Contains(pid, ps.Stdout);

            Assert.Equal(0, _ctd.Ctr("task", "pause", id).ExitCode);
            Assert.Equal("PAUSED", Status(id).State);
            Assert.Equal(0, _ctd.Ctr("task", "resume", id).ExitCode);
            Assert.Equal("RUNNING", Status(id).State);

            ProcessResult metrics = _ctd.Ctr("task", "metrics", id);
            Assert.True(metrics.ExitCode == 0, metrics.ToString());
            Assert.Contains("pids.current", metrics.Stdout);
            Assert.Contains("memory.usage_in_bytes", metrics.Stdout);

            Assert.Equal(0, _ctd.Ctr("task", "kill", "-s", "SIGKILL", id).ExitCode);
            for (int i = 0; i < 50 && Status(id).State != "STOPPED"; i++) Thread.Sleep(100);
            Assert.Equal("STOPPED", Status(id).State);
        }
        finally
        {
            _ctd.Ctr("task", "kill", "-s", "SIGKILL", id);
            for (int i = 0; i < 50 && _ctd.Ctr("task", "delete", id).ExitCode != 0; i++) Thread.Sleep(100);
            _ctd.Ctr("containers", "rm", id);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void TerminalThroughTheConsoleSocket(string runtime)
    {
        // ctr -t needs a terminal of its own: script(1) gives it one.
        string command = $"ctr --address {_ctd.Socket} -n {_ctd.Namespace} run --rm -t --runc-binary {ContainerdDaemon.Binary(runtime)} {ContainerdDaemon.Image} {Id("tty-" + runtime)} sh -c 'sleep 0.3; tty; exit 5'";
        ProcessResult run = EdgeProcess.Run("script", new[] { "-qec", command, "/dev/null" }, timeoutMs: 60_000);
        Assert.True(run.ExitCode == 5 && run.Stdout.Contains("/dev/pts/0"), run.ToString());
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RuntimeErrorsReachCtr(string runtime)
    {
        ProcessResult run = Run(runtime, Id("err-" + runtime), "/nonexistent");
        _ctd.Ctr("containers", "rm", Id("err-" + runtime));
        Assert.Equal(1, run.ExitCode);
        // The shim reads the runtime's --log JSON and shows its last error line.
        Assert.Contains("OCI runtime create failed: ", run.Stderr);
        Assert.Contains("exec: \"/nonexistent\": ", run.Stderr);
        Assert.Contains("no such file or directory", run.Stderr);
    }

    private (string Pid, string State) Status(string id)
    {
        foreach (string line in _ctd.Ctr("task", "ls").Stdout.Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3 && fields[0] == id) return (fields[1], fields[2]);
        }
        return ("", "");
    }
}
