using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Security;

/// <summary>
/// Escapes from a running container, tried for real (docs/security.md, "hostile container"): each test plays
/// the attacker inside the container and checks the host afterwards. Where runc 1.1.5 contains the same
/// attack, it runs too, so the test is known to attack something real; where runc 1.1.5 predates the fix
/// (CVE-2025-31133, CVE-2025-52881), runc's run is the positive control: the host is hit, then restored.
/// </summary>
[Collection("containers")]
public class ContainerEscapeTests
{
    private static string Id(string test, string runtime) => $"esc-{test}-{runtime}-{Environment.ProcessId}";

    /// <summary>A host sysctl nobody depends on, that the attacks below aim at.</summary>
    private const string HostSysctl = "/proc/sys/kernel/printk_ratelimit";

    // ---- CVE-2019-5736 ---------------------------------------------------------------------------------

    /// <summary>
    /// The attacker, as in CVE-2019-5736: it watches for new processes in the container, holds each one's
    /// /proc/PID/exe open, and once that process has gone, writes to the file it holds. Meanwhile the test
    /// makes the runtime exec `/evil` (a script starting "#!/proc/self/exe") and `/proc/self/exe` in the
    /// container, over and over. The runtime runs from a copy of its binary, which must be unchanged.
    /// </summary>
    private const string ExeThief = """
        #define _GNU_SOURCE
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <time.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            int held[256], pids[256], n = 0;
            static char seen[4194305];
            FILE *report = fopen(argv[2], "w");
            setvbuf(report, NULL, _IONBF, 0);
            time_t end = time(NULL) + atoi(argv[1]);
            fprintf(report, "started\n");
            while (time(NULL) < end) {
                DIR *d = opendir("/proc");
                struct dirent *e;
                while ((e = readdir(d))) {
                    int pid = atoi(e->d_name);
                    if (pid <= 1 || pid == getpid() || pid > 4194304 || seen[pid]) continue;
                    seen[pid] = 1;
                    char path[64], link[256];
                    snprintf(path, sizeof path, "/proc/%d/exe", pid);
                    int fd = open(path, O_PATH | O_CLOEXEC);
                    if (fd < 0) { fprintf(report, "pid %d: open exe: %s\n", pid, strerror(errno)); continue; }
                    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
                    ssize_t l = readlink(path, link, sizeof link - 1);
                    link[l > 0 ? l : 0] = 0;
                    fprintf(report, "pid %d: holds %s\n", pid, link);
                    if (n < 256) { held[n] = fd; pids[n] = pid; n++; } else close(fd);
                }
                closedir(d);
                for (int i = 0; i < n; i++) {
                    if (held[i] < 0 || kill(pids[i], 0) == 0) continue; /* wait until it has gone */
                    char path[64];
                    snprintf(path, sizeof path, "/proc/self/fd/%d", held[i]);
                    int w = open(path, O_WRONLY | O_CLOEXEC);
                    if (w < 0) fprintf(report, "pid %d: open for writing: %s\n", pids[i], strerror(errno));
                    else if (write(w, "#!/bin/sh\necho pwned\n", 21) > 0) fprintf(report, "WROTE the exe of pid %d\n", pids[i]);
                    else fprintf(report, "pid %d: write: %s\n", pids[i], strerror(errno));
                    if (w >= 0) close(w);
                    close(held[i]);
                    held[i] = -1;
                }
            }
            fprintf(report, "done\n");
            return 0;
        }
        """;

