using System;
using System.IO;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Layers;

/// <summary>
/// A real distribution: Debian bookworm minbase from debootstrap (rootfs-samples/build-debian-image.sh, four
/// layers, built once per checkout into out/samples/debian), pushed to a loopback registry, run with
/// `edge run`, and unpacked by edge and by umoci with identical results.
/// </summary>
[Collection("containers")]
public class DebianImageTests
{
    private static readonly Lazy<string> Layout = new(() =>
    {
        string cache = Path.Combine(EdgeProcess.SamplesDirectory, "debian");
        ProcessResult build = EdgeProcess.Run("bash", new[] { Path.Combine(EdgeProcess.RepoRoot, "rootfs-samples", "build-debian-image.sh"), cache }, timeoutMs: 600_000);
        if (build.ExitCode != 0) throw new InvalidOperationException("building the Debian image failed (debootstrap needs a Debian mirror): " + build);
        return Path.Combine(cache, "image");
    });

    [Fact]
    public void RunsFromTheRegistryAndUnpacksLikeUmoci()
    {
        string layout = Layout.Value;
        using var registry = LocalRegistry.Open();
        registry.Push($"oci:{layout}:minbase", "bench/debian:minbase");
        using var store = new TestStore();
        string reference = $"{registry.Authority}/bench/debian:minbase";
        ProcessResult run = store.Edge("--root", store.Combine("state"), "run", "--rm", "--name", $"img-debian-{Environment.ProcessId}", reference,
            "sh", "-c", ". /etc/os-release; echo $PRETTY_NAME; dpkg-query -W -f '${Package}\\n' coreutils");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Debian GNU/Linux 12 (bookworm)\ncoreutils\n", run.Stdout);
        Assert.Equal("", LeftoverCheck.Find());

        string bundle = store.Combine("bundle");
        ProcessResult unpack = store.Edge("unpack", reference, bundle);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        string umoci = store.Combine("umoci");
        Directory.CreateDirectory(umoci);
        ProcessResult raw = EdgeProcess.Run("umoci", new[] { "raw", "unpack", "--image", $"{layout}:minbase", Path.Combine(umoci, "rootfs") }, timeoutMs: 300_000);
        Assert.True(raw.ExitCode == 0, raw.ToString());
        Assert.Equal(TreeListing.Of(Path.Combine(umoci, "rootfs")), TreeListing.Of(Path.Combine(bundle, "rootfs")));
    }
}
