using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Images;

/// <summary>edge pull against a real registry (Debian's docker-registry), checked as a user would: the store,
/// `edge images` and `edge inspect`, compared with what skopeo says of the same image.</summary>
public class PullTests : IClassFixture<RegistryFixture>
{
    private readonly RegistryFixture _registry;

    public PullTests(RegistryFixture registry) => _registry = registry;

    [Fact]
    public void PullsMultiLayerImageAndAgreesWithSkopeo()
    {
        using var store = new TestStore();
        ProcessResult pull = store.Edge("pull", _registry.Busybox);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        string skopeoDigest = _registry.Registry.SkopeoDigest("edge/busybox:v1");
        Assert.Equal($"Digest: {skopeoDigest}\n{_registry.Busybox}\n", pull.Stdout);
        Assert.Equal("", pull.Stderr);

        JsonNode image = store.Image(_registry.Busybox);
        Assert.Equal(skopeoDigest, (string)image["digest"]!);
        Assert.Equal("linux/amd64", (string)image["platform"]!);
        store.AssertConsistent();
        Assert.Empty(store.Partials());

        JsonNode inspect = JsonNode.Parse(store.Edge("inspect", _registry.Busybox).Stdout)!;
        Assert.Equal(skopeoDigest, (string)inspect["digest"]!);
        Assert.Equal(2, inspect["manifest"]!["layers"]!.AsArray().Count);
        Assert.Equal("amd64", (string)inspect["config"]!["architecture"]!);
        // skopeo's view of the layers and config is the same as the manifest edge stored.
        JsonNode skopeo = JsonNode.Parse(EdgeProcess.Run("skopeo", new[] { "inspect", "--tls-verify=false", "--raw", $"docker://{_registry.Busybox}" }).Stdout)!;
        Assert.Equal(skopeo.ToJsonString(), inspect["manifest"]!.ToJsonString());

        string table = store.Edge("images").Stdout;
        Assert.Contains($"{_registry.Registry.Authority}/edge/busybox v1", table.Replace("  ", " ").Replace("  ", " "));
        Assert.Contains(skopeoDigest[7..19], table);
    }

    [Fact]
    public void SecondPullReusesTheStore()
    {
        using var store = new TestStore();
        using var proxy = new FaultyProxy(_registry.Registry.Authority);
        string reference = $"{proxy.Authority}/edge/busybox:v1";
        Assert.Equal(0, store.Edge("pull", reference).ExitCode);
        int blobGets = proxy.Requests.Count(r => r.Path.Contains("/blobs/"));
        Assert.Equal(3, blobGets); // config and two layers
        Assert.Equal(0, store.Edge("pull", reference).ExitCode);
        Assert.Equal(blobGets, proxy.Requests.Count(r => r.Path.Contains("/blobs/")));
    }

