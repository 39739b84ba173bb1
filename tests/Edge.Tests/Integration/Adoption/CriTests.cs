using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using Edge.Tests.Cri;
using Edge.Tests.Support;
using Grpc.Net.Client;
using Xunit;

namespace Edge.Tests.Integration.Adoption;

/// <summary>
/// The Kubernetes path (what k3s does): containerd's CRI plugin with a runtime named "edge" in its runtimes
/// table (runtime_type io.containerd.runc.v2, options.BinaryName out/edge, the recipe of docs/adoption.md),
/// selected per pod by its runtime handler, as a RuntimeClass with handler "edge" selects it. The test speaks
/// CRI over containerd's socket itself (no crictl in Debian 12): a pod sandbox on the host network, and a
/// container in it.
/// </summary>
[Collection("containers")]
public class CriTests : IClassFixture<ContainerdCriDaemon>
{
    private readonly ContainerdCriDaemon _ctd;

    public CriTests(ContainerdCriDaemon ctd) => _ctd = ctd;


    private RuntimeService.RuntimeServiceClient Client()
    {
        string socket = _ctd.Socket;
        var handler = new System.Net.Http.SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancel);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        return new RuntimeService.RuntimeServiceClient(GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler }));
    }

    /// <summary>The same pod with handler "runc" (the default runtime) is the control.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void PodRunsUnderItsRuntimeHandler(string handler)
    {
        RuntimeService.RuntimeServiceClient cri = Client();
        using var logs = new TempDir("edge-cri-logs-");
        var pod = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "hello", Uid = Guid.NewGuid().ToString(), Namespace = "default" },
            LogDirectory = logs.Path,
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node } },
            },
        };
        string sandbox = cri.RunPodSandbox(new RunPodSandboxRequest { Config = pod, RuntimeHandler = handler }).PodSandboxId;
        try
        {
            // The sandbox's pause container is edge's (only) with handler edge: it is in edge's state directory.
            ProcessResult list = EdgeProcess.Edge("--root", "/run/containerd/runc/k8s.io", "list", "-q");
            Assert.Equal(handler == "edge", list.Stdout.Contains(sandbox));

            string container = cri.CreateContainer(new CreateContainerRequest
            {
                PodSandboxId = sandbox,
                SandboxConfig = pod,
                Config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = "greeter" },
                    Image = new ImageSpec { Image = ContainerdDaemon.Image },
                    Command = { "sh", "-c", "echo hello from a pod, pid $$; exit 3" },
                    LogPath = "greeter.log",
                },
            }).ContainerId;
            // The sandbox's config.json, as the CRI plugin writes it for Kubernetes, reads with edge's reader as the serializer reads it.
            JsonParity.AssertBundleReads(ContainerdDaemon.Binary(handler), "/run/containerd/runc/k8s.io", sandbox);
            cri.StartContainer(new StartContainerRequest { ContainerId = container });
            Edge.Tests.Cri.ContainerStatus status = cri.ContainerStatus(new ContainerStatusRequest { ContainerId = container }).Status;
            for (int i = 0; i < 100 && status.State != ContainerState.ContainerExited; i++)
            {
                Thread.Sleep(100);
                status = cri.ContainerStatus(new ContainerStatusRequest { ContainerId = container }).Status;
            }
            Assert.Equal(ContainerState.ContainerExited, status.State);
            Assert.Equal(3, status.ExitCode);
            // CRI's log format: "<time> stdout F <line>".
            string log = File.ReadAllText(Path.Combine(logs.Path, "greeter.log"));
            // The container joined the pod's pid namespace, where the sandbox's pause process is pid 1.
            var line = System.Text.RegularExpressions.Regex.Match(log, " stdout F hello from a pod, pid ([0-9]+)\n");
            Assert.True(line.Success, log);
            Assert.InRange(int.Parse(line.Groups[1].Value), 2, 100);
        }
        finally
        {
            cri.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = sandbox });
            cri.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = sandbox });
        }
        Assert.DoesNotContain(sandbox, EdgeProcess.Edge("--root", "/run/containerd/runc/k8s.io", "list", "-q").Stdout);
    }

}
