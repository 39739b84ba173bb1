using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Adoption;

/// <summary>
/// What a unit's restarts need from `edge run --name`: a leftover of an `edge run --rm` that was killed
/// (SIGKILL of the unit's main process, then systemd killing the rest of the cgroup) does not block the
/// next start; --replace takes the name from any container; a run whose container was replaced leaves
/// the new one alone. And `edge generate systemd`, whose output is the sample unit. The booted-systemd
/// checks are in tests/vm/systemd-scenarios.sh.
/// </summary>
[Collection("containers")]
public class SystemdUnitTests
{
    private static string Name(string what) => $"unit-{what}-{Environment.ProcessId}";

    /// <summary>Whatever a failed assertion leaves running is stopped: the container by name, then its edge.</summary>
    private static void StopAll(TestStore store, string name, params Process[] runs)
    {
        store.Edge("--root", store.Combine("state"), "kill", name, "KILL");
        foreach (Process run in runs)
        {
            if (!run.WaitForExit(10_000)) run.Kill();
            run.WaitForExit(10_000);
        }
        store.Edge("--root", store.Combine("state"), "rm", "--force", name);
    }

    private static Process StartRun(TestStore store, params string[] args) => store.StartRun(null, args);

    private static int ContainerPid(TestStore store, string name)
    {
        for (int i = 0; i < 600; i++)
        {
            ProcessResult state = store.Edge("--root", store.Combine("state"), "state", name);
            if (state.ExitCode == 0 && JsonNode.Parse(state.Stdout)!["status"]!.GetValue<string>() == "running")
                return JsonNode.Parse(state.Stdout)!["pid"]!.GetValue<int>();
            Thread.Sleep(50);
        }
        throw new TimeoutException($"{name} did not start");
    }

    /// <summary>systemd's view of a crash: the main process gets SIGKILL, then so does the rest of the unit.</summary>
    private static void KillLikeSystemd(Process edge, int containerPid)
    {
        edge.Kill();
        Assert.True(edge.WaitForExit(30_000));
        EdgeProcess.Run("kill", new[] { "-KILL", containerPid.ToString() });
        for (int i = 0; i < 200 && Directory.Exists($"/proc/{containerPid}"); i++) Thread.Sleep(20);
    }

