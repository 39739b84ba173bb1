using System.IO;
using System.Text.Json;
using Edge.Oci.Json;
using Edge.Tests.Reference;
using Edge.Oci.RuntimeSpec;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>The built binary's command line as users and shims see it: output, exit codes, error lines, logs.</summary>
public class CliBinaryTests
{
    [Fact]
    public void VersionHasRuncLayout()
    {
        ProcessResult r = EdgeProcess.Edge("--version");
        Assert.Equal(0, r.ExitCode);
        string[] lines = r.Stdout.TrimEnd().Split('\n');
        Assert.StartsWith("edge version ", lines[0]);
        Assert.StartsWith("commit: ", lines[1]);
        Assert.Equal("spec: 1.2.1", lines[2]);
        Assert.Equal(r.Stdout, EdgeProcess.Edge("-v").Stdout);
    }

    [Fact]
    public void HelpListsVerbsAndGlobalOptions()
    {
        ProcessResult r = EdgeProcess.Edge("help");
        Assert.Equal(0, r.ExitCode);
        foreach (string verb in new[] { "create", "start", "run", "state", "kill", "delete", "list", "exec", "ps", "pause", "resume", "spec", "features" })
            Assert.Contains("\n   " + verb + " ", r.Stdout);
        foreach (string option in new[] { "--root DIR", "--log FILE", "--log-format FORMAT", "--debug", "--systemd-cgroup" })
            Assert.Contains(option, r.Stdout);
        Assert.Equal(r.Stdout, EdgeProcess.Edge().Stdout);
    }

