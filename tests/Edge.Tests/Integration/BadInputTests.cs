using System.IO;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>Bad bundles and misuse: one clear line, exit 1, and nothing left behind.</summary>
[Collection("containers")]
public class BadInputTests
{
    private static string Id(string name) => $"bad-{name}-{System.Environment.ProcessId}";

    private static void AssertCleanFailure(TestRuntime r, ProcessResult result, string expectedError)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("edge: " + expectedError + "\n", result.Stderr);
        Assert.Empty(Directory.GetDirectories(r.Root));
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void MissingBundle()
    {
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", "/nonexistent/bundle", Id("nobundle")), "bundle `/nonexistent/bundle`: no such directory");
    }

    [Fact]
    public void MalformedConfigNamesPathAndLine()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Save();
        string text = File.ReadAllText(bundle.ConfigPath).Replace("\"args\": [\n      \"/bin/true\"\n    ]", "\"args\": \"/bin/true\"");
        File.WriteAllText(bundle.ConfigPath, text);
        int line = System.Array.FindIndex(text.Split('\n'), l => l.Contains("\"args\"")) + 1;
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", bundle.Path, Id("config")),
            $"{bundle.ConfigPath}: $.process.args: expected array of strings, got string (line {line})");
    }

    [Fact]
    public void UnknownCapability()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Process["capabilities"]!["bounding"]!.AsArray().Add("CAP_FLY");
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", bundle.Path, Id("cap")),
            "config.json: $.process.capabilities.bounding[3]: unknown capability \"CAP_FLY\"");
    }

    [Fact]
    public void MissingProgramFailsCreate()
    {
        using var bundle = new TestBundle("/no/such/program");
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", bundle.Path, Id("noprog")), "exec: \"/no/such/program\": no such file or directory");
    }

    [Fact]
    public void RelativeMountDestinationIsRefused()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "data", ["type"] = "tmpfs", ["source"] = "tmpfs" });
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", bundle.Path, Id("reldest")),
            "config.json: $.mounts[7].destination: must be an absolute path, got \"data\"");
    }

    /// <summary>
    /// A symlink in the rootfs pointing at the host cannot carry a mount target out of the rootfs: with openat2,
    /// and with the init's component walk for kernels before it (the same rule: links resolve inside the root).
    /// </summary>
    [Theory]
    [InlineData("/evil/inside", "evil", false)]
    [InlineData("/../../../../evil2/inside", "evil2", false)]
    [InlineData("/evil/inside", "evil", true)]
    [InlineData("/../../../../evil2/inside", "evil2", true)]
    public void MountTargetsStayInsideTheRootfs(string destination, string link, bool withoutOpenat2)
    {
        using var outside = new TempDir("edge-outside-");
        using var bundle = new TestBundle("/bin/sh", "-c", "ls -d /" + link + "/inside");
        File.CreateSymbolicLink(Path.Combine(bundle.Rootfs, link), outside.Path);
        bundle.Config["root"]!["readonly"] = false;
        bundle.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = destination, ["type"] = "tmpfs", ["source"] = "tmpfs" });
        bundle.Save();
        using TestRuntime r = withoutOpenat2 ? TestRuntime.EdgeWithoutOpenat2() : TestRuntime.Edge();
        ProcessResult run = r.Run(bundle, Id("escape-" + link + (withoutOpenat2 ? "-walk" : "")));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(outside.Path));
        // The target was created inside the rootfs, where the link resolves when the rootfs is the root.
        Assert.True(Directory.Exists(Path.Combine(bundle.Rootfs, outside.Path.TrimStart('/'), "inside")));
    }

    [Fact]
    public void IdInUseAndSecondStart()
    {
        using var bundle = new TestBundle("/bin/sh", "-c", "sleep 10");
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("twice");
        Assert.Equal(0, r.Detached("create", "--bundle", bundle.Path, id).ExitCode);
        ProcessResult again = r.Detached("create", "--bundle", bundle.Path, id);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"edge: container with id exists: {id}\n", again.Stderr);
        Assert.Equal("created", System.Text.Json.JsonDocument.Parse(r.Cli("state", id).Stdout).RootElement.GetProperty("status").GetString());

        Assert.Equal(0, r.Detached("start", id).ExitCode);
        ProcessResult second = r.Detached("start", id);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal("edge: cannot start an already running container\n", second.Stderr);
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
        Assert.Empty(Directory.GetDirectories(r.Root));
    }

    [Fact]
    public void KillErrorsUseRuncsWords()
    {
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult missing = r.Cli("kill", Id("ghost"), "KILL");
        Assert.Equal($"edge: container \"{Id("ghost")}\" does not exist\n", missing.Stderr);
        ProcessResult badSignal = r.Cli("kill", Id("ghost"), "SIGFOO");
        Assert.Equal("edge: unknown signal \"SIGFOO\"\n", badSignal.Stderr);
        Assert.Equal(0, r.Cli("delete", "--force", Id("ghost")).ExitCode); // --force on a missing id is fine
    }

    [Fact]
    public void ForceDeleteClearsWhatAnInterruptedCreateLeft()
    {
        using TestRuntime r = TestRuntime.Edge();
        string id = Id("halfway");
        Directory.CreateDirectory(Path.Combine(r.Root, id)); // as a `create` killed before writing its record
        Assert.Equal($"edge: container \"{id}\" does not exist\n", r.Cli("delete", id).Stderr);
        Assert.Equal(0, r.Cli("delete", "--force", id).ExitCode);
        Assert.Empty(Directory.GetDirectories(r.Root));
    }

    [Fact]
    public void HostnameWithoutUtsNamespace()
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Linux["namespaces"] = new JsonArray(new JsonObject { ["type"] = "mount" }, new JsonObject { ["type"] = "pid" });
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", bundle.Path, Id("uts")), "config.json: $.hostname: setting the hostname needs a new uts namespace");
    }

    /// <summary>
    /// The hostname and domain name have fields of their own; as sysctls they are refused (runc and crun refuse
    /// them too), in either spelling. So are names that are not sysctl names, and host-wide sysctls.
    /// </summary>
    [Theory]
    [InlineData("kernel.hostname", "not allowed: set $.hostname instead")]
    [InlineData("kernel/domainname", "not allowed: set $.domainname instead")]
    [InlineData("net/../kernel/core_pattern", "not a sysctl name")]
    [InlineData("net..ipv4", "not a sysctl name")]
    [InlineData("kernel.core_pattern", "sysctl is not in a separate kernel namespace of the container")]
    public void SysctlsOutsideTheContainersOwnAreRefused(string key, string why)
    {
        using var bundle = new TestBundle("/bin/true");
        bundle.Linux["sysctl"] = new JsonObject { [key] = "x" };
        bundle.Save();
        using TestRuntime r = TestRuntime.Edge();
        AssertCleanFailure(r, r.Detached("create", "--bundle", bundle.Path, Id("sysctl")), $"config.json: $.linux.sysctl['{key}']: {why}");
        if (!key.StartsWith("kernel.")) return;
        using TestRuntime runc = TestRuntime.Runc();
        ProcessResult refused = runc.Detached("create", "--bundle", bundle.Path, Id("sysctl-runc"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(key, refused.Stderr);
    }
}
