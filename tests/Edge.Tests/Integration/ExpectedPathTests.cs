using System.Collections.Generic;
using System.IO;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>
/// The lifecycle's usual paths throw no exception, also handled ones: an expected condition (an optional file
/// that is missing) must be a return value. A throw costs time and maps the unwinder's pages into every `run`
/// (bench/results/size.md, seventh round: a missing /etc/passwd cost 264 KiB of peak RSS). `--debug` reports
/// every exception thrown as "exception thrown: TYPE: MESSAGE", which these tests look for.
/// </summary>
[Collection("containers")]
public class ExpectedPathTests
{
    private static string Id(string name) => $"expected-{name}-{System.Environment.ProcessId}";

    /// <summary>VERB succeeded; its --debug lines that report a throw are added to THROWN.</summary>
    private static void Check(List<string> thrown, string verb, ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, $"{verb}: {result}");
        foreach (string line in result.Stderr.Split('\n'))
            if (line.Contains("exception thrown")) thrown.Add($"{verb}: {line}");
    }

    /// <summary>The walk a client makes, each verb with --debug; the lines that report a throw, by verb, and what
    /// `list` printed while the container ran.</summary>
    private static List<string> Walk(TestRuntime r, string name, out string listed)
    {
        using var once = new TestBundle("/bin/true");
        once.Save();
        using var sleeper = new TestBundle("/bin/sleep", "100");
        sleeper.Save();
        string id = Id(name);
        var thrown = new List<string>();
        void Verb(string verb, ProcessResult result) => Check(thrown, verb, result);
        Verb("run", r.Cli("--debug", "run", "--bundle", once.Path, id + "-run"));
        Verb("create", r.Detached("--debug", "create", "--bundle", sleeper.Path, id));
        try
        {
            Verb("start", r.Cli("--debug", "start", id));
            Verb("state", r.Cli("--debug", "state", id));
            ProcessResult list = r.Cli("--debug", "list");
            Verb("list", list);
            listed = list.Stdout;
            Verb("ps", r.Cli("--debug", "ps", id));
            Verb("exec", r.Cli("--debug", "exec", id, "/bin/true"));
            Verb("pause", r.Cli("--debug", "pause", id));
            Verb("resume", r.Cli("--debug", "resume", id));
            Verb("events", r.Cli("--debug", "events", "--stats", id));
            Verb("kill", r.Cli("--debug", "kill", id, "KILL"));
        }
        finally
        {
            Verb("delete", r.Cli("--debug", "delete", "--force", id));
        }
        return thrown;
    }

    [Fact]
    public void TheLifecycleThrowsNothing()
    {
        using TestRuntime r = TestRuntime.Edge();
        Assert.Empty(Walk(r, "host", out string listed));
        Assert.Contains(" root\n", listed); // OWNER, from the host's /etc/passwd
    }

    /// <summary>A small device may have no /etc/passwd (the owner name of `list` falls back to "#UID").</summary>
    [Fact]
    public void TheLifecycleThrowsNothingWithoutEtcPasswd()
    {
        using var dir = new TempDir("edge-etc-");
        string etc = dir.Combine("etc");
        Assert.Equal(0, EdgeProcess.Run("cp", new[] { "-a", "/etc/.", etc + "/" }).ExitCode);
        File.Delete(Path.Combine(etc, "passwd"));
        // edge, run in a mount namespace of its own where /etc is the copy without passwd.
        string wrapper = dir.Combine("edge");
        File.WriteAllText(wrapper, "#!/bin/sh\nexec unshare -m --propagation private sh -c 'mount --bind \"$0\" /etc && exec \"$@\"' "
            + $"'{etc}' '{EdgeProcess.Binary}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using TestRuntime r = TestRuntime.FromCopy("edge", wrapper);
        Assert.Empty(Walk(r, "nopasswd", out string listed));
        Assert.Contains(" #0\n", listed);
    }

    /// <summary>The image path a user of `edge run IMAGE` takes: load an archive, list, run twice (the second
    /// time from the snapshots the first one unpacked), remove.</summary>
    [Fact]
    public void TheImagePathThrowsNothing()
    {
        using var store = new TestStore();
        string state = store.Combine("state");
        var thrown = new List<string>();
        void Verb(string verb, params string[] args)
        {
            var all = new List<string> { "--debug", "--root", state };
            all.AddRange(args);
            Check(thrown, verb, store.Edge(all.ToArray()));
        }
        Verb("load", "load", SampleImages.Archive);
        Verb("images", "images");
        Verb("run", "run", "--rm", SampleImages.Name, "true");
        Verb("run again", "run", "--rm", SampleImages.Name, "true");
        Verb("rmi", "rmi", SampleImages.Name);
        Assert.Empty(thrown);
    }

    /// <summary>The check itself: a verb that fails on a throw reports it under --debug.</summary>
    [Fact]
    public void DebugReportsAThrow()
    {
        using var bundle = new TestBundle("/bin/true");
        File.WriteAllText(bundle.ConfigPath, "{\"ociVersion\": 5");
        using TestRuntime r = TestRuntime.Edge();
        ProcessResult create = r.Cli("--debug", "create", "--bundle", bundle.Path, Id("bad"));
        Assert.Equal(1, create.ExitCode);
        Assert.Contains("edge: debug: exception thrown: OciFormatException: ", create.Stderr);
        Assert.DoesNotContain("exception thrown", r.Cli("create", "--bundle", bundle.Path, Id("bad")).Stderr);
    }
}
