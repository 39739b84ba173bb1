using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Limits;

/// <summary>
/// linux.resources enforced on this cgroup v1 host: a memory limit OOM-kills (the same exit as runc's), a
/// pids limit makes fork fail, a CPU quota throttles, `update` changes a running container's limits.
/// </summary>
[Collection("containers")]
public class CgroupLimitTests
{
    private static string Id(string name) => $"lim-{name}-{Environment.ProcessId}";

    private static TestBundle Bundle(JsonObject resources, params string[] args)
    {
        var bundle = new TestBundle(args);
        JsonObject existing = bundle.Linux["resources"]!.AsObject();
        foreach (var (k, v) in resources) existing[k] = v?.DeepClone();
        bundle.Save();
        return bundle;
    }

    /// <summary>The container's directory in one v1 hierarchy, from its init's /proc/PID/cgroup.</summary>
    private static string CgroupDir(int pid, string controller)
    {
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains(controller))
                return Directory.GetDirectories("/sys/fs/cgroup").First(d => Path.GetFileName(d).Split(',').Contains(controller)) + parts[2];
        }
        throw new InvalidOperationException($"no {controller} cgroup for {pid}");
    }

    private static int Pid(TestRuntime r, string id) => (int)JsonNode.Parse(r.Cli("state", id).Stdout)!["pid"]!;

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void MemoryLimitOomKills(string runtime)
    {
        using TestBundle bundle = Bundle(new JsonObject { ["memory"] = new JsonObject { ["limit"] = 16 << 20 } },
            "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, Id("oom-" + runtime));
        Assert.Equal(137, run.ExitCode);
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void PidsLimitMakesForkFail()
    {
        using TestBundle bundle = Bundle(new JsonObject { ["pids"] = new JsonObject { ["limit"] = 4 } },
            "sh", "-c", "for i in 1 2 3 4 5 6; do sleep 1 & done; wait; echo done");
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = r.Run(bundle, Id("pids"));
        Assert.Contains("can't fork", run.Stderr);
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void CpuQuotaThrottlesAndUpdateChangesRunningLimits()
    {
        using TestBundle bundle = Bundle(new JsonObject
            {
                ["cpu"] = new JsonObject { ["quota"] = 10000, ["period"] = 100000, ["shares"] = 512 },
                ["memory"] = new JsonObject { ["limit"] = 64 << 20 },
                ["pids"] = new JsonObject { ["limit"] = 50 },
            },
            "sh", "-c", "while :; do :; done");
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("cpu");
        Assert.Equal(0, r.Detached("create", "--bundle", bundle.Path, id).ExitCode);
        try
        {
            int pid = Pid(r, id);
            string cpu = CgroupDir(pid, "cpu"), memory = CgroupDir(pid, "memory"), pids = CgroupDir(pid, "pids");
            Assert.Equal("10000", File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim());
            Assert.Equal("512", File.ReadAllText(Path.Combine(cpu, "cpu.shares")).Trim());
            Assert.Equal((64 << 20).ToString(), File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim());
            Assert.Equal(0, r.Detached("start", id).ExitCode);
            // A busy loop under a 10% quota is throttled: the kernel counts the periods it was stopped in.
            for (int i = 0; i < 40 && ReadStat(cpu, "nr_throttled") == 0; i++) System.Threading.Thread.Sleep(50);
            Assert.True(ReadStat(cpu, "nr_throttled") > 0, "the CPU quota never throttled the busy loop");

            ProcessResult update = r.Cli("update", "--memory", "32m", "--pids-limit", "7", "--cpu-quota", "50000", id);
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.Equal((32 << 20).ToString(), File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim());
            Assert.Equal("7", File.ReadAllText(Path.Combine(pids, "pids.max")).Trim());
            Assert.Equal("50000", File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")).Trim());

            string file = Path.Combine(bundle.Path, "resources.json");
            File.WriteAllText(file, "{\"pids\": {\"limit\": 9}}");
            Assert.Equal(0, r.Cli("update", "--resources", file, id).ExitCode);
            Assert.Equal("9", File.ReadAllText(Path.Combine(pids, "pids.max")).Trim());

            ProcessResult bad = r.Cli("update", "--memory", "lots", id);
            Assert.Equal(1, bad.ExitCode);
            Assert.Equal("edge: invalid value \"lots\" for --memory: expected a size like 512, 64k, 32m or 1g\n", bad.Stderr);
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void RefusedValueIsOneLineAndLeavesNothing()
    {
        using TestBundle bundle = Bundle(new JsonObject { ["cpu"] = new JsonObject { ["cpus"] = "999" } }, "true");
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult run = r.Run(bundle, Id("bad"));
        Assert.Equal(1, run.ExitCode);
        Assert.Matches("^edge: config.json: \\$.linux.resources.cpu.cpus: writing \"999\" to /sys/fs/cgroup/cpuset/.+/cpuset.cpus: .+\n$", run.Stderr);
        Assert.Empty(Directory.GetDirectories(r.Root));
        Assert.Equal("", LeftoverCheck.Find());
    }

    private static long ReadStat(string dir, string key)
    {
        foreach (string line in File.ReadAllLines(Path.Combine(dir, "cpu.stat")))
            if (line.StartsWith(key + " ", StringComparison.Ordinal)) return long.Parse(line[(key.Length + 1)..]);
        return 0;
    }

    [Theory]
    [InlineData("edge", false)]
    [InlineData("edge", true)]
    [InlineData("runc", false)]
    [InlineData("runc", true)]
    public void DeviceRulesDenyWhatTheyDoNotAllow(string runtime, bool allowDevice)
    {
        // A node for c 10:259 (cpu_dma_latency, which any root can read) made inside: under the default rules (deny all, then runc's allowed
        // devices) opening it is refused by the device cgroup; with a rule allowing it, the open reaches the
        // driver. /dev/zero is always allowed.
        using var bundle = new TestBundle("sh", "-c",
            "mknod /tmp/dev c 10 259 && (head -c1 /tmp/dev 2>&1 >/dev/null | grep -q 'Operation not permitted' && echo denied || echo reached the driver); head -c1 /dev/zero | wc -c");
        foreach (string set in new[] { "bounding", "effective", "permitted" }) bundle.Process["capabilities"]![set]!.AsArray().Add("CAP_MKNOD");
        bundle.Config["root"]!["readonly"] = false;
        if (allowDevice)
            bundle.Linux["resources"]!["devices"]!.AsArray().Add(new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 10, ["minor"] = 259, ["access"] = "rwm" });
        bundle.Save();
        using TestRuntime r = TestRuntime.Named(runtime);
        ProcessResult run = r.Run(bundle, Id($"dev-{runtime}-{allowDevice}"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal((allowDevice ? "reached the driver" : "denied") + "\n1\n", run.Stdout);
    }

    /// <summary>
    /// The same linux.resources given to edge and to runc: the cgroup v1 files each wrote, read back from the
    /// host, must be equal (the v2 counterpart runs in the VM, Integration/Vm).
    /// </summary>
    [Fact]
    public void CgroupFilesMatchRuncs()
    {
        var resources = new JsonObject
        {
            ["memory"] = new JsonObject { ["limit"] = 67108864, ["reservation"] = 33554432, ["swap"] = 100663296, ["swappiness"] = 10 },
            ["cpu"] = new JsonObject { ["shares"] = 512, ["quota"] = 50000, ["period"] = 100000, ["cpus"] = "0", ["mems"] = "0" },
            ["pids"] = new JsonObject { ["limit"] = 30 },
            ["blockIO"] = new JsonObject { ["weight"] = 500 },
        };
        (string Controller, string File)[] files =
        {
            ("memory", "memory.limit_in_bytes"), ("memory", "memory.soft_limit_in_bytes"), ("memory", "memory.memsw.limit_in_bytes"),
            ("memory", "memory.swappiness"), ("cpu", "cpu.shares"), ("cpu", "cpu.cfs_quota_us"), ("cpu", "cpu.cfs_period_us"),
            ("cpuset", "cpuset.cpus"), ("cpuset", "cpuset.mems"), ("pids", "pids.max"), ("blkio", "blkio.weight"), ("blkio", "blkio.bfq.weight"),
        };
        string Observe(string runtime)
        {
            using TestBundle bundle = Bundle(resources, "sleep", "30");
            using TestRuntime r = TestRuntime.Named(runtime);
            string id = Id($"files-{runtime}");
            ProcessResult create = r.Detached("create", "--bundle", bundle.Path, id);
            Assert.True(create.ExitCode == 0, create.ToString());
            try
            {
                int pid = Pid(r, id);
                var seen = new System.Text.StringBuilder();
                foreach (var (controller, file) in files)
                {
                    string path = Path.Combine(CgroupDir(pid, controller), file);
                    seen.Append(file).Append('=').Append(File.Exists(path) ? File.ReadAllText(path).Trim() : "(none)").Append('\n');
                }
                return seen.ToString();
            }
            finally
            {
                r.Cli("delete", "--force", id);
            }
        }
        string edge = Observe("edge"), runc = Observe("runc");
        Assert.Equal(runc, edge);
        Assert.Contains("memory.limit_in_bytes=67108864\n", edge);
        Assert.Contains("cpu.cfs_quota_us=50000\n", edge);
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>memory.kernelTCP sets the v1 TCP buffer limit, as crun does (runc 1.1.5 ignores the field; the
    /// runtime-tools suite checks it).</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("crun")]
    public void KernelTcpLimitIsSet(string runtime)
    {
        using TestBundle bundle = Bundle(new JsonObject { ["memory"] = new JsonObject { ["limit"] = 64 << 20, ["kernelTCP"] = 16 << 20 } }, "sleep", "30");
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id("ktcp-" + runtime);
        ProcessResult create = r.Detached("create", "--bundle", bundle.Path, id);
        Assert.True(create.ExitCode == 0, create.ToString());
        try
        {
            string memory = CgroupDir(Pid(r, id), "memory");
            Assert.Equal((16 << 20).ToString(), File.ReadAllText(Path.Combine(memory, "memory.kmem.tcp.limit_in_bytes")).Trim());
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
    }

    /// <summary>
    /// What `docker update --pids-limit 50` sends (through containerd, `update --resources -`): every other
    /// field zero, meaning "not set". Only the pids limit may change; runc's spelling --cpu-share works; a
    /// refused value names `update`, not config.json. Both runtimes, the same files read back.
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void UpdateTreatsZeroAsNotSet(string runtime)
    {
        using TestBundle bundle = Bundle(new JsonObject
            {
                ["memory"] = new JsonObject { ["limit"] = 64 << 20 },
                ["cpu"] = new JsonObject { ["shares"] = 512 },
                ["pids"] = new JsonObject { ["limit"] = 30 },
            }, "sleep", "30");
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id("upd0-" + runtime);
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        try
        {
            int pid = Pid(r, id);
            string memory = CgroupDir(pid, "memory"), pids = CgroupDir(pid, "pids"), cpu = CgroupDir(pid, "cpu");
            string docker = """
                {"memory":{"limit":0,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0},
                 "cpu":{"shares":0,"quota":0,"period":0,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""},
                 "pids":{"limit":50},"blockIO":{"weight":0}}
                """;
            string file = Path.Combine(bundle.Path, "resources.json");
            File.WriteAllText(file, docker);
            ProcessResult update = r.Cli("update", "--resources", file, id);
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.Equal("50", File.ReadAllText(Path.Combine(pids, "pids.max")).Trim());
            Assert.Equal((64 << 20).ToString(), File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim());
            Assert.Equal("512", File.ReadAllText(Path.Combine(cpu, "cpu.shares")).Trim());

            ProcessResult shares = r.Cli("update", "--cpu-share", "256", id);
            Assert.True(shares.ExitCode == 0, shares.ToString());
            Assert.Equal("256", File.ReadAllText(Path.Combine(cpu, "cpu.shares")).Trim());

            ProcessResult refused = r.Cli("update", "--cpuset-cpus", "999", id);
            Assert.NotEqual(0, refused.ExitCode);
            if (runtime == "edge")
                Assert.Matches("^edge: update: linux.resources.cpu.cpus: writing \"999\" to /sys/fs/cgroup/cpuset/.+/cpuset.cpus: .+\n$", refused.Stderr);
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        Assert.Equal("", LeftoverCheck.Find());
    }

    /// <summary>`exec --cgroup`: the process lands in existing sub-cgroups of the container's, per controller; the
    /// sub-cgroups go with the container. runc does the same with the same arguments.</summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void ExecIntoSubCgroups(string runtime)
    {
        using TestBundle bundle = Bundle(new JsonObject(), "sleep", "30");
        using TestRuntime r = TestRuntime.Named(runtime);
        string id = Id($"subcg-{runtime}");
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        string memory = "", pids = "";
        try
        {
            int pid = Pid(r, id);
            memory = CgroupDir(pid, "memory");
            pids = CgroupDir(pid, "pids");
            Directory.CreateDirectory(Path.Combine(memory, "sub"));
            Directory.CreateDirectory(Path.Combine(pids, "other"));
            ProcessResult exec = r.Cli("exec", "--cgroup", "memory:sub", "--cgroup", "pids:other", id, "cat", "/proc/self/cgroup");
            Assert.True(exec.ExitCode == 0, exec.ToString());
            string Line(string controller) => exec.Stdout.Split('\n').Single(l => l.Split(':').Length == 3 && l.Split(':')[1].Split(',').Contains(controller));
            Assert.EndsWith("/sub", Line("memory"));
            Assert.EndsWith("/other", Line("pids"));
            Assert.False(Line("cpu").EndsWith("/sub", StringComparison.Ordinal));
            ProcessResult missing = r.Cli("exec", "--cgroup", "memory:nope", id, "true");
            Assert.NotEqual(0, missing.ExitCode);
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        Assert.False(Directory.Exists(memory), "the container's memory cgroup (with its sub-cgroup) is left");
        Assert.False(Directory.Exists(pids), "the container's pids cgroup (with its sub-cgroup) is left");
        Assert.Equal("", LeftoverCheck.Find());
    }
}