    [Theory]
    [InlineData("edge")]
    [InlineData("runc")]
    public void ProcSelfExeNeverReachesTheHostBinary(string runtime)
    {
        using var copies = new TempDir("edge-binary-");
        string binary = copies.Combine(runtime);
        File.Copy(TestRuntime.BinaryOf(runtime), binary);
        File.SetUnixFileMode(binary, (UnixFileMode)0x1ed /* 0755 */);
        string before = Sha256(binary);
        using TestRuntime r = TestRuntime.FromCopy(runtime, binary);
        using var bundle = new TestBundle("/thief", "5", "/report");
        File.WriteAllText(Path.Combine(bundle.Rootfs, "evil"), "#!/proc/self/exe\n");
        File.SetUnixFileMode(Path.Combine(bundle.Rootfs, "evil"), (UnixFileMode)0x1ed);
        File.WriteAllText(Path.Combine(bundle.Rootfs, "thief.c"), ExeThief);
        StaticProgram.Compile(Path.Combine(bundle.Rootfs, "thief"));
        bundle.Config["root"]!["readonly"] = false; // the thief writes its report
        bundle.Save();
        string id = Id("exe", runtime);
        ProcessResult run = r.Detached("run", "-d", "--bundle", bundle.Path, id);
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            for (int i = 0; i < 15; i++)
            {
                ProcessResult evil = r.Cli("exec", id, "/evil");
                Assert.NotEqual(0, evil.ExitCode);
                ProcessResult self = r.Cli("exec", id, "/proc/self/exe", "--version");
                if (runtime == "edge")
                {
                    // The interpreter and the program were the sealed stub, never edge itself.
                    Assert.Equal("edge-exec: this program only starts a container's process for edge\n", evil.Stderr);
                    Assert.Equal(127, self.ExitCode);
                    Assert.DoesNotContain("edge version", self.Stdout);
                }
            }
            WaitStopped(r, id, TimeSpan.FromSeconds(20));
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        string report = File.ReadAllText(Path.Combine(bundle.Rootfs, "report"));
        Assert.Contains("done", report);
        Assert.DoesNotContain("WROTE", report);
        Assert.Equal(before, Sha256(binary));
    }

    /// <summary>The init's own exec and the startContainer hooks it runs go through the stub too.</summary>
    [Fact]
    public void ProcessOrHookNamedProcSelfExeIsNeverEdge()
    {
        using TestRuntime r = TestRuntime.Edge();
        using var bundle = new TestBundle("/proc/self/exe", "--version");
        bundle.Save();
        ProcessResult process = r.Run(bundle, Id("self", "edge"));
        Assert.Equal(127, process.ExitCode);
        Assert.DoesNotContain("edge version", process.Stdout + process.Stderr);

        bundle.Args("true");
        bundle.Config["hooks"] = new JsonObject
        {
            ["startContainer"] = new JsonArray(new JsonObject { ["path"] = "/proc/self/exe", ["args"] = new JsonArray("edge", "--version") }),
        };
        bundle.Save();
        ProcessResult hooked = r.Run(bundle, Id("hook", "edge"));
        Assert.Equal(1, hooked.ExitCode);
        Assert.DoesNotContain("edge version", hooked.Stdout + hooked.Stderr);
        Assert.EndsWith("startContainer hook #0 `/proc/self/exe`: exit status 127\n", hooked.Stderr);
    }

    // ---- CVE-2024-21626 --------------------------------------------------------------------------------

