using System.Linq;
using Edge.Cli;
using Edge.Cli.CommandLine;
using Xunit;

namespace Edge.Tests.Cli;

/// <summary>The parser accepts what containerd, podman and runc scripts pass.</summary>
public class ArgParserTests
{
    private static readonly CommandSpec Create = new()
    {
        Name = "create", Summary = "", Usage = "<id>", MinArgs = 1, MaxArgs = 1,
        Options = new[]
        {
            OptionSpec.Value("bundle", "DIR", "", "b"), OptionSpec.Value("pid-file", "F", ""), OptionSpec.Flag("no-pivot", ""),
        },
        Run = _ => 0,
    };

    private static readonly CommandSpec Exec = new()
    {
        Name = "exec", Summary = "", MinArgs = 1, RawArgsAfter = 1,
        Options = new[] { OptionSpec.Flag("tty", "", "t"), OptionSpec.List("env", "K=V", "", "e"), OptionSpec.Value("cwd", "DIR", "") },
        Run = _ => 0,
    };

    private static readonly CommandSpec Restore = new()
    {
        Name = "restore", Summary = "", MinArgs = 1, MaxArgs = 1,
        Options = new[] { OptionSpec.Flag("no-subreaper", ""), OptionSpec.Value("image-path", "DIR", "") },
        Run = _ => 0,
    };

    private static ParseResult Parse(params string[] args) =>
        ArgParser.Parse(args, EdgeCli.GlobalOptions, name => new[] { Create, Exec, Restore }.FirstOrDefault(c => c.Name == name));

    [Fact]
    public void EveryVerbInHelpsListResolvesToItself()
    {
        // The verb table is a name list plus a lookup (so that only the verb called is initialised): they must agree.
        Assert.Equal(EdgeCli.Names.Length, EdgeCli.Names.Distinct().Count());
        foreach (string name in EdgeCli.Names)
            Assert.Equal(name, EdgeCli.Find(name)?.Name);
        Assert.Equal("help", EdgeCli.Find("h")?.Name);
        Assert.Null(EdgeCli.Find("nosuchverb"));
    }

    [Fact]
    public void RunsImageFlagsAreDefinedOnceAndAreExactlyTheImageOptions()
    {
        // An image flag decides that `run` is an image run: the list is the options themselves.
        CommandSpec run = EdgeCli.Find("run")!;
        OptionSpec[] imageOptions = run.Options.Where(o => o.Help.StartsWith("image: ", System.StringComparison.Ordinal)).ToArray();
        Assert.Equal(imageOptions, Edge.Cli.Commands.RunCommand.ImageOptions);
        // The help text spells the list out (building it at start-up cost every run): it must be this one, in order.
        string listed = string.Join(", ", imageOptions.Select(o => o.Short is { } s ? "-" + s : "--" + o.Name)) + ".";
        string description = System.Text.RegularExpressions.Regex.Replace(run.Description!, @"\s+", " ");
        Assert.Contains(" " + listed + " ", description);
    }

    [Fact]
    public void ContainerdShimCallLine()
    {
        ParseResult r = Parse("--root", "/run/containerd/runc/k8s.io", "--log", "/b/log.json", "--log-format", "json", "--systemd-cgroup",
            "create", "--bundle", "/b", "--pid-file", "/b/init.pid", "c1");
        Assert.Equal("/run/containerd/runc/k8s.io", r.Global.Get("root"));
        Assert.Equal("json", r.Global.Get("log-format"));
        Assert.True(r.Global.Flag("systemd-cgroup"));
        Assert.Equal("create", r.Command!.Name);
        Assert.Equal("/b", r.Options.Get("bundle"));
        Assert.Equal(new[] { "c1" }, r.Args);
    }

    [Fact]
    public void SingleDashLongOptionsAndEqualsForms()
    {
        ParseResult r = Parse("-root=/tmp/r", "create", "-b=/x", "-no-pivot", "c2");
        Assert.Equal("/tmp/r", r.Global.Get("root"));
        Assert.Equal("/x", r.Options.Get("bundle"));
        Assert.True(r.Options.Flag("no-pivot"));
    }

    [Fact]
    public void RestoreAcceptsOneDashNoSubreaper()
    {
        ParseResult r = Parse("restore", "-no-subreaper", "--image-path", "/ckpt", "c3");
        Assert.True(r.Options.Flag("no-subreaper"));
        Assert.Equal(new[] { "c3" }, r.Args);
    }

    [Fact]
    public void BooleanFlagsTakeExplicitValues()
    {
        ParseResult r = Parse("create", "--no-pivot=false", "c");
        Assert.False(r.Options.Flag("no-pivot"));
        Assert.Throws<UsageException>(() => Parse("create", "--no-pivot=maybe", "c"));
    }

    [Fact]
    public void OptionsMayFollowTheId()
    {
        ParseResult r = Parse("create", "c4", "--bundle", "/y");
        Assert.Equal("/y", r.Options.Get("bundle"));
        Assert.Equal(new[] { "c4" }, r.Args);
    }

    [Fact]
    public void ExecPassesEverythingAfterTheIdThrough()
    {
        ParseResult r = Parse("exec", "-t", "-e", "A=1", "--env", "B=2", "c5", "ls", "-la", "--cwd", "/");
        Assert.True(r.Options.Flag("tty"));
        Assert.Equal(new[] { "A=1", "B=2" }, r.Options.GetAll("env"));
        Assert.False(r.Options.Has("cwd"));
        Assert.Equal(new[] { "c5", "ls", "-la", "--cwd", "/" }, r.Args);
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        ParseResult r = Parse("exec", "c6", "--", "sh", "-c", "true");
        Assert.Equal(new[] { "c6", "sh", "-c", "true" }, r.Args);
    }

    [Theory]
    [InlineData(new[] { "--bogus", "create", "c" }, "flag provided but not defined: -bogus")]
    [InlineData(new[] { "create", "--bogus", "c" }, "create: flag provided but not defined: -bogus")]
    [InlineData(new[] { "create" }, "\"create\" requires exactly 1 argument(s)")]
    [InlineData(new[] { "create", "a", "b" }, "\"create\" requires exactly 1 argument(s)")]
    [InlineData(new[] { "create", "--bundle" }, "flag needs an argument: -bundle")]
    [InlineData(new[] { "frobnicate" }, "no such command \"frobnicate\" (see 'edge help')")]
    public void BadCommandLinesSayWhatIsWrong(string[] args, string message)
    {
        var ex = Assert.Throws<UsageException>(() => Parse(args));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void HelpAndVersionFlags()
    {
        Assert.True(Parse("--help").HelpRequested);
        Assert.True(Parse("-v").VersionRequested);
        ParseResult r = Parse("create", "--help");
        Assert.True(r.HelpRequested);
        Assert.Equal("create", r.Command!.Name);
        Assert.True(Parse().HelpRequested);
    }
}
