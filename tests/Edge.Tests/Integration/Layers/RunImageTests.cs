using System;
using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Layers;

/// <summary>`edge run IMAGE`: the sample image from the store, and pulled from a loopback registry.</summary>
[Collection("containers")]
public class RunImageTests
{
    private static string Name(string what) => $"img-{what}-{Environment.ProcessId}";

    private static ProcessResult Run(TestStore store, params string[] args) =>
        store.Edge(new[] { "--root", store.Combine("state"), "run" }.Concat(args).ToArray());

    [Fact]
    public void RunsTheImagesCommandAndCleansUp()
    {
        using TestStore store = TestStore.WithSampleImage();
        ProcessResult run = Run(store, "--rm", "--name", Name("hello"), SampleImages.Name);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"hello from edge busybox sample image: pid 1, host {Name("hello")[..12]}, uid 0\n", run.Stdout);
        Assert.Empty(Directory.GetDirectories(Path.Combine(store.Root, "containers")));
        Assert.Equal("", LeftoverCheck.Find());
        // The layers were unpacked once, as overlay snapshots keyed by ChainID.
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(store.Root, "snapshots")).Length);
    }

    [Fact]
    public void OptionsReachTheContainer()
    {
        using TestStore store = TestStore.WithSampleImage();
        string shared = store.Combine("shared");
        Directory.CreateDirectory(shared);
        File.WriteAllText(Path.Combine(shared, "from-host"), "host file\n");
        ProcessResult run = Run(store, "--rm", "--name", Name("opts"), "-e", "FOO=bar", "-w", "/home/app", "-u", "app", "--hostname", "box",
            "-v", shared + ":/mnt/shared:ro", SampleImages.Name,
            "sh", "-c", "echo $FOO; pwd; id -u; id -g; id -G; hostname; cat /mnt/shared/from-host; touch /mnt/shared/x 2>/dev/null || echo read-only; exit 7");
        Assert.Equal(7, run.ExitCode);
        Assert.Equal("bar\n/home/app\n1000\n1000\n1000 100\nbox\nhost file\nread-only\n", run.Stdout);
    }

    [Fact]
    public void EntrypointAndReadOnlyRoot()
    {
        using TestStore store = TestStore.WithSampleImage();
        ProcessResult run = Run(store, "--rm", "--name", Name("ro"), "--read-only", "--entrypoint", "/bin/sh", SampleImages.Name,
            "-c", "touch /x 2>/dev/null && echo wrote || echo refused");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("refused\n", run.Stdout);
    }

    [Fact]
    public void WithoutRmTheWritableLayerStaysUntilRm()
    {
        using TestStore store = TestStore.WithSampleImage();
        string name = Name("keep");
        ProcessResult run = Run(store, "--name", name, SampleImages.Name, "sh", "-c", "echo kept > /data");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(store.Root, "containers", name, "upper", "data")));
        Assert.Equal("", LeftoverCheck.Find()); // no mount stays behind

        ProcessResult again = Run(store, "--name", name, SampleImages.Name, "true");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"edge: container name \"{name}\" is already in use (edge rm {name})\n", again.Stderr);

        ProcessResult rm = store.Edge("--root", store.Combine("state"), "rm", name);
        Assert.Equal(name + "\n", rm.Stdout);
        Assert.False(Directory.Exists(Path.Combine(store.Root, "containers", name)));
        Assert.Equal(1, store.Edge("--root", store.Combine("state"), "rm", name).ExitCode);

        // Prune keeps the snapshots of named images and drops them with the image.
        Assert.Equal(0, store.Edge("rmi", SampleImages.Name).ExitCode);
        Assert.Empty(Directory.GetDirectories(Path.Combine(store.Root, "snapshots")));
    }

    [Fact]
    public void BundleRunKeepsRuncMeaningAndImageRunNeedsNoConfig()
    {
        using TestStore store = TestStore.WithSampleImage();
        using var bundle = new TestBundle("/bin/sh", "-c", "echo bundle run");
        bundle.Save();
        // runc's form: one argument, config.json in the bundle.
        ProcessResult byBundle = EdgeProcess.Run(EdgeProcess.Binary, new[] { "--store", store.Root, "--root", store.Combine("state"), "run", Name("bundle") }, workingDirectory: bundle.Path);
        Assert.True(byBundle.ExitCode == 0, byBundle.ToString());
        Assert.Equal("bundle run\n", byBundle.Stdout);
        // No config.json where the bundle would be: the argument is an image.
        string empty = store.Combine("empty");
        Directory.CreateDirectory(empty);
        ProcessResult byImage = EdgeProcess.Run(EdgeProcess.Binary, new[] { "--store", store.Root, "--root", store.Combine("state"), "run", SampleImages.Name }, workingDirectory: empty);
        Assert.True(byImage.ExitCode == 0, byImage.ToString());
        Assert.StartsWith("hello from edge busybox sample image", byImage.Stdout);
        // Its writable layer was kept (no --rm): remove it.
        foreach (string dir in Directory.GetDirectories(Path.Combine(store.Root, "containers")))
            Assert.Equal(0, store.Edge("rm", Path.GetFileName(dir)).ExitCode);
    }

    [Fact]
    public void PullsWhenMissingFromALoopbackRegistry()
    {
        using var registry = LocalRegistry.Open();
        registry.Push(SampleImages.SkopeoSource, "edge/busybox:v1");
        using var store = new TestStore();
        ProcessResult run = Run(store, "--rm", "--name", Name("pull"), $"{registry.Authority}/edge/busybox:v1", "cat", "/app/README");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("edge sample application layer\n", run.Stdout);
        Assert.Single(store.Images());
    }

    [Fact]
    public void UnknownImageAndBadUserAreOneLine()
    {
        using TestStore store = TestStore.WithSampleImage();
        ProcessResult user = Run(store, "--rm", "--name", Name("user"), "-u", "nobody-here", SampleImages.Name);
        Assert.Equal(1, user.ExitCode);
        Assert.Equal("edge: user \"nobody-here\" is not in the image's /etc/passwd\n", user.Stderr);
        Assert.Empty(Directory.GetDirectories(Path.Combine(store.Root, "containers")));
        Assert.Equal("", LeftoverCheck.Find());
    }

    [Fact]
    public void DetachedRunsUntilRmForce()
    {
        using TestStore store = TestStore.WithSampleImage();
        string name = Name("detached");
        ProcessResult run = Run(store, "-d", "--name", name, SampleImages.Name, "sh", "-c", "echo to the log; exec sleep 30");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(name + "\n", run.Stdout); // returned at once: the container's output goes to its log
        string log = Path.Combine(store.Root, "containers", name, "output.log");
        for (int i = 0; i < 50 && !File.ReadAllText(log).Contains("to the log"); i++) System.Threading.Thread.Sleep(50);
        Assert.Equal("to the log\n", File.ReadAllText(log));
        ProcessResult list = store.Edge("--root", store.Combine("state"), "list", "-q");
        Assert.Equal(name + "\n", list.Stdout);
        ProcessResult state = store.Edge("--root", store.Combine("state"), "state", name);
        Assert.Contains("\"status\": \"running\"", state.Stdout);

        ProcessResult refused = store.Edge("--root", store.Combine("state"), "rm", name);
        Assert.Equal(1, refused.ExitCode);
        ProcessResult rm = store.Edge("--root", store.Combine("state"), "rm", "-f", name);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Equal("", store.Edge("--root", store.Combine("state"), "list", "-q").Stdout);
        Assert.False(Directory.Exists(Path.Combine(store.Root, "containers", name)));
        Assert.Equal("", LeftoverCheck.Find());
    }
}