    /// <summary>
    /// process.cwd (and exec --cwd) as /proc/self/fd/N, for every fd a runtime might still hold: the
    /// container either fails to start or starts inside its own root, and never sees the host's state
    /// directory (where a marker file waits).
    /// </summary>
    [Theory]
    [InlineData("edge")]
    [InlineData("edge-walk")]
    [InlineData("runc")]
    public void CwdThroughProcSelfFdNeverLeavesTheRoot(string runtime)
    {
        using TestRuntime r = TestRuntime.Named(runtime);
        Directory.CreateDirectory(r.Root);
        File.WriteAllText(Path.Combine(r.Root, "host-marker"), "host");
        using var bundle = new TestBundle("/bin/sh", "-c", "pwd; ls; cat host-marker ../host-marker 2>/dev/null; touch escaped");
        for (int fd = 3; fd <= 12; fd++)
        {
            bundle.Process["cwd"] = $"/proc/self/fd/{fd}";
            bundle.Save();
            ProcessResult result = r.Run(bundle, Id($"cwd{fd}", runtime));
            Assert.DoesNotContain("host", result.Stdout);
            if (result.ExitCode == 0) Assert.StartsWith("/", result.Stdout);
        }
        bundle.Args("sleep", "30");
        bundle.Process["cwd"] = "/";
        bundle.Save();
        string id = Id("cwdexec", runtime);
        Assert.Equal(0, r.Detached("run", "-d", "--bundle", bundle.Path, id).ExitCode);
        try
        {
            for (int fd = 3; fd <= 12; fd++)
            {
                ProcessResult exec = r.Cli("exec", "--cwd", $"/proc/self/fd/{fd}", id, "/bin/sh", "-c", "pwd; ls; cat host-marker ../host-marker 2>/dev/null; touch escaped");
                Assert.DoesNotContain("host", exec.Stdout);
                if (exec.ExitCode == 0) Assert.StartsWith("/", exec.Stdout);
            }
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        Assert.False(Directory.EnumerateFiles(r.Root, "escaped", SearchOption.AllDirectories).Any());
        Assert.Equal("host", File.ReadAllText(Path.Combine(r.Root, "host-marker")));
    }

    [Fact]
    public void CwdThroughProcSelfFdIsRefusedWithItsReason()
    {
        using TestRuntime r = TestRuntime.Edge();
        using var bundle = new TestBundle("true");
        bundle.Process["cwd"] = "/proc/self/fd/4";
        bundle.Save();
        ProcessResult result = r.Run(bundle, Id("cwdwhy", "edge"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("edge: create cwd `/proc/self/fd/4`: too many levels of symbolic links\n", result.Stderr);
    }

    // ---- CVE-2025-52881 --------------------------------------------------------------------------------

    /// <summary>
    /// The image's /proc/sys/net/ipv4/ip_forward is a symlink to a host-wide sysctl, reachable through a
    /// second procfs the config mounts elsewhere, and no procfs covers /proc. A runtime that writes the spec's
    /// sysctl through the container's /proc writes the host's sysctl; edge writes through its own procfs
    /// handle, so the container's own (network-namespaced) ip_forward changes and the host's value stays.
    /// </summary>
    [Fact]
    public void SysctlWritesNeverFollowTheContainersProc()
    {
        string original = File.ReadAllText(HostSysctl).Trim();
        string attack = original == "9" ? "8" : "9";
        string Attack(string runtime)
        {
            using TestRuntime r = TestRuntime.Named(runtime);
            using var bundle = new TestBundle("/bin/sh", "-c", "cat /realproc/sys/net/ipv4/ip_forward");
            string proc = Path.Combine(bundle.Rootfs, "proc");
            Directory.Delete(proc, recursive: true);
            Directory.CreateDirectory(Path.Combine(proc, "sys", "net", "ipv4"));
            Directory.CreateDirectory(Path.Combine(bundle.Rootfs, "realproc"));
            File.CreateSymbolicLink(Path.Combine(proc, "sys", "net", "ipv4", "ip_forward"), "/realproc/sys/kernel/printk_ratelimit");
            var mounts = (JsonArray)bundle.Config["mounts"]!;
            foreach (JsonNode? m in mounts.ToList()) if ((string)m!["destination"]! == "/proc") mounts.Remove(m);
            mounts.Add(new JsonObject { ["destination"] = "/realproc", ["type"] = "proc", ["source"] = "proc" });
            bundle.Linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = attack };
            bundle.Linux["maskedPaths"] = new JsonArray();
            bundle.Linux["readonlyPaths"] = new JsonArray();
            bundle.Save();
            return r.Run(bundle, Id("sysctl", runtime)).Stdout;
        }
        try
        {
            string inside = Attack("edge");
            Assert.Equal(original, File.ReadAllText(HostSysctl).Trim());
            Assert.Equal(attack + "\n", inside); // the container's own ip_forward, in its network namespace

            // Positive control: runc 1.1.5 (before 1.2.8) writes through the container's /proc.
            Attack("runc");
            AssertRuncWasRedirected(attack);
        }
        finally
        {
            File.WriteAllText(HostSysctl, original);
        }
    }

    /// <summary>Nothing may be mounted over procfs, however the destination's path gets there (as runc refuses it).</summary>
    [Theory]
    [InlineData("edge", "/proc/sys")]
    [InlineData("runc", "/proc/sys")]
    [InlineData("edge", "/sneaky/sys")]
    [InlineData("edge-walk", "/sneaky/sys")]
    public void MountsOverProcAreRefused(string runtime, string destination)
    {
        using TestRuntime r = TestRuntime.Named(runtime);
        using var volume = new TempDir("edge-volume-");
        using var bundle = new TestBundle("true");
        File.CreateSymbolicLink(Path.Combine(bundle.Rootfs, "sneaky"), "/proc");
        ((JsonArray)bundle.Config["mounts"]!).Add(new JsonObject { ["destination"] = destination, ["type"] = "bind", ["source"] = volume.Path, ["options"] = new JsonArray("rbind") });
        bundle.Save();
        ProcessResult result = r.Run(bundle, Id("procmount", runtime));
        Assert.NotEqual(0, result.ExitCode);
        if (runtime != "runc")
            Assert.Equal($"edge: mount `{volume.Path}` on `{destination}` (bind): the target is inside /proc (only proc itself, and the files lxcfs emulates, may be mounted there)\n", result.Stderr);
    }

    // ---- CVE-2025-31133 and CVE-2025-52565 ----------------------------------------------------------------

    /// <summary>
    /// The image's /dev/null (no /dev mount in the config) is a symlink to a host-wide sysctl: a runtime that
    /// binds "/dev/null" over masked paths binds that sysctl instead, and the container writes it through a
    /// masked path. edge masks only with the container's real null device and refuses the container.
    /// </summary>
    [Fact]
    public void MaskingNeedsTheRealNullDevice()
    {
        string original = File.ReadAllText(HostSysctl).Trim();
        string attack = original == "7" ? "6" : "7";
        // A masked path this kernel has (the attack writes to it after masking bound the "null device" there).
        string masked = new[] { "/proc/timer_list", "/proc/keys", "/proc/sched_debug" }.First(File.Exists);
        ProcessResult Attack(string runtime)
        {
            using TestRuntime r = TestRuntime.Named(runtime);
            using var bundle = new TestBundle("/bin/sh", "-c", $"echo {attack} > {masked}");
            string dev = Path.Combine(bundle.Rootfs, "dev");
            Directory.Delete(dev, recursive: true);
            Directory.CreateDirectory(dev);
            File.CreateSymbolicLink(Path.Combine(dev, "null"), HostSysctl);
            var mounts = (JsonArray)bundle.Config["mounts"]!;
            foreach (JsonNode? m in mounts.ToList()) if (((string)m!["destination"]!).StartsWith("/dev", StringComparison.Ordinal)) mounts.Remove(m);
            bundle.Linux["maskedPaths"] = new JsonArray(masked);
            bundle.Linux["readonlyPaths"] = new JsonArray();
            bundle.Save();
            return r.Run(bundle, Id("null", runtime));
        }
        try
        {
            ProcessResult edge = Attack("edge");
            Assert.Equal(original, File.ReadAllText(HostSysctl).Trim());
            Assert.Equal($"edge: mask `{masked}`: the container's /dev/null is not the null device (char 1:3)\n", edge.Stderr);

            Attack("runc"); // positive control: runc 1.1.5 predates the fix
            AssertRuncWasRedirected(attack);
        }
        finally
        {
            File.WriteAllText(HostSysctl, original);
        }
    }

    /// <summary>
    /// The image's /dev/console, or its /dev/pts, is a symlink into procfs (the config mounts no /dev, only
    /// devpts at /dev/pts): neither the terminal nor devpts may be bound there, and the host's sysctl stays.
    /// </summary>
    [Theory]
    [InlineData("console", "edge: set up the terminal (/dev/ptmx, /dev/console): too many levels of symbolic links\n")]
    [InlineData("pts", "edge: mount `devpts` on `/dev/pts` (devpts): the target is inside /proc (only proc itself, and the files lxcfs emulates, may be mounted there)\n")]
    public void TerminalsAreNeverBoundThroughASymlink(string link, string error)
    {
        string original = File.ReadAllText(HostSysctl).Trim();
        using TestRuntime r = TestRuntime.Edge();
        using var receiver = new ConsoleReceiver();
        using var bundle = new TestBundle("true");
        string dev = Path.Combine(bundle.Rootfs, "dev");
        Directory.CreateDirectory(dev);
        File.CreateSymbolicLink(Path.Combine(dev, link), link == "console" ? HostSysctl : "/proc/sys/kernel");
        var mounts = (JsonArray)bundle.Config["mounts"]!;
        foreach (JsonNode? m in mounts.ToList()) if ((string)m!["destination"]! == "/dev") mounts.Remove(m);
        bundle.Linux["maskedPaths"] = new JsonArray(); // no /dev/null in this /dev to mask with
        bundle.Process["terminal"] = true;
        bundle.Save();
        System.Threading.Tasks.Task<(FileStream Master, string Name)> received = receiver.ReceiveAsync();
        ProcessResult create = r.Detached("create", "--console-socket", receiver.SocketPath, "--bundle", bundle.Path, Id("tty-" + link, "edge"));
        Assert.Equal(1, create.ExitCode);
        Assert.Equal(error, create.Stderr);
        Assert.Equal(original, File.ReadAllText(HostSysctl).Trim());
        Assert.False(received.IsCompletedSuccessfully); // the master was never sent
    }

    // ---- a config without a mount namespace --------------------------------------------------------------

    /// <summary>
    /// Without a mount namespace in config.json the container shares the host's mount table: the runtime
    /// must chroot, and never pivot_root that table (which would move the host's root). The host's root and
    /// its mount table, as a new process sees them, are the same before and after the container ran. (runc
    /// 1.1.5 is no control here: it chroots, but bind-mounts /dev's nodes into the host's mount table, then
    /// fails to open /proc/self/fd in the chroot; docs/security.md.)
    /// </summary>
    [Theory]
    [InlineData("edge")]
    public void NoMountNamespaceLeavesTheHostsRootAlone(string runtime)
    {
        using TestRuntime r = TestRuntime.Named(runtime);
        using var bundle = new TestBundle("/bin/sh", "-c", "cat /etc/hostname-inside; ls /");
        File.WriteAllText(Path.Combine(bundle.Rootfs, "etc", "hostname-inside"), "inside\n");
        var namespaces = (JsonArray)bundle.Linux["namespaces"]!;
        foreach (JsonNode? ns in namespaces.ToList()) if ((string)ns!["type"]! == "mount") namespaces.Remove(ns);
        bundle.Config["mounts"] = new JsonArray();
        bundle.Linux["maskedPaths"] = new JsonArray();
        bundle.Linux["readonlyPaths"] = new JsonArray();
        bundle.Config["root"]!["readonly"] = false;
        bundle.Save();
        string rootBefore = HostView();
        string id = Id("nomnt", runtime);
        ProcessResult create = r.Detached("create", "--bundle", bundle.Path, id);
        Assert.True(create.ExitCode == 0, create.ToString());
        try
        {
            Assert.Equal(rootBefore, HostView());
            Assert.Equal(0, r.Detached("start", id).ExitCode);
            WaitStopped(r, id, TimeSpan.FromSeconds(10));
        }
        finally
        {
            r.Cli("delete", "--force", id);
        }
        Assert.Equal(rootBefore, HostView());
        ProcessResult run = r.Run(bundle, Id("nomntrun", runtime));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("inside\n", run.Stdout);
        Assert.Equal(rootBefore, HostView());
    }

    /// <summary>What a new process on the host sees as / and its mounts.</summary>
    private static string HostView()
    {
        ProcessResult view = EdgeProcess.Run("sh", new[] { "-c", "ls /; wc -l < /proc/self/mountinfo; readlink /proc/self/root" });
        return view.Stdout;
    }

    [Theory]
    [InlineData("mounts", "config.json: $.mounts: mounting needs a mount namespace (add {\"type\": \"mount\"} to $.linux.namespaces)")]
    [InlineData("maskedPaths", "config.json: $.linux.maskedPaths: masking paths needs a mount namespace (add {\"type\": \"mount\"} to $.linux.namespaces)")]
    public void MountsWithoutAMountNamespaceAreRefused(string keep, string error)
    {
        using TestRuntime r = TestRuntime.Edge();
        using var bundle = new TestBundle("true");
        var namespaces = (JsonArray)bundle.Linux["namespaces"]!;
        foreach (JsonNode? ns in namespaces.ToList()) if ((string)ns!["type"]! == "mount") namespaces.Remove(ns);
        if (keep != "mounts") bundle.Config["mounts"] = new JsonArray();
        if (keep != "maskedPaths") bundle.Linux["maskedPaths"] = new JsonArray();
        bundle.Linux["readonlyPaths"] = new JsonArray();
        bundle.Config["root"]!["readonly"] = false;
        bundle.Save();
        string before = HostView();
        ProcessResult result = r.Run(bundle, Id("nomnt-" + keep, "edge"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {error}\n", result.Stderr);
        Assert.Equal(before, HostView());
    }

    // ---- kill -9 of create and run -----------------------------------------------------------------------

    /// <summary>
    /// `edge create` and `edge run` killed at moments spread over their whole run: no init may survive its
    /// creator unless the container was recorded (PR_SET_PDEATHSIG, end of file on the sync socket), and
    /// `delete --force` of every id, or a new create of the same id, leaves no cgroup and no state behind.
    /// </summary>
    [Theory]
    [InlineData("create")]
    [InlineData("run")]
    public void KilledCreateLeavesNoInitAndNoCgroup(string verb)
    {
        using TestRuntime r = TestRuntime.Edge();
        using var bundle = new TestBundle("sleep", "1000");
        bundle.Save();
        string marker = $"EDGE_KILL_TEST={Guid.NewGuid():N}";
        var ids = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            string id = Id($"kill{i}", verb);
            ids.Add(id);
            var info = new ProcessStartInfo(EdgeProcess.Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (string a in new[] { "--root", r.Root, verb, "--bundle", bundle.Path, id }) info.ArgumentList.Add(a);
            info.Environment["EDGE_KILL_TEST"] = marker[(marker.IndexOf('=') + 1)..];
            using Process p = Process.Start(info)!;
            System.Threading.Thread.Sleep(i % 12 * 2); // 0 to 22 ms: before, during and after the clone
            try { p.Kill(); } catch (InvalidOperationException) { } // it may have finished
            p.WaitForExit(10_000);
        }

        // Inits that lost their creator before it recorded them die at once (SIGKILL, or end of file).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        List<int> orphans;
        while ((orphans = Unrecorded(r, marker)).Count > 0 && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(50);
        Assert.True(orphans.Count == 0, "inits left running without a container record: " + string.Join(' ', orphans));

        // Half the ids go with `delete --force`; for the other half a new create takes over what a create
        // killed before its init existed left, and refuses only an id whose container was recorded (as runc).
        for (int i = 0; i < ids.Count; i++)
        {
            string id = ids[i];
            if (i % 2 == 0)
            {
                Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
                continue;
            }
            ProcessResult again = r.Detached("create", "--bundle", bundle.Path, id);
            if (again.ExitCode != 0)
            {
                Assert.Equal($"edge: container with id exists: {id}\n", again.Stderr);
                Assert.True(JsonNode.Parse(r.Cli("state", id).Stdout)!["status"]!.GetValue<string>() is "created" or "running" or "stopped");
                Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
                again = r.Detached("create", "--bundle", bundle.Path, id);
            }
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
        }
        Assert.DoesNotContain(Directory.GetDirectories(r.Root), d => !Path.GetFileName(d).StartsWith('@'));
        Assert.Empty(Unrecorded(r, marker));
        var left = new HashSet<string>(ids);
        foreach (string hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
            foreach (string dir in Directory.EnumerateDirectories(hierarchy, "*", SearchOption.AllDirectories))
                Assert.False(left.Contains(Path.GetFileName(dir)), $"cgroup {dir} left behind");
    }

    /// <summary>Processes started by the test's killed verbs (they carry its marker) that no container record names.</summary>
    private static List<int> Unrecorded(TestRuntime r, string marker)
    {
        var recorded = new HashSet<int>();
        foreach (string dir in Directory.GetDirectories(r.Root))
        {
            string state = Path.Combine(dir, "state");
            if (!File.Exists(state)) continue;
            foreach (string line in File.ReadAllLines(state))
                if (line.StartsWith("pid=", StringComparison.Ordinal) && int.TryParse(line[4..], out int pid)) recorded.Add(pid);
        }
        var found = new List<int>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid) || recorded.Contains(pid)) continue;
            try
            {
                string environ = File.ReadAllText(Path.Combine(proc, "environ"));
                string status = File.ReadAllText(Path.Combine(proc, "status"));
                if (environ.Contains(marker, StringComparison.Ordinal) && !status.Contains("State:\tZ", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    // ---- AppArmor and SELinux ----------------------------------------------------------------------------

    /// <summary>A config asking for confinement this host cannot give is refused, never run unconfined (as runc).</summary>
    [Theory]
    [InlineData("edge", "apparmorProfile", "docker-default")]
    [InlineData("runc", "apparmorProfile", "docker-default")]
    [InlineData("edge", "selinuxLabel", "system_u:system_r:container_t:s0")]
    [InlineData("runc", "selinuxLabel", "system_u:system_r:container_t:s0")]
    public void ConfinementTheHostLacksIsRefused(string runtime, string field, string value)
    {
        bool hostHasIt = field == "apparmorProfile" ? Edge.Runtime.Lsm.AppArmorEnabled : Edge.Runtime.Lsm.SelinuxEnabled;
        using TestRuntime r = TestRuntime.Named(runtime);
        using var bundle = new TestBundle("cat", "/proc/self/attr/current");
        // Where the host has the module, a profile it does not know is refused all the same.
        bundle.Process[field] = hostHasIt ? "edge-test-no-such-profile" : value;
        bundle.Save();
        ProcessResult result = r.Run(bundle, Id("lsm", runtime));
        Assert.NotEqual(0, result.ExitCode);
        if (hostHasIt)
        {
            if (field == "apparmorProfile")
            {
                bundle.Process[field] = "unconfined";
                bundle.Save();
                ProcessResult unconfined = r.Run(bundle, Id("lsm2", runtime));
                Assert.True(unconfined.ExitCode == 0, unconfined.ToString());
                Assert.StartsWith("unconfined", unconfined.Stdout);
            }
            return;
        }
        if (runtime == "edge")
        {
            string module = field == "apparmorProfile" ? "AppArmor" : "SELinux";
            Assert.Equal($"edge: config.json: $.process.{field}: \"{value}\" is set, but {module} is not enabled on this host\n", result.Stderr);
            // features tells what edge implements, whatever the host has (features-linux.md).
            JsonNode features = JsonNode.Parse(EdgeProcess.Edge("features").Stdout)!;
            Assert.True((bool)features["linux"]![field == "apparmorProfile" ? "apparmor" : "selinux"]!["enabled"]!);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static void WaitStopped(TestRuntime r, string id, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            ProcessResult state = r.Cli("state", id);
            if (state.ExitCode != 0 || (string?)JsonNode.Parse(state.Stdout)!["status"] == "stopped") return;
            System.Threading.Thread.Sleep(100);
        }
        throw new TimeoutException($"{id} still running after {limit}");
    }

    /// <summary>The positive control: runc before 1.2.8 lets the attack write VALUE to the host's sysctl (restored by the caller).</summary>
    private static void AssertRuncWasRedirected(string value) =>
        Assert.True(File.ReadAllText(HostSysctl).Trim() == value || RuncIsAtLeast(1, 2, 8),
            "runc 1.1.5 should have been redirected: the attack in this test is not the real one");

    private static bool RuncIsAtLeast(int major, int minor, int patch)
    {
        string version = EdgeProcess.Run("runc", new[] { "--version" }).Stdout.Split('\n')[0]; // "runc version 1.1.5+ds1"
        var match = System.Text.RegularExpressions.Regex.Match(version, @"(\d+)\.(\d+)\.(\d+)");
        var found = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value));
        return found.CompareTo((major, minor, patch)) >= 0;
    }
}