    [Fact]
    public void PerCommandHelp()
    {
        ProcessResult r = EdgeProcess.Edge("spec", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("edge spec - create a new specification file", r.Stdout);
        Assert.Contains("--bundle DIR, -b DIR", r.Stdout);
        Assert.Contains("--rootless", r.Stdout);
        Assert.Equal(r.Stdout, EdgeProcess.Edge("help", "spec").Stdout);
    }

    [Fact]
    public void StateOfUnknownContainerSaysDoesNotExist()
    {
        using var root = new TempDir();
        ProcessResult r = EdgeProcess.Edge("--root", root.Path, "state", "nonexistent");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal("edge: container \"nonexistent\" does not exist\n", r.Stderr);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("sp ace")]
    public void InvalidContainerIdsAreRefused(string id)
    {
        using var root = new TempDir();
        ProcessResult r = EdgeProcess.Edge("--root", root.Path, "state", id);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"edge: invalid container id \"{id}\"", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void UnimplementedVerbSaysSoAndFails()
    {
        ProcessResult r = EdgeProcess.Edge("checkpoint", "--image-path", "/x", "c1");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("edge: checkpoint: not implemented yet in edge ", r.Stderr);
    }

    [Fact]
    public void UnknownFlagIsAOneLineUsageError()
    {
        ProcessResult r = EdgeProcess.Edge("--frob", "state", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("edge: flag provided but not defined: -frob\n", r.Stderr);
    }

    [Fact]
    public void JsonLogGetsOneRecordPerErrorAsShimsReadIt()
    {
        using var dir = new TempDir();
        string log = dir.Combine("log.json");
        ProcessResult r = EdgeProcess.Edge("--root", dir.Path, "--log", log, "--log-format", "json", "state", "ghost");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("edge: container \"ghost\" does not exist\n", r.Stderr);
        string[] lines = File.ReadAllText(log).TrimEnd('\n').Split('\n');
        using JsonDocument record = JsonDocument.Parse(Assert.Single(lines));
        var names = new System.Collections.Generic.List<string>();
        foreach (JsonProperty p in record.RootElement.EnumerateObject()) names.Add(p.Name);
        Assert.Equal(new[] { "level", "msg", "time" }, names);
        Assert.Equal("error", record.RootElement.GetProperty("level").GetString());
        Assert.Equal("container \"ghost\" does not exist", record.RootElement.GetProperty("msg").GetString());
        Assert.True(System.DateTimeOffset.TryParse(record.RootElement.GetProperty("time").GetString(), out _));
    }

    [Fact]
    public void TextLogUsesLogrusLayout()
    {
        using var dir = new TempDir();
        string log = dir.Combine("log.txt");
        EdgeProcess.Edge("--root", dir.Path, "--log", log, "state", "ghost");
        Assert.Matches("^time=\"[^\"]+\" level=error msg=\"container \\\\\"ghost\\\\\" does not exist\"\n$", File.ReadAllText(log));
    }

    /// <summary>A --log that cannot be opened fails the command before it does anything (as runc's does), and
    /// records are appended: two edge processes' records both stay.</summary>
    [Fact]
    public void UnopenableLogFailsAndLogsAreAppended()
    {
        using var dir = new TempDir();
        ProcessResult bad = EdgeProcess.Edge("--root", dir.Path, "--log", dir.Combine("missing/log.json"), "list");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal($"edge: --log `{dir.Combine("missing/log.json")}`: no such file or directory\n", bad.Stderr);
        Assert.Equal("", bad.Stdout);

        string log = dir.Combine("log.json");
        File.WriteAllText(log, "{\"level\":\"info\",\"msg\":\"from the shim\"}\n");
        EdgeProcess.Edge("--root", dir.Path, "--log", log, "--log-format", "json", "state", "ghost");
        EdgeProcess.Edge("--root", dir.Path, "--log", log, "--log-format", "json", "state", "ghost2");
        string[] lines = File.ReadAllText(log).TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Contains("from the shim", lines[0]);
        Assert.Contains("\"msg\":\"container \\\"ghost2\\\" does not exist\"", lines[2]);
    }

    [Fact]
    public void BadLogFormatIsRefused()
    {
        ProcessResult r = EdgeProcess.Edge("--log-format", "xml", "state", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("edge: unknown log-format \"xml\"\n", r.Stderr);
    }

    [Fact]
    public void FeaturesIsAValidFeaturesDocument()
    {
        ProcessResult r = EdgeProcess.Edge("features");
        Assert.Equal(0, r.ExitCode);
        Features features = ReferenceJson.Parse(System.Text.Encoding.UTF8.GetBytes(r.Stdout), OciJsonContext.Default.Features, "features");
        Assert.Equal("1.0.0", features.OciVersionMin);
        Assert.Equal("1.2.1", features.OciVersionMax);
        Assert.Equal(6, features.Hooks!.Count);
        Assert.Contains("CAP_SYS_ADMIN", features.Linux!.Capabilities!);
        Assert.Contains("rbind", features.MountOptions!);
        Assert.Equal(new[] { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" }, features.Linux.Namespaces);
    }

    /// <summary>The binary carries no method names (StackTraceSupport=false): --debug reports a failure's frames
    /// as code addresses, never "at &lt;unknown&gt;", and toolchain/symbolize.py names them with the link map
    /// build.sh writes next to the binary.</summary>
    [Fact]
    public void DebugFailureFramesAreNamedByTheLinkMap()
    {
        using var store = new TempDir();
        ProcessResult load = EdgeProcess.Edge("--debug", "--store", store.Path, "load", "/nonexistent/image.tar");
        Assert.Equal(1, load.ExitCode);
        Assert.Contains("edge: /nonexistent/image.tar: no such file or directory\n", load.Stderr);
        Assert.Contains("Edge.Image.ImageException: /nonexistent/image.tar: no such file or directory\n   at 0x", load.Stderr);
        Assert.DoesNotContain("<unknown>", load.Stderr);
        Assert.DoesNotContain("\n   at 0x", EdgeProcess.Edge("--store", store.Path, "load", "/nonexistent/image.tar").Stderr);

        string map = EdgeProcess.Binary + ".map";
        Assert.True(File.Exists(map), $"{map} is missing: build.sh writes the link map next to the binary");
        ProcessResult named = EdgeProcess.Run("python3",
            new[] { Path.Combine(EdgeProcess.RepoRoot, "toolchain", "symbolize.py"), EdgeProcess.Binary, map }, stdin: load.Stderr);
        Assert.Equal(0, named.ExitCode);
        Assert.DoesNotContain("\n   at 0x", named.Stdout);
        Assert.Matches(@"\n   at Edge_Image_\S+ \+ 0x[0-9a-f]+\n", named.Stdout);
        Assert.Matches(@"\n   at edge_Edge_Cli_EdgeCli__Run \+ 0x[0-9a-f]+", named.Stdout);
    }
}