    [Fact]
    public void AKilledRmRunDoesNotBlockTheNextStart()
    {
        using TestStore store = TestStore.WithSampleImage();
        string name = Name("killed");
        using Process first = StartRun(store, "--rm", "--name", name, SampleImages.Name, "sleep", "1000");
        try { KillLikeSystemd(first, ContainerPid(store, name)); }
        finally { if (!first.HasExited) StopAll(store, name, first); }

        ProcessResult again = store.Edge("--root", store.Combine("state"), "run", "--rm", "--name", name, SampleImages.Name, "echo", "second");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("second\n", again.Stdout);
        Assert.Contains($"removing container \"{name}\"", again.Stderr);
        Assert.Equal(0, store.Edge("--root", store.Combine("state"), "list", "-q").Stdout.Trim().Length);
        Assert.False(Directory.Exists(Path.Combine(store.Root, "containers", name)));
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void AKeptContainerKeepsItsNameUntilReplace()
    {
        using TestStore store = TestStore.WithSampleImage();
        string name = Name("kept");
        using Process first = StartRun(store, "--name", name, SampleImages.Name, "sleep", "1000");
        try { KillLikeSystemd(first, ContainerPid(store, name)); }
        finally { first.WaitForExit(10_000); }

        // Not --rm: its writable layer was asked to be kept, so the name stays taken.
        ProcessResult refused = store.Edge("--root", store.Combine("state"), "run", "--rm", "--name", name, SampleImages.Name, "true");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"container name \"{name}\" is already in use", refused.Stderr);

        ProcessResult replaced = store.Edge("--root", store.Combine("state"), "run", "--rm", "--replace", "--name", name, SampleImages.Name, "echo", "new");
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.Equal("new\n", replaced.Stdout);
        Assert.False(Directory.Exists(Path.Combine(store.Root, "containers", name)));
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void ARunningContainerKeepsItsNameAndReplaceTakesIt()
    {
        using TestStore store = TestStore.WithSampleImage();
        string name = Name("running");
        string state = store.Combine("state");
        using Process first = StartRun(store, "--rm", "--name", name, SampleImages.Name, "sleep", "1000");
        Process? second = null;
        try
        {
            int firstPid = ContainerPid(store, name);

            // Its edge is alive: not a leftover, even though it was --rm.
            ProcessResult refused = store.Edge("--root", state, "run", "--rm", "--name", name, SampleImages.Name, "true");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("already in use", refused.Stderr);

            second = StartRun(store, "--rm", "--replace", "--name", name, SampleImages.Name, "sleep", "1000");
            Assert.True(first.WaitForExit(30_000), "the replaced run did not end");
            Assert.Equal(137, first.ExitCode); // its container was killed
            int secondPid = ContainerPid(store, name);
            Assert.NotEqual(firstPid, secondPid);
            Thread.Sleep(300); // the replaced run's clean-up has run by now: the new container must be untouched
            Assert.True(Directory.Exists(Path.Combine(store.Root, "containers", name, "rootfs", "bin")), "the replaced run removed its successor's bundle");
            Assert.Equal(0, store.Edge("--root", state, "kill", name, "KILL").ExitCode);
            Assert.True(second.WaitForExit(30_000));
        }
        finally
        {
            StopAll(store, name, second is null ? new[] { first } : new[] { first, second });
            second?.Dispose();
        }
        Assert.False(Directory.Exists(Path.Combine(store.Root, "containers", name)));
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>
    /// --systemd-cgroup where systemd is not PID 1 (this host): one line, nothing made. A malformed
    /// slice:prefix:name is named first, systemd or not.
    /// </summary>
    [Theory]
    [InlineData("system.slice:edge:c1", "--systemd-cgroup: systemd is not running on this host")]
    [InlineData("/machine/c1", "--systemd-cgroup expects \"slice:prefix:name\"")]
    [InlineData("system.slice:p:../x", "is not a valid systemd unit name")]
    public void SystemdCgroupWithoutSystemdIsOneLineAndLeavesNothing(string cgroupsPath, string message)
    {
        using var bundle = new TestBundle("true");
        bundle.Linux["cgroupsPath"] = cgroupsPath;
        bundle.Save();
        using var state = new TempDir();
        string id = Name("sdcg");
        ProcessResult run = EdgeProcess.Run(EdgeProcess.Binary, new[] { "--root", state.Path, "--systemd-cgroup", "run", "--bundle", bundle.Path, id });
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(state.Path));
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void TheSampleUnitIsWhatGenerateSystemdPrints()
    {
        ProcessResult generated = EdgeProcess.Edge("generate", "systemd", "--name", "edge-busybox", "--executable", "/usr/local/bin/edge",
            "localhost/edge-samples/busybox:latest", "sh", "-c", "trap \"exit 0\" TERM; while :; do echo alive; sleep 60 & wait; done");
        Assert.True(generated.ExitCode == 0, generated.ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(EdgeProcess.RepoRoot, "rootfs-samples", "edge-busybox.service")), generated.Stdout);
        foreach (string line in new[] { "Type=notify", "Delegate=yes", "KillMode=mixed", "TimeoutStopSec=15", "Restart=on-failure" })
            Assert.Contains("\n" + line + "\n", generated.Stdout);
    }

    [Fact]
    public void GeneratedExecStartQuotesWhatSystemdWouldExpand()
    {
        ProcessResult generated = EdgeProcess.Edge("generate", "systemd", "--executable", "/usr/bin/edge", "-e", "A=$HOME 100%", "--restart", "always",
            "--stop-timeout", "30", "registry.example:5000/team/app:1.2", "printf", "%s\\n", "a\"b");
        Assert.True(generated.ExitCode == 0, generated.ToString());
        Assert.Contains("\nExecStart=/usr/bin/edge run --rm --replace --name edge-app --stop-timeout 30 --env \"A=$$HOME 100%%\" registry.example:5000/team/app:1.2 printf \"%%s\\\\n\" \"a\\\"b\"\n", generated.Stdout);
        Assert.Contains("\nRestart=always\n", generated.Stdout);
        Assert.Contains("\nTimeoutStopSec=35\n", generated.Stdout);
    }

    [Theory]
    [InlineData("generate docker img", "edge generates systemd units only")]
    [InlineData("generate systemd --restart sometimes img", "--restart \"sometimes\"")]
    [InlineData("generate systemd --name a/b img", "invalid container name")]
    [InlineData("generate systemd --executable edge img", "absolute path")]
    [InlineData("generate systemd --sd-notify bogus img", "edge: --sd-notify \"bogus\": use ready, container or ignore")]
    [InlineData("generate systemd --stop-signal SIGNOPE img", "edge: stop signal \"SIGNOPE\" is not a signal")]
    public void GenerateRefusesBadInputInOneLine(string args, string message)
    {
        ProcessResult result = EdgeProcess.Edge(args.Split(' '));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal("", result.Stdout);
    }
}