    /// <summary>A pull, and a second one that finds everything in the store, throw nothing on their way
    /// (ExpectedPathTests: `--debug` reports every exception thrown, handled or not) but for one thing: this
    /// registry speaks plain HTTP on loopback, and HttpClient reports the failed TLS attempt before the fallback
    /// only by throwing. Those throws come before the fallback's line, and nothing throws after it.</summary>
    [Fact]
    public void PullThrowsNothingButTheTlsProbe()
    {
        using var store = new TestStore();
        foreach (string round in new[] { "first", "second" })
        {
            ProcessResult pull = store.Edge("--debug", "pull", _registry.Busybox);
            Assert.True(pull.ExitCode == 0, $"{round}: {pull}");
            string[] lines = pull.Stderr.Split('\n');
            int fallback = System.Array.FindIndex(lines, l => l.Contains("does not speak TLS; using plain HTTP"));
            Assert.True(fallback >= 0, $"{round}: {pull.Stderr}");
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].Contains("exception thrown")) continue;
                Assert.True(i < fallback && (lines[i].Contains("AuthenticationException") || lines[i].Contains("HttpRequestException")),
                    $"{round}: {lines[i]}\n{pull.Stderr}");
            }
        }
    }

    [Fact]
    public void SelectsPlatformFromIndex()
    {
        var (amd64, arm64, index) = SampleImages.MultiDigests();
        using var store = new TestStore();
        Assert.Equal(0, store.Edge("pull", _registry.Multi).ExitCode);
        JsonNode image = store.Image(_registry.Multi);
        Assert.Equal(index, (string)image["digest"]!);
        Assert.Equal(amd64, (string)image["manifest"]!);
        Assert.Equal("linux/amd64", (string)image["platform"]!);

        using var armStore = new TestStore();
        ProcessResult arm = armStore.Edge("pull", "--platform", "linux/arm64/v8", _registry.Multi);
        Assert.True(arm.ExitCode == 0, arm.ToString());
        Assert.Equal(arm64, (string)armStore.Image(_registry.Multi)["manifest"]!);
        Assert.False(armStore.Has(amd64));
        armStore.AssertConsistent();
        Assert.Equal("arm64", (string)JsonNode.Parse(armStore.Edge("inspect", _registry.Multi).Stdout)!["config"]!["architecture"]!);
    }

    [Fact]
    public void MissingPlatformListsWhatThereIs()
    {
        using var store = new TestStore();
        ProcessResult result = store.Edge("pull", "--platform", "linux/s390x", _registry.Multi);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {_registry.Multi}: no image for platform linux/s390x (the index has: linux/amd64, linux/arm64)\n", result.Stderr);
        Assert.Empty(store.Images());
    }

    [Fact]
    public void PullsByDigestAndRefusesAWrongOne()
    {
        string digest = _registry.Registry.SkopeoDigest("edge/busybox:v1");
        using var store = new TestStore();
        string byDigest = $"{_registry.Registry.Authority}/edge/busybox@{digest}";
        ProcessResult ok = store.Edge("pull", byDigest);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(digest, (string)store.Image(byDigest)["digest"]!);

        // A digest the registry does not have is a clean 404, and the store keeps what it had.
        string wrong = "sha256:" + new string('0', 64);
        ProcessResult missing = store.Edge("pull", $"{_registry.Registry.Authority}/edge/busybox@{wrong}");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith($"edge: {_registry.Registry.Authority}/edge/busybox@{wrong}: manifest not found (404", missing.Stderr);
        Assert.Single(store.Images());
    }

    [Fact]
    public void UnknownTagAndRepositoryAreOneLine()
    {
        using var store = new TestStore();
        ProcessResult result = store.Edge("pull", $"{_registry.Registry.Authority}/edge/busybox:nope");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {_registry.Registry.Authority}/edge/busybox:nope: manifest not found (404 MANIFEST_UNKNOWN: manifest unknown)\n", result.Stderr);
        Assert.Empty(store.Images());
        Assert.Empty(store.BlobDigests());
    }

    [Theory]
    [InlineData("Busybox", "invalid image reference \"Busybox\": repository name must be lowercase")]
    [InlineData("a//b", "invalid image reference \"a//b\": invalid repository name component \"\"")]
    [InlineData("busybox@sha256:abc", "invalid image reference \"busybox@sha256:abc\": invalid digest \"sha256:abc\": sha256 needs 64 hex digits")]
    public void BadReferenceIsOneLine(string reference, string message)
    {
        using var store = new TestStore();
        ProcessResult result = store.Edge("pull", reference);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"edge: {message}\n", result.Stderr);
        Assert.False(Directory.Exists(store.Root));
    }

    [Fact]
    public async System.Threading.Tasks.Task ConcurrentPullsShareBlobsAndFetchEachOnce()
    {
        using var store = new TestStore();
        using var proxy = new FaultyProxy(_registry.Registry.Authority) { Faults = r => r.Target.Contains("/blobs/") ? new Fault.Slow(64 << 10, 20) : null };
        string reference = $"{proxy.Authority}/edge/busybox:v1";
        var pulls = Enumerable.Range(0, 3).Select(_ => System.Threading.Tasks.Task.Run(() => store.Edge("pull", reference))).ToArray();
        foreach (ProcessResult pull in await System.Threading.Tasks.Task.WhenAll(pulls)) Assert.True(pull.ExitCode == 0, pull.ToString());
        store.AssertConsistent();
        Assert.Single(store.Images());
        foreach (var group in proxy.Requests.Where(r => r.Path.Contains("/blobs/")).GroupBy(r => r.Path))
            Assert.True(group.Count() == 1, $"{group.Key} fetched {group.Count()} times");
    }
}

/// <summary>Progress on a terminal: per-layer lines with a bar and sizes (run under script(1) for a pty).</summary>
public class PullProgressTests : IClassFixture<RegistryFixture>
{
    private readonly RegistryFixture _registry;

    public PullProgressTests(RegistryFixture registry) => _registry = registry;

    [Fact]
    public void TerminalGetsProgressLinesPipeDoesNot()
    {
        using var store = new TestStore();
        string command = $"{EdgeProcess.Binary} --store {store.Root} pull {_registry.Busybox}";
        ProcessResult tty = EdgeProcess.Run("script", new[] { "-qec", command, "/dev/null" });
        Assert.True(tty.ExitCode == 0, tty.ToString());
        Assert.Matches(@"layer  [0-9a-f]{12}  done +\[=+\]  1\.09MB/1\.09MB", tty.Stdout);
        Assert.Matches(@"config [0-9a-f]{12}  done", tty.Stdout);

        using var piped = new TestStore();
        ProcessResult plain = piped.Edge("pull", _registry.Busybox);
        Assert.DoesNotContain("[", plain.Stdout);
        Assert.DoesNotContain("\x1b", plain.Stdout);
    }
}
