using System.IO;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>`edge spec` against `runc spec`, and the bundle it writes run by runc and crun.</summary>
public class SpecCommandTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SpecMatchesRuncSpecApartFromVersionAndHostname(bool rootless)
    {
        using var ours = new TempDir();
        using var theirs = new TempDir();
        string[] extra = rootless ? new[] { "--rootless" } : System.Array.Empty<string>();
        Assert.Equal(0, EdgeProcess.Edge([.. new[] { "spec", "--bundle", ours.Path }, .. extra]).ExitCode);
        ProcessResult runc = EdgeProcess.Run("runc", [.. new[] { "spec", "--bundle", theirs.Path }, .. extra]);
        Assert.Equal(0, runc.ExitCode);

        JsonNode edge = JsonNode.Parse(File.ReadAllText(ours.Combine("config.json")))!;
        JsonNode reference = JsonNode.Parse(File.ReadAllText(theirs.Combine("config.json")))!;
        Assert.Equal("1.0.2", (string?)edge["ociVersion"]);
        Assert.Equal("edge", (string?)edge["hostname"]);
        edge["ociVersion"] = reference["ociVersion"]!.DeepClone();
        edge["hostname"] = reference["hostname"]!.DeepClone();
        Assert.True(JsonNode.DeepEquals(reference, edge), $"edge:\n{edge}\nrunc:\n{reference}");
    }

    /// <summary>
    /// The starter configs of edge, runc and crun (and what `edge run IMAGE` writes, via the sample test
    /// elsewhere) read with edge's config.json reader as System.Text.Json's serializer reads them.
    /// </summary>
    [Theory]
    [InlineData("edge", false)]
    [InlineData("edge", true)]
    [InlineData("runc", false)]
    [InlineData("runc", true)]
    [InlineData("crun", false)]
    [InlineData("crun", true)]
    public void StarterConfigsReadAsTheSerializerReadsThem(string tool, bool rootless)
    {
        using var dir = new TempDir();
        string[] args = rootless ? new[] { "spec", "--rootless" } : new[] { "spec" };
        ProcessResult r = EdgeProcess.Run(tool == "edge" ? EdgeProcess.Binary : tool, args, workingDirectory: dir.Path);
        Assert.Equal(0, r.ExitCode);
        JsonParity.AssertReads(dir.Combine("config.json"));
    }

    [Fact]
    public void SpecRefusesToOverwriteAndLeavesTheFileAlone()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("config.json"), "mine");
        ProcessResult r = EdgeProcess.Edge("spec", "-b", dir.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"edge: spec: `{dir.Combine("config.json")}` already exists; remove it first\n", r.Stderr);
        Assert.Equal("mine", File.ReadAllText(dir.Combine("config.json")));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void SpecIntoMissingBundleFails()
    {
        ProcessResult r = EdgeProcess.Edge("spec", "--bundle", "/nonexistent/bundle");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("edge: spec: bundle `/nonexistent/bundle`: no such directory\n", r.Stderr);
    }

    [Fact]
    public void SpecWritesIntoTheCurrentDirectoryByDefault()
    {
        using var dir = new TempDir();
        ProcessResult r = EdgeProcess.Run(EdgeProcess.Binary, new[] { "spec" }, workingDirectory: dir.Path);
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(dir.Combine("config.json")));
    }

    /// <summary>Differential: runc and crun both run the bundle whose config.json edge wrote.</summary>
    [Theory]
    [InlineData("runc")]
    [InlineData("crun")]
    public void ReferenceRuntimesRunTheBundleEdgeWrote(string runtime)
    {
        using var dir = new TempDir();
        string bundle = dir.Combine("bundle");
        Directory.CreateDirectory(bundle);
        Assert.Equal(0, EdgeProcess.Run("cp", new[] { "-a", Path.Combine(EdgeProcess.SamplesDirectory, "busybox", "rootfs"), bundle }).ExitCode);
        Assert.Equal(0, EdgeProcess.Edge("spec", "--bundle", bundle).ExitCode);

        string configPath = Path.Combine(bundle, "config.json");
        JsonNode config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("/bin/sh", "-c", "echo $(hostname) $(id -u) $$; grep CapEff /proc/self/status");
        File.WriteAllText(configPath, config.ToJsonString());

        string id = $"edge-spec-{runtime}-{System.Environment.ProcessId}";
        ProcessResult r = RunReference(runtime, dir.Combine("state"), bundle, id);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("edge 0 1\nCapEff:\t0000000020000420\n", r.Stdout.Replace("\r", ""));
    }

    /// <summary>crun 1.8 refuses this host's hybrid cgroup layout, so it runs with the cgroup2 mount hidden.</summary>
    internal static ProcessResult RunReference(string runtime, string root, string bundle, string id)
    {
        if (runtime == "crun")
            return EdgeProcess.Run("unshare", new[] { "-m", "--propagation", "private", "sh", "-c",
                $"umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root '{root}' run --bundle '{bundle}' '{id}'" });
        return EdgeProcess.Run("runc", new[] { "--root", root, "run", "--bundle", bundle, id });
    }
}
