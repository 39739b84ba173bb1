using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Adoption;

/// <summary>
/// `edge run IMAGE` as the ExecStart= of a Type=notify unit (rootfs-samples/edge-busybox.service): the sd_notify
/// protocol on a real datagram socket standing in for systemd's, and systemctl stop's SIGTERM.
/// </summary>
[Collection("containers")]
public class SystemdNotifyTests
{
    private static string Name(string what) => $"sd-{what}-{Environment.ProcessId}";

    private sealed class FakeSystemd : IDisposable
    {
        private readonly TempDir _dir = new("edge-sd-");
        public FakeSystemd()
        {
            Path = _dir.Combine("notify");
            Socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            Socket.Bind(new UnixDomainSocketEndPoint(Path));
            Socket.ReceiveTimeout = 60_000;
        }
        public string Path { get; }
        public Socket Socket { get; }
        public string Receive()
        {
            byte[] buffer = new byte[4096];
            int n = Socket.Receive(buffer);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        public void Dispose()
        {
            Socket.Dispose();
            _dir.Dispose();
        }
    }

    private static Process Start(TestStore store, string notifySocket, params string[] args) =>
        store.StartRun(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifySocket }, args);

    [Fact]
    public void ReadyOnceStartedThenStopSignalOnSigterm()
    {
        using TestStore store = TestStore.WithSampleImage();
        using var systemd = new FakeSystemd();
        using Process edge = Start(store, systemd.Path, "--rm", "--name", Name("ready"), "--stop-signal", "SIGUSR1", SampleImages.Name,
            "sh", "-c", "trap 'echo got-usr1; exit 3' USR1; echo started; while :; do sleep 0.1; done");
        string message = systemd.Receive();
        Assert.Contains("READY=1\n", message);
        Assert.Contains($"MAINPID={edge.Id}\n", message);
        // READY=1 comes once the process is executed, which can be before the shell has set its trap; a
        // SIGUSR1 before that is dropped (the container's init ignores signals it has no handler for) and
        // SIGKILL follows at the stop timeout. "started" is printed after the trap is set.
        Assert.Equal("started", edge.StandardOutput.ReadLine());
        Assert.Equal(0, EdgeProcess.Run("kill", new[] { "-TERM", edge.Id.ToString() }).ExitCode);
        Assert.True(edge.WaitForExit(30_000));
        Assert.Equal(3, edge.ExitCode); // the container's own status: Restart=on-failure reads it
        Assert.Equal("got-usr1\n", edge.StandardOutput.ReadToEnd());
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>A bad --sd-notify value is refused outside systemd too, before anything is pulled or made.</summary>
    [Fact]
    public void BadSdNotifyValueIsAnErrorWithOrWithoutSystemd()
    {
        using TestStore store = TestStore.WithSampleImage();
        string[] args = { "--store", store.Root, "--root", store.Combine("state"), "run", "--rm", "--sd-notify", "bogus", SampleImages.Name, "true" };
        using var systemd = new FakeSystemd();
        foreach (string? socket in new[] { null, systemd.Path })
        {
            ProcessResult r = EdgeProcess.EdgeWithEnv(new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socket }, args);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal("edge: --sd-notify \"bogus\": use ready, container or ignore\n", r.Stderr);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void StopTimeoutEndsWithSigkill()
    {
        using TestStore store = TestStore.WithSampleImage();
        using var systemd = new FakeSystemd();
        // sleep as PID 1 ignores SIGTERM: after --stop-timeout it is killed.
        using Process edge = Start(store, systemd.Path, "--rm", "--name", Name("timeout"), "--stop-timeout", "1", SampleImages.Name, "sleep", "300");
        Assert.Contains("READY=1\n", systemd.Receive());
        var clock = Stopwatch.StartNew();
        EdgeProcess.Run("kill", new[] { "-TERM", edge.Id.ToString() });
        Assert.True(edge.WaitForExit(30_000));
        Assert.Equal(137, edge.ExitCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"killed after {clock.Elapsed}: before the timeout");
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void ContainerModeRelaysTheApplicationsOwnReadiness()
    {
        using TestStore store = TestStore.WithSampleImage();
        using var systemd = new FakeSystemd();
        string helper = store.Combine("sd-notify");
        File.WriteAllText(helper + ".c", """
            #include <stdlib.h>
            #include <string.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            /* sd-notify "READY=1\nSTATUS=..." : one datagram to $NOTIFY_SOCKET, with \n turned into newlines. */
            int main(int argc, char **argv) {
                const char *path = getenv("NOTIFY_SOCKET");
                if (!path || argc < 2) return 2;
                struct sockaddr_un a = { .sun_family = AF_UNIX };
                strncpy(a.sun_path, path, sizeof a.sun_path - 1);
                char buf[512]; size_t n = 0;
                for (const char *s = argv[1]; *s && n < sizeof buf - 1; s++) {
                    if (s[0] == '\\' && s[1] == 'n') { buf[n++] = '\n'; s++; } else buf[n++] = *s;
                }
                int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
                return sendto(fd, buf, n, 0, (struct sockaddr *)&a, sizeof a) < 0;
            }
            """);
        StaticProgram.Compile(helper);
        using Process edge = Start(store, systemd.Path, "--rm", "--name", Name("container"), "--sd-notify", "container",
            "-v", helper + ":/sd-notify:ro", SampleImages.Name,
            "sh", "-c", "echo NOTIFY_SOCKET=$NOTIFY_SOCKET; sleep 0.3; /sd-notify 'READY=1\\nSTATUS=app ready\\nMAINPID=1' && echo sent");
        string message = systemd.Receive();
        Assert.Equal("READY=1\nSTATUS=app ready\n", message); // the application's words; its MAINPID is not the unit's
        Assert.True(edge.WaitForExit(30_000));
        Assert.Equal(0, edge.ExitCode);
        Assert.Equal("NOTIFY_SOCKET=/run/notify/notify.sock\nsent\n", edge.StandardOutput.ReadToEnd());
        Assert.Equal("", LeftoverCheck.Find());
    }
}
