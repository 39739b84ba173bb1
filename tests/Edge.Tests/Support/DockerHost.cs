using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace Edge.Tests.Support;

/// <summary>
/// A private dockerd (Debian's docker.io 20.10) for the adoption tests: its own data root, exec root, socket
/// and managed containerd under a temp dir, no iptables rules, and edge added as a runtime the way a user
/// adds it (`--add-runtime edge=out/edge`). The busybox sample image goes in with `docker load` (converted
/// to docker's archive format with skopeo: docker 20.10 cannot load an OCI layout). What dockerd leaves on
/// the host (the docker0 bridge, its cgroup parent) is removed at the end when it made it.
/// </summary>
public sealed class DockerHost : IDisposable
{
    public const string Image = "localhost/edge-samples/busybox:latest";
    private const string Client = "/usr/bin/docker"; // Debian's client, matching the daemon's API

    private readonly TempDir _dir = new("edge-docker-");
    private readonly Process _daemon;
    private readonly bool _hadBridge = Directory.Exists("/sys/class/net/docker0");
    private readonly bool _hadCgroupParent = Directory.Exists("/sys/fs/cgroup/pids/docker") || Directory.Exists("/sys/fs/cgroup/docker");

    public DockerHost()
    {
        var info = new ProcessStartInfo("/usr/sbin/dockerd")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in new[]
        {
            "--data-root", _dir.Combine("data"), "--exec-root", _dir.Combine("exec"), "--pidfile", _dir.Combine("dockerd.pid"),
            "-H", "unix://" + Socket, "--iptables=false", "--ip-masq=false", "--userland-proxy=false",
            "--add-runtime", "edge=" + EdgeProcess.Binary,
        })
            info.ArgumentList.Add(a);
        _daemon = Process.Start(info)!;
        string log = _dir.Combine("dockerd.log");
        _daemon.OutputDataReceived += (_, e) => { if (e.Data is not null) File.AppendAllText(log, e.Data + "\n"); };
        _daemon.ErrorDataReceived += (_, e) => { if (e.Data is not null) File.AppendAllText(log, e.Data + "\n"); };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        for (int i = 0; i < 300 && Docker("version").ExitCode != 0; i++)
        {
            if (_daemon.HasExited) throw new InvalidOperationException("dockerd exited:\n" + (File.Exists(log) ? File.ReadAllText(log) : ""));
            Thread.Sleep(100);
        }

        string archive = _dir.Combine("busybox-docker.tar");
        ProcessResult convert = EdgeProcess.Run("skopeo", new[] { "copy", "--quiet",
            "oci-archive:" + Path.Combine(EdgeProcess.SamplesDirectory, "busybox-image.tar"), $"docker-archive:{archive}:{Image}" }, timeoutMs: 120_000);
        if (convert.ExitCode != 0) throw new InvalidOperationException("skopeo copy failed: " + convert);
        ProcessResult load = Docker("load", "-i", archive);
        if (load.ExitCode != 0) throw new InvalidOperationException("docker load failed: " + load);
    }

    public string Socket => _dir.Combine("docker.sock");

    public string[] Global => new[] { "-H", "unix://" + Socket };

    public ProcessResult Docker(params string[] args) =>
        EdgeProcess.Run(Client, Global.Concat(args).ToArray(), timeoutMs: 120_000,
            environment: new System.Collections.Generic.Dictionary<string, string?> { ["DOCKER_CONFIG"] = _dir.Combine("client") });

    /// <summary>`docker run --rm --runtime RUNTIME ARGS... IMAGE COMMAND...`.</summary>
    public ProcessResult Run(string runtime, string[] options, params string[] command) =>
        Docker(new[] { "run", "--rm", "--runtime", runtime }.Concat(options).Append(Image).Concat(command).ToArray());

    /// <summary>The client command line for a shell (`script` for a terminal).</summary>
    public string CommandLine => Client + " " + string.Join(' ', Global);

    public void Dispose()
    {
        foreach (string id in Docker("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Docker("rm", "-f", id);
        foreach (string network in Docker("network", "ls", "-q", "--filter", "type=custom").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Docker("network", "rm", network);
        // SIGTERM: dockerd stops its containerd and unmounts (Process.Kill's SIGKILL would leave them).
        if (!_daemon.HasExited) EdgeProcess.Run("kill", new[] { "-TERM", _daemon.Id.ToString() });
        if (!_daemon.WaitForExit(30_000)) _daemon.Kill(entireProcessTree: true);
        _daemon.Dispose();
        // dockerd's managed containerd, should it have outlived dockerd
        if (File.Exists(_dir.Combine("exec", "containerd", "containerd.pid"))
            && int.TryParse(File.ReadAllText(_dir.Combine("exec", "containerd", "containerd.pid")).Trim(), out int containerd))
            EdgeProcess.Run("kill", new[] { containerd.ToString() });
        EdgeProcess.Run("sh", new[] { "-c", $"grep ' {_dir.Path}' /proc/self/mountinfo | cut -d' ' -f5 | sort -r | xargs -r -n1 umount -l" });
        _dir.Dispose();
        if (!_hadBridge && Directory.Exists("/sys/class/net/docker0")) EdgeProcess.Run("ip", new[] { "link", "del", "docker0" });
        if (!_hadCgroupParent) TestCgroups.RemoveEverywhere("docker");
    }
}
