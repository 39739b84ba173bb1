using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>
/// What a process inside the container sees, checked for edge and compared with runc and crun running
/// the same bundle.
/// </summary>
[Collection("containers")]
public class ContainerObservationTests
{
    private static string Id(string runtime, string test) => $"obs-{test}-{runtime}-{System.Environment.ProcessId}";

    private static ProcessResult RunIn(string runtime, TestBundle bundle, string test)
    {
        using TestRuntime r = TestRuntime.Named(runtime);
        bundle.Save();
        return r.Run(bundle, Id(runtime, test));
    }

    private static string Observe(string runtime, string script, System.Action<TestBundle>? configure = null, int expectedExit = 0)
    {
        using var bundle = new TestBundle("/bin/sh", "-c", script);
        configure?.Invoke(bundle);
        ProcessResult r = RunIn(runtime, bundle, "o");
        Assert.True(r.ExitCode == expectedExit, $"{runtime}: {r}");
        return r.Stdout;
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    [InlineData("crun")]
    public void ProcessIsPid1WithTheConfiguredHostnameAndRoot(string runtime)
    {
        string seen = Observe(runtime, "echo $$ $(hostname) $(id -u) $(pwd)", b => b.Config["hostname"] = "box");
        Assert.Equal("1 box 0 /\n", seen);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    [InlineData("crun")]
    public void ExitStatusAndSignalsReachTheCaller(string runtime)
    {
        Assert.Equal("out\n", Observe(runtime, "echo out; exit 42", expectedExit: 42));
        // A child killed by a signal: the shell reports 128+N, and so does the runtime.
        Observe(runtime, "sh -c 'kill -KILL $$'; exit $?", expectedExit: 137);
    }

    [Fact]
    public void CapabilitiesMatchRuncAndCrun()
    {
        const string script = "grep ^Cap /proc/self/status";
        string edge = Observe("edge", script);
        Assert.Contains("CapEff:\t0000000020000420", edge);
        Assert.Equal(Observe("runc", script), edge);
        Assert.Equal(Observe("crun", script), edge);
    }

    [Fact]
    public void CustomCapabilitySetsMatchRunc()
    {
        const string script = "grep ^Cap /proc/self/status";
        void Configure(TestBundle b)
        {
            var caps = new JsonArray("CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN");
            b.Process["capabilities"] = new JsonObject
            {
                ["bounding"] = caps.DeepClone(), ["effective"] = caps.DeepClone(), ["permitted"] = caps.DeepClone(),
                ["inheritable"] = new JsonArray("CAP_NET_RAW"), ["ambient"] = new JsonArray("CAP_NET_RAW"),
            };
            b.Process["noNewPrivileges"] = false;
        }
        string edge = Observe("edge", script, Configure);
        Assert.Equal(Observe("runc", script, Configure), edge);
        Assert.Contains("CapAmb:\t0000000000002000", edge);
    }

    /// <summary>
    /// The .NET runtime ignores SIGPIPE and installs handlers; none of that may reach the container's process
    /// (a shell pipeline relies on SIGPIPE).
    /// </summary>
    [Fact]
    public void SignalDispositionsMatchRunc()
    {
        const string script = "grep -E '^(SigBlk|SigIgn)' /proc/self/status; yes | head -1";
        string edge = Observe("edge", script);
        Assert.Equal(Observe("runc", script), edge);
        string ignored = Regex.Match(edge, "SigIgn:\\t([0-9a-f]+)").Groups[1].Value;
        Assert.Equal(0UL, ulong.Parse(ignored, System.Globalization.NumberStyles.HexNumber) & (1UL << (13 - 1))); // SIGPIPE
        Assert.EndsWith("y\n", edge); // `yes` ended by SIGPIPE, not by a write error
    }

    /// <summary>
    /// Signals the caller ignores (dockerd under nohup ignores SIGHUP) are not ignored in the container: its
    /// PID 1 must get `docker kill -s HUP`. runc and crun reset every disposition too.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void SignalsTheCallerIgnoresAreNotIgnoredInside(string runtime)
    {
        using var bundle = new TestBundle("grep", "^SigIgn", "/proc/self/status");
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = EdgeProcess.Run("sh", new[] { "-c", "trap '' HUP INT QUIT USR1; exec \"$@\"", "sh",
            TestRuntime.BinaryOf(runtime), "--root", r.Root, "run", "--bundle", bundle.Path, Id(runtime, "sigign") });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("SigIgn:\t0000000000000000\n", run.Stdout);
    }

    /// <summary>The process leads its own session and process group (setsid), and a cwd the image lacks is
    /// made, as runc and crun do.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    [InlineData("crun")]
    public void OwnSessionAndAMissingCwdIsMade(string runtime)
    {
        string seen = Observe(runtime, "echo $(cut -d' ' -f5,6 /proc/self/stat) $(pwd)", b =>
        {
            b.Process["cwd"] = "/work/not/there";
            b.Config["root"]!["readonly"] = true;
        });
        Assert.Equal("1 1 /work/not/there\n", seen);
    }

    [Fact]
    public void MountTableMatchesRunc()
    {
        // Mount ids and the device numbers of virtual file systems (0:N) are handed out in the order instances
        // are made, system-wide: edge's init makes a private procfs for its own use before the container's
        // (docs/security.md), so the container's /proc gets the next number. Neither is part of what the
        // container sees of its mounts.
        static string Normalize(string mountinfo, string id) =>
            Regex.Replace(Regex.Replace(Regex.Replace(mountinfo.Replace(id, "ID"), @"^\d+ \d+ ", "", RegexOptions.Multiline),
                @"^0:\d+ ", "0:N ", RegexOptions.Multiline), @"/edge-bundle-\w+/", "/BUNDLE/");
        const string script = "cat /proc/self/mountinfo";
        string edge = Normalize(Observe("edge", script), Id("edge", "o"));
        string runc = Normalize(Observe("runc", script), Id("runc", "o"));
        Assert.Equal(Sorted(runc), Sorted(edge));
        Assert.Contains(" / ro,", edge);
        Assert.Contains("/proc/sys ro,", edge);
    }

    private static string Sorted(string lines)
    {
        string[] all = lines.Split('\n');
        System.Array.Sort(all, System.StringComparer.Ordinal);
        return string.Join('\n', all);
    }

    [Fact]
    public void DevMatchesRunc()
    {
        const string script = "ls -ln /dev | sed 's/ [A-Z][a-z][a-z] .* / DATE /'";
        string edge = Observe("edge", script);
        Assert.Equal(Observe("runc", script), edge);
        Assert.Contains("crw-rw-rw-    1 0        0           1,   3 DATE null", edge);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void MaskedAndReadonlyPathsHoldInside(string runtime)
    {
        string seen = Observe(runtime,
            "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; touch /proc/sys/kernel/x 2>/dev/null || echo ro-sys; " +
            "touch /sys/firmware/x 2>/dev/null || echo ro-firmware; touch /x 2>/dev/null || echo ro-root");
        Assert.Equal("0\n0\nro-sys\nro-firmware\nro-root\n", seen);
    }

    /// <summary>
    /// Without HOME in process.env the process gets the user's home from the container's /etc/passwd (as the
    /// container sees it: a file mounted over it counts), or "/" for a uid it does not list; an empty HOME is
    /// replaced, a given one kept. The same for `exec`. As runc does.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void HomeComesFromTheContainersPasswd(string runtime)
    {
        string Home(uint uid, string? home, System.Action<TestBundle>? more = null) => Observe(runtime, "echo \"$HOME\"", b =>
        {
            b.Process["user"] = new JsonObject { ["uid"] = uid, ["gid"] = uid };
            JsonArray env = b.Process["env"]!.AsArray();
            for (int i = env.Count - 1; i >= 0; i--) if (((string)env[i]!).StartsWith("HOME=")) env.RemoveAt(i);
            if (home is not null) env.Add("HOME=" + home);
            more?.Invoke(b);
        });
        Assert.Equal("/root\n", Home(0, null));
        Assert.Equal("/home/app\n", Home(1000, null));
        Assert.Equal("/\n", Home(4242, null));
        Assert.Equal("/root\n", Home(0, ""));
        Assert.Equal("/custom\n", Home(1000, "/custom"));
        using var passwd = new TempDir("edge-passwd-");
        System.IO.File.WriteAllText(passwd.Combine("passwd"), "root:x:0:0:root:/from-the-mount:/bin/sh\n");
        Assert.Equal("/from-the-mount\n", Home(0, null, b => b.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/etc/passwd", ["type"] = "bind", ["source"] = passwd.Combine("passwd"), ["options"] = new JsonArray("bind", "ro"),
        })));

        using var bundle = new TestBundle("sleep", "30");
        JsonArray env = bundle.Process["env"]!.AsArray();
        for (int i = env.Count - 1; i >= 0; i--) if (((string)env[i]!).StartsWith("HOME=")) env.RemoveAt(i);
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id(runtime, "home-exec");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        try
        {
            ProcessResult exec = r.Cli("exec", "--user", "1000:1000", id, "sh", "-c", "echo \"$HOME\"");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            Assert.Equal("/home/app\n", exec.Stdout);
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
    }

    /// <summary>An /etc/passwd that is a FIFO (or a device) does not stop the container: HOME is "/". (runc
    /// opens the FIFO and waits forever, so this one is edge's alone.)</summary>
    [Fact]
    public void HostilePasswdDoesNotBlockTheContainer()
    {
        string seen = Observe("edge", "echo \"$HOME\"", b =>
        {
            JsonArray env = b.Process["env"]!.AsArray();
            for (int i = env.Count - 1; i >= 0; i--) if (((string)env[i]!).StartsWith("HOME=")) env.RemoveAt(i);
            string passwd = System.IO.Path.Combine(b.Rootfs, "etc", "passwd");
            System.IO.File.Delete(passwd);
            Assert.Equal(0, EdgeProcess.Run("mkfifo", new[] { passwd }).ExitCode);
        });
        Assert.Equal("/\n", seen);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    [InlineData("crun")]
    public void UserGroupsUmaskCwdAndEnv(string runtime)
    {
        string seen = Observe(runtime, "id; umask; pwd; echo $GREETING", b =>
        {
            b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000, ["umask"] = 63, ["additionalGids"] = new JsonArray(100) };
            b.Process["cwd"] = "/home/app";
            b.Process["env"]!.AsArray().Add("GREETING=hello");
        });
        Assert.Equal("uid=1000(app) gid=1000(app) groups=100(users)\n0077\n/home/app\nhello\n", seen);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RlimitsApply(string runtime)
    {
        string seen = Observe(runtime, "ulimit -n; ulimit -Hn; ulimit -c", b =>
            b.Process["rlimits"] = new JsonArray(
                new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 100, ["hard"] = 200 },
                new JsonObject { ["type"] = "RLIMIT_CORE", ["soft"] = 0, ["hard"] = 0 }));
        Assert.Equal("100\n200\n0\n", seen);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void NoNewPrivilegesAndNamespacesAreSeparate(string runtime)
    {
        string seen = Observe(runtime, "grep NoNewPrivs /proc/self/status; cat /proc/self/uid_map | wc -l; ls /sys/class/net");
        Assert.Equal("NoNewPrivs:\t1\n1\nlo\n", seen);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void NoHostFdsReachTheProcess(string runtime)
    {
        // CVE-2024-21626: only stdio may be open when the process starts; no host cwd either.
        string seen = Observe(runtime, "ls /proc/self/fd | sort -n | tr '\\n' ' '; echo; readlink /proc/self/cwd");
        Assert.Equal("0 1 2 3 \n/\n", seen); // 3 is ls's own directory fd
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void NamespacedSysctlsApply(string runtime)
    {
        string seen = Observe(runtime, "cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward", b =>
            b.Linux["sysctl"] = new JsonObject { ["kernel.shmmni"] = "1234", ["net.ipv4.ip_forward"] = "1" });
        Assert.Equal("1234\n1\n", seen);
    }

    /// <summary>runc 1.1 (Debian 12) predates "domainname"; crun implements it.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("crun")]
    public void DomainnameIsSet(string runtime)
    {
        Assert.Equal("example.org\n", Observe(runtime, "cat /proc/sys/kernel/domainname", b => b.Config["domainname"] = "example.org"));
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void BindMountsWithOptions(string runtime)
    {
        using var data = new TempDir("edge-data-");
        System.IO.File.WriteAllText(data.Combine("hello.txt"), "from host\n");
        string seen = Observe(runtime, "cat /data/hello.txt; touch /data/x 2>/dev/null || echo ro; cat /etc/issue.net", b =>
        {
            System.IO.File.WriteAllText(System.IO.Path.Combine(b.Path, "issue"), "single file\n");
            b.Config["mounts"]!.AsArray().Add(new JsonObject
            {
                ["destination"] = "/data", ["type"] = "bind", ["source"] = data.Path, ["options"] = new JsonArray("rbind", "ro", "nosuid"),
            });
            b.Config["mounts"]!.AsArray().Add(new JsonObject
            {
                ["destination"] = "/etc/issue.net", ["type"] = "none", ["source"] = "issue", ["options"] = new JsonArray("bind"),
            });
        });
        Assert.Equal("from host\nro\nsingle file\n", seen);
    }

    /// <summary>
    /// tmpcopyup (what podman asks for with --read-only and --tmpfs): the new tmpfs starts with a copy of what
    /// it covers: files, directories, symlinks (as links, never followed), fifos, with owners, modes and
    /// times; the root dir keeps its mode (as every tmpfs over a directory does, under runc too). What the container writes there stays in memory, not in the image.
    /// The same listing under runc, but for the fifo (runc 1.1.5 fails to copy one: "lchown ...: no such file"),
    /// the root dir's owner, which runc leaves root's, and times, which runc does not keep.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void TmpfsCopyUpCopiesWhatItCovers(string runtime)
    {
        const string script = "cd /work && find . | sort | while read f; do stat -c '%n %F %a %u:%g %s %Y' \"$f\"; done; "
            + "readlink escape; cat sub/secret; echo new > /work/new && echo wrote";
        using var bundle = new TestBundle("/bin/sh", "-c", script);
        string work = System.IO.Path.Combine(bundle.Rootfs, "work");
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(work, "sub", "deeper"));
        System.IO.File.WriteAllText(System.IO.Path.Combine(work, "sub", "secret"), "image content\n");
        System.IO.File.CreateSymbolicLink(System.IO.Path.Combine(work, "escape"), "/../../../../etc/shadow");
        Assert.Equal(0, EdgeProcess.Run("sh", new[] { "-c",
            $"cd '{work}' && {(runtime == "edge" ? "mkfifo pipe && touch -d '2020-01-02 03:04:05' pipe && " : "")}"
            + "chown 1000:1000 sub && chown 1000:0 sub/secret && chmod 0640 sub/secret && chmod 0757 . && chown 1000:100 . "
            + "&& touch -d '2020-01-02 03:04:05' sub/secret sub/deeper" }).ExitCode);
        bundle.Config["root"]!["readonly"] = true;
        bundle.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/work", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("rw", "nosuid", "nodev", "tmpcopyup", "size=1m"),
        });
        ProcessResult run = RunIn(runtime, bundle, "copyup");
        Assert.True(run.ExitCode == 0, run.ToString());
        // Directories' sizes and times differ (written into): left out. runc keeps no times at all.
        string stamp = runtime == "edge" ? "1577934245" : "-";
        string seen = Regex.Replace(run.Stdout, @"^(\S+ directory \d+ \d+:\d+) \d+ \d+$", "$1 -", RegexOptions.Multiline);
        seen = Regex.Replace(seen, @"^(\./escape symbolic link \d+ \d+:\d+ \d+) \d+$", "$1 -", RegexOptions.Multiline);
        if (runtime != "edge") seen = Regex.Replace(seen, @"^(\./sub/secret .*) \d+$", "$1 -", RegexOptions.Multiline);
        Assert.Equal(
            $". directory 757 {(runtime == "edge" ? "1000:100" : "0:0")} -\n"
            + "./escape symbolic link 777 0:0 23 -\n"
            + (runtime == "edge" ? "./pipe fifo 644 0:0 0 1577934245\n" : "")
            + "./sub directory 755 1000:1000 -\n"
            + "./sub/deeper directory 755 0:0 -\n"
            + $"./sub/secret regular file 640 1000:0 14 {stamp}\n"
            + "/../../../../etc/shadow\nimage content\nwrote\n", seen);
        Assert.False(System.IO.File.Exists(System.IO.Path.Combine(work, "new")));
    }

    /// <summary>
    /// runc's recursive options through mount_setattr(2): "rro" makes a host directory's sub-mounts read-only
    /// too (plain "ro" leaves them writable), "rnoexec" likewise. The same under runc.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void RecursiveMountOptionsReachSubmounts(string runtime)
    {
        using var data = new TempDir("edge-rro-");
        System.IO.Directory.CreateDirectory(data.Combine("inner"));
        Assert.Equal(0, EdgeProcess.Run("mount", new[] { "-t", "tmpfs", "-o", "size=1m", "tmpfs", data.Combine("inner") }).ExitCode);
        try
        {
            string Probe(params string[] options) => Observe(runtime,
                "touch /data/inner/x 2>/dev/null && echo inner writable || echo inner read-only; grep ' /data/inner ' /proc/self/mountinfo | grep -q noexec && echo noexec || echo exec", b =>
                b.Config["mounts"]!.AsArray().Add(new JsonObject
                {
                    ["destination"] = "/data", ["type"] = "bind", ["source"] = data.Path, ["options"] = new JsonArray(System.Array.ConvertAll(options, o => (JsonNode)o)),
                }));
            Assert.Equal("inner writable\nexec\n", Probe("rbind", "ro"));
            Assert.Equal("inner read-only\nnoexec\n", Probe("rbind", "rro", "rnoexec"));
        }
        finally
        {
            EdgeProcess.Run("umount", new[] { "-l", data.Combine("inner") });
        }
    }

    /// <summary>
    /// An idmapped bind mount (mount uidMappings/gidMappings): files owned by 1000 on the host appear as root's
    /// inside, and what the container's root writes lands as 1000 on the host; a plain bind of the same
    /// directory shows the host's ids. runc 1.1 and crun 1.8 (Debian 12) have no idmapped mounts to compare.
    /// </summary>
    [Fact]
    public void IdmappedMountShiftsOwners()
    {
        using var data = new TempDir("edge-idmap-");
        System.IO.File.WriteAllText(data.Combine("owned"), "x\n");
        System.IO.Directory.CreateDirectory(data.Combine("sub"));
        foreach (string path in new[] { data.Path, data.Combine("owned"), data.Combine("sub") })
            Assert.Equal(0, EdgeProcess.Run("chown", new[] { "1000:1000", path }).ExitCode);
        System.IO.File.SetUnixFileMode(data.Path, (System.IO.UnixFileMode)0x1ed); // 0755: the plain mount is read by a root without DAC capabilities
        var mapping = new JsonArray(new JsonObject { ["containerID"] = 1000, ["hostID"] = 0, ["size"] = 1 });
        string seen = Observe("edge", "stat -c '%u:%g' /mapped/owned /mapped/sub /plain/owned; echo new > /mapped/sub/made && echo wrote", b =>
        {
            b.Config["mounts"]!.AsArray().Add(new JsonObject
            {
                ["destination"] = "/mapped", ["type"] = "bind", ["source"] = data.Path, ["options"] = new JsonArray("rbind", "idmap"),
                ["uidMappings"] = mapping.DeepClone(), ["gidMappings"] = mapping.DeepClone(),
            });
            b.Config["mounts"]!.AsArray().Add(new JsonObject
            {
                ["destination"] = "/plain", ["type"] = "bind", ["source"] = data.Path, ["options"] = new JsonArray("rbind", "ro"),
            });
        });
        Assert.Equal("0:0\n0:0\n1000:1000\nwrote\n", seen);
        Assert.Equal("1000:1000\n", EdgeProcess.Run("stat", new[] { "-c", "%u:%g", data.Combine("sub", "made") }).Stdout);
    }

    [Fact]
    public void IdmappedMountNeedsBothMaps()
    {
        using var bundle = new TestBundle("true");
        int index = bundle.Config["mounts"]!.AsArray().Count;
        bundle.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/mapped", ["type"] = "bind", ["source"] = "/tmp", ["options"] = new JsonArray("bind", "idmap"),
            ["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 1000, ["size"] = 1 }),
        });
        ProcessResult run = RunIn("edge", bundle, "idmap-bad");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"edge: config.json: $.mounts[{index}]: an idmapped mount needs both uidMappings and gidMappings\n", run.Stderr);
        Assert.Equal("", LeftoverCheck.Find());
    }
}

[CollectionDefinition("containers")]
public class ContainersCollection : ICollectionFixture<LeftoverCheck>
{
}
