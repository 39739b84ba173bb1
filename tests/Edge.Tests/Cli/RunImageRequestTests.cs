using System;
using System.Linq;
using Edge.Cli;
using Edge.Cli.CommandLine;
using Edge.Cli.Commands;
using Edge.Containers;
using Edge.Linux;
using Xunit;

namespace Edge.Tests.Cli;

/// <summary>
/// `edge run IMAGE`'s flags become one <see cref="ImageRunRequest"/>, checked before anything is pulled or
/// made: the command line parses, <see cref="ImageRun"/> runs. No root, no kernel.
/// </summary>
public class RunImageRequestTests
{
    private static ImageRunRequest Request(params string[] args)
    {
        ParseResult parsed = ArgParser.Parse(new[] { "--root", "/state", "--store", "/images", "run" }.Concat(args).ToArray(), EdgeCli.GlobalOptions, EdgeCli.Find);
        var output = new Output();
        var context = new CommandContext
        {
            Command = parsed.Command!,
            Options = parsed.Options,
            Args = parsed.Args,
            Global = new GlobalOptions { Root = "/state", Store = "/images" },
            Output = output,
            Log = new Log(null, LogFormat.Text, false, output),
            Fail = _ => 1,
        };
        return RunImage.Parse(context);
    }

    [Fact]
    public void FlagsBecomeTheRequest()
    {
        ImageRunRequest r = Request("--rm", "--name", "web", "-e", "A=1", "-e", "B", "-v", "/srv:/data:ro", "--user", "10:20",
            "-w", "/tmp", "--read-only", "--net", "host", "--stop-signal", "SIGUSR1", "--stop-timeout", "3", "--platform", "linux/arm64",
            "busybox:1", "sh", "-c", "echo hi");
        Assert.Equal("busybox:1", r.Image);
        Assert.Equal("web", r.Id);
        Assert.Equal(new[] { "sh", "-c", "echo hi" }, r.Options.Command);
        Assert.Equal(new[] { "A=1", "B" }, r.Options.Env);
        Assert.Equal(new[] { "/srv:/data:ro" }, r.Options.Volumes);
        Assert.Equal("10:20", r.Options.User);
        Assert.Equal("/tmp", r.Options.WorkingDir);
        Assert.True(r.Options.ReadOnly);
        Assert.Equal("host", r.Options.Network);
        Assert.True(r.RemoveOnExit);
        Assert.False(r.Detach);
        Assert.Equal(Signals.SIGUSR1, r.StopSignal);
        Assert.Equal(3, r.StopTimeoutSeconds);
        Assert.Equal("linux/arm64", r.Platform?.ToString());
        Assert.Equal("/state", r.StateRoot);
        Assert.Equal("/images", r.StoreRoot);
    }

    [Fact]
    public void DefaultsDeferToTheImageAndTheHost()
    {
        ImageRunRequest r = Request("--rm", "busybox");
        Assert.Null(r.StopSignal); // the image's StopSignal, else SIGTERM
        Assert.Equal(10, r.StopTimeoutSeconds);
        Assert.Null(r.Platform); // the host's
        Assert.Empty(r.Options.Command);
        Assert.Equal("private", r.Options.Network);
        Assert.StartsWith("edge-", r.Id);
    }

    [Theory]
    [InlineData(new[] { "--rm", "-d", "busybox" }, "--rm with --detach")]
    [InlineData(new[] { "--name", "../x", "busybox" }, "invalid container name \"../x\"")]
    [InlineData(new[] { "--stop-signal", "SIGNOPE", "busybox" }, "stop signal \"SIGNOPE\" is not a signal")]
    [InlineData(new[] { "--stop-timeout", "-1", "busybox" }, "--stop-timeout \"-1\"")]
    [InlineData(new[] { "--sd-notify", "maybe", "busybox" }, "--sd-notify \"maybe\"")]
    public void BadFlagsAreRefusedBeforeAnythingIsMade(string[] args, string message)
    {
        var ex = Assert.Throws<UsageException>(() => Request(args));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
