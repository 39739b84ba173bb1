using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>Joining existing namespaces by path (how Kubernetes pods share a sandbox's) and time namespaces.</summary>
[Collection("containers")]
public class NamespaceTests
{
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void JoinsAnotherContainersNetworkUtsAndIpcNamespaces(string runtime)
    {
        using var sandboxBundle = new TestBundle("/bin/sh", "-c", "ip link set lo up 2>/dev/null; sleep 30");
        sandboxBundle.Config["hostname"] = "pod-sandbox";
        sandboxBundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string sandbox = $"ns-sandbox-{runtime}-{System.Environment.ProcessId}";
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", sandboxBundle.Path, sandbox).ExitCode);
        int pid = JsonDocument.Parse(r.Cli("state", sandbox).Stdout).RootElement.GetProperty("pid").GetInt32();

        using var member = new TestBundle("/bin/sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc");
        member.Config.AsObject().Remove("hostname");
        member.Linux["namespaces"] = new JsonArray(
            new JsonObject { ["type"] = "pid" }, new JsonObject { ["type"] = "mount" },
            new JsonObject { ["type"] = "network", ["path"] = $"/proc/{pid}/ns/net" },
            new JsonObject { ["type"] = "uts", ["path"] = $"/proc/{pid}/ns/uts" },
            new JsonObject { ["type"] = "ipc", ["path"] = $"/proc/{pid}/ns/ipc" });
        member.Save();
        ProcessResult run = r.Run(member, $"ns-member-{runtime}-{System.Environment.ProcessId}");
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Stdout.Split('\n');
        Assert.Equal("pod-sandbox", lines[0]);
        Assert.Equal(ReadLink($"/proc/{pid}/ns/net"), lines[1]);
        Assert.Equal(ReadLink($"/proc/{pid}/ns/ipc"), lines[2]);
        Assert.NotEqual(ReadLink("/proc/self/ns/net"), lines[1]);
        Assert.Equal(0, r.Cli("delete", "--force", sandbox).ExitCode);
    }

    /// <summary>
    /// A network namespace the runtime makes has its loopback up (0x9 = IFF_UP | IFF_LOOPBACK), also when it
    /// belongs to a new user namespace: localhost services work under `--network none`.
    /// </summary>
    [Theory]
    [InlineData("edge", false)]
    [InlineData("edge", true)]
    [InlineData("runc", false)]
    [InlineData("runc", true)]
    public void NewNetworkNamespaceHasLoopbackUp(string runtime, bool userNamespace)
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "cat /sys/class/net/lo/flags; ls /sys/class/net");
        if (userNamespace)
        {
            File.SetUnixFileMode(Path.GetDirectoryName(bundle.Path)!, (UnixFileMode)0x1ed);
            bundle.Linux["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "user" });
            bundle.Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
            bundle.Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        }
        bundle.Save();
        Assert.Contains(bundle.Linux["namespaces"]!.AsArray(), n => (string?)n!["type"] == "network" && n["path"] is null);
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, $"lo-{runtime}-{userNamespace}-{System.Environment.ProcessId}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("0x9\nlo\n", run.Stdout);
    }

    /// <summary>
    /// linux.rootfsPropagation is the container root's own propagation, as the container's mountinfo shows it
    /// (shared: a peer group, slave: a master, private: neither). "shared" used to fail in pivot_root (EINVAL, a
    /// shared parent). The runtime runs in a mount namespace whose mounts are all shared (as under systemd):
    /// nothing it mounts for the container may show up there. The same under runc for slave and private;
    /// runc 1.1.5 leaves a "shared" root private (it applies the propagation before pivot_root only), which
    /// the runtime-tools suite counts as a failure.
    /// </summary>
    [Theory]
    [InlineData("edge", "shared")]
    [InlineData("edge", "rshared")]
    [InlineData("edge", "slave")]
    [InlineData("edge", "private")]
    [InlineData("edge", "unbindable")]
    [InlineData("runc", "slave")]
    [InlineData("runc", "private")]
    public void RootfsPropagationIsTheContainerRootsOwn(string runtime, string propagation)
    {
        using var bundle = new TestBundle("/bin/sh", "-c",
            "f=$(grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo | sed 's/ - .*//' | cut -d' ' -f7-); "
            + "case \"$f\" in *shared:*) echo shared;; *master:*) echo slave;; *unbindable*) echo unbindable;; *) echo private;; esac");
        bundle.Linux["rootfsPropagation"] = propagation;
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = $"prop-{runtime}-{propagation}-{System.Environment.ProcessId}";
        ProcessResult run = EdgeProcess.Run("unshare", new[] { "-m", "--propagation", "shared", "sh", "-c",
            "\"$@\" && echo \"host sees: $(grep -c \"$0\" /proc/self/mountinfo)\"", bundle.Path,
            TestRuntime.BinaryOf(runtime), "--root", r.Root, "run", "--bundle", bundle.Path, id });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"{propagation.TrimStart('r')}\nhost sees: 0\n", run.Stdout);
    }

    /// <summary>A mount namespace joined by path (one `unshare -m` made): the container's mounts are made there and
    /// its process runs in it. (Joining moves the cwd to that namespace's root; edge used to lose its procfs
    /// handle there: "mount proc on /proc: no such file or directory".)</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void JoinsAMountNamespaceByPath(string runtime)
    {
        var holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", "-m --fork sleep 60") { UseShellExecute = false })!;
        try
        {
            string? ns = null;
            for (int i = 0; i < 100 && ns is null; i++)
            {
                // the forked sleep is unshare's child
                string children = File.Exists($"/proc/{holder.Id}/task/{holder.Id}/children") ? File.ReadAllText($"/proc/{holder.Id}/task/{holder.Id}/children").Trim() : "";
                if (children.Length > 0) ns = $"/proc/{children.Split(' ')[0]}/ns/mnt";
                else System.Threading.Thread.Sleep(20);
            }
            Assert.NotNull(ns);
            using var bundle = new TestBundle("/bin/sh", "-c", "readlink /proc/self/ns/mnt; cat /etc/os-release | head -1");
            foreach (JsonNode? n in bundle.Linux["namespaces"]!.AsArray())
                if ((string?)n!["type"] == "mount") n["path"] = ns;
            bundle.Save();
            using TestRuntime r = TestRuntime.Named(runtime);
            ProcessResult run = r.Run(bundle, $"mntpath-{runtime}-{System.Environment.ProcessId}");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.StartsWith(ReadLink(ns!) + "\n", run.Stdout);
            Assert.Contains("BusyBox", run.Stdout, System.StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
    }

    private static string ReadLink(string path) => new FileInfo(path).LinkTarget ?? "";

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void UserNamespaceMapsRootToAnUnprivilegedHostId(string runtime)
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map; ls -ln /dev/null | cut -c1-10; grep CapEff /proc/self/status");
        // The mapped root (host uid 100000) must be able to reach the rootfs.
        File.SetUnixFileMode(Path.GetDirectoryName(bundle.Path)!, (UnixFileMode)0x1ed);
        bundle.Linux["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "user" });
        bundle.Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        bundle.Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, $"userns-{runtime}-{System.Environment.ProcessId}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("0\n         0     100000      65536\n         0     100000      65536\ncrw-rw-rw-\nCapEff:\t0000000020000420\n", run.Stdout);
    }

    /// <summary>
    /// Where the container's processes are, in every hierarchy of this hybrid host (the v1 controllers,
    /// name=systemd, the unified one): seen from the host for the init, from inside for the init and an exec'd
    /// process, with a user namespace and with a cgroup namespace. edge's init writes itself into its v1
    /// cgroups and is born in the v2 one (Cgroups/CgroupJoin); runc's parent moves it. The same places.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void CgroupMembershipMatchesRunc(bool userNamespace, bool cgroupNamespace)
    {
        string Observe(string runtime)
        {
            using var bundle = new TestBundle("/bin/sleep", "30");
            JsonArray namespaces = bundle.Linux["namespaces"]!.AsArray();
            if (cgroupNamespace) namespaces.Add(new JsonObject { ["type"] = "cgroup" });
            if (userNamespace)
            {
                File.SetUnixFileMode(Path.GetDirectoryName(bundle.Path)!, (UnixFileMode)0x1ed);
                namespaces.Add(new JsonObject { ["type"] = "user" });
                bundle.Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
                bundle.Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
            }
            bundle.Save();
            using TestRuntime r = TestRuntime.Named(runtime);
            string id = $"cgjoin-{runtime}-{System.Environment.ProcessId}";
            try
            {
                ProcessResult run = r.Detached("run", "-d", "--bundle", bundle.Path, id);
                Assert.True(run.ExitCode == 0, run.ToString());
                ProcessResult state = r.Cli("state", id);
                int pid = System.Text.Json.JsonDocument.Parse(state.Stdout).RootElement.GetProperty("pid").GetInt32();
                string host = File.ReadAllText($"/proc/{pid}/cgroup");
                ProcessResult inside = r.Cli("exec", id, "/bin/sh", "-c", "cat /proc/1/cgroup; echo; cat /proc/self/cgroup");
                Assert.True(inside.ExitCode == 0, inside.ToString());
                string seen = host + "\n" + inside.Stdout;
                Assert.Contains(id, host);
                return seen.Replace(id, "ID");
            }
            finally
            {
                r.Cli("delete", "--force", id);
            }
        }
        string edge = Observe("edge");
        Assert.Equal(Observe("runc"), edge);
        // Every hierarchy lists the container: no line of the host's view is left at edge's own cgroup.
        string[] hostView = edge.Split("\n\n")[0].Split('\n', System.StringSplitOptions.RemoveEmptyEntries);
        Assert.True(hostView.Length >= 2, edge);
        Assert.All(hostView, line => Assert.EndsWith("/ID", line));
    }

    [Fact]
    public void TimeNamespaceShiftsBoottimeAndMonotonicClocks()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "cut -d' ' -f1 /proc/uptime");
        bundle.Linux["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "time" });
        bundle.Linux["timeOffsets"] = new JsonObject
        {
            ["boottime"] = new JsonObject { ["secs"] = 864000, ["nanosecs"] = 0 },
            ["monotonic"] = new JsonObject { ["secs"] = 3600 },
        };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        double hostUptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
        ProcessResult run = r.Run(bundle, $"timens-{System.Environment.ProcessId}");
        Assert.True(run.ExitCode == 0, run.ToString());
        double inside = double.Parse(run.Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.InRange(inside - hostUptime, 864000 - 5, 864000 + 60);
    }
}
