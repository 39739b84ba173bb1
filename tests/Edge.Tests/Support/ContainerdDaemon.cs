using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace Edge.Tests.Support;

/// <summary>
/// Debian's containerd for one test class: its own root, state and sockets under a temp dir, the CRI plugin
/// and unused snapshotters off, a namespace named after the test run, and the busybox sample image imported
/// with `ctr images import`. Dispose kills what is left, stops the daemon and removes every trace.
/// </summary>
public class ContainerdDaemon : IDisposable
{
    public const string Image = "localhost/edge-samples/busybox:latest";

    private readonly TempDir _dir = new("edge-ctd-");
    private readonly Process _daemon;

    public ContainerdDaemon() : this(cri: false)
    {
    }

    /// <param name="cri">With containerd's CRI plugin (namespace k8s.io) and a runtime named "edge" in its
    /// runtimes table: runtime_type io.containerd.runc.v2, options.BinaryName out/edge.</param>
    protected ContainerdDaemon(bool cri)
    {
        // Not ending in "-PID": LeftoverCheck would count the namespace's parent cgroups, which live until Dispose.
        Namespace = cri ? "k8s.io" : $"edge-ctr-{Environment.ProcessId}-ns";
        Socket = _dir.Combine("containerd.sock");
        string criSection = cri ? $"""
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "localhost/edge-samples/pause:latest"
              stream_server_address = "127.0.0.1"
              stream_server_port = "0"
              disable_apparmor = true
              restrict_oom_score_adj = true
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "{_dir.Combine("cni-bin")}"
                conf_dir = "{_dir.Combine("cni-conf")}"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.edge]
                runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.edge.options]
                BinaryName = "{EdgeProcess.Binary}"
            """ : "";
        _ownsK8sState = cri && !Directory.Exists("/run/containerd/runc/k8s.io");
        File.WriteAllText(_dir.Combine("config.toml"), $"""
            version = 2
            root = "{_dir.Combine("root")}"
            state = "{_dir.Combine("state")}"
            disabled_plugins = [{(cri ? "" : "\"io.containerd.grpc.v1.cri\", ")}"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
              "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp",
              "io.containerd.internal.v1.tracing"]
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            [debug]
              address = ""
            [metrics]
              address = ""
            {criSection}
            """);
        var info = new ProcessStartInfo("containerd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "--config", _dir.Combine("config.toml") }) info.ArgumentList.Add(arg);
        _daemon = Process.Start(info) ?? throw new InvalidOperationException("cannot start containerd");
        _daemon.ErrorDataReceived += (_, _) => { };
        _daemon.OutputDataReceived += (_, _) => { };
        _daemon.BeginErrorReadLine();
        _daemon.BeginOutputReadLine();
        for (int i = 0; i < 100 && Ctr("version").ExitCode != 0; i++) Thread.Sleep(100);
        foreach (string archive in cri ? new[] { "busybox-image.tar", "pause-image.tar" } : new[] { "busybox-image.tar" })
        {
            ProcessResult import = Ctr("images", "import", Path.Combine(EdgeProcess.SamplesDirectory, archive));
            if (import.ExitCode != 0) throw new InvalidOperationException("ctr images import failed: " + import);
        }
    }

    private readonly bool _ownsK8sState;

    public string Namespace { get; }
    public string Socket { get; }

    public ProcessResult Ctr(params string[] args) =>
        EdgeProcess.Run("ctr", new[] { "--address", Socket, "-n", Namespace }.Concat(args).ToArray(), timeoutMs: 120_000);

    /// <summary>The runtime binary handed to the shim (BinaryName): out/edge, or runc/crun from PATH.</summary>
    public static string Binary(string runtime) => runtime == "edge" ? EdgeProcess.Binary : runtime;

    public void Dispose()
    {
        foreach (string task in Lines(Ctr("tasks", "ls", "-q").Stdout))
        {
            Ctr("tasks", "kill", "-s", "SIGKILL", task);
            for (int i = 0; i < 50 && Ctr("tasks", "delete", task).ExitCode != 0; i++) Thread.Sleep(100);
        }
        foreach (string container in Lines(Ctr("containers", "ls", "-q").Stdout)) Ctr("containers", "rm", container);
        if (!_daemon.HasExited)
        {
            _daemon.Kill();
            _daemon.WaitForExit(10_000);
        }
        _daemon.Dispose();
        // The shim's runc root and the namespace's parent cgroups outlive the containers.
        // (k8s.io only when this fixture made it: it is the CRI's namespace on any host.)
        if (Namespace != "k8s.io" || _ownsK8sState)
        {
            foreach (string root in new[] { "/run/containerd/runc", "/run/containerd/io.containerd.runtime.v2.task" })
                if (Directory.Exists(Path.Combine(root, Namespace))) Directory.Delete(Path.Combine(root, Namespace), recursive: true);
            TestCgroups.RemoveEverywhere(Namespace);
        }
        _dir.Dispose();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>containerd with its CRI plugin, for the Kubernetes path (see ContainerdDaemon(cri)).</summary>
public sealed class ContainerdCriDaemon : ContainerdDaemon
{
    public ContainerdCriDaemon() : base(cri: true)
    {
    }
}
