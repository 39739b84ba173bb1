using System.Collections.Generic;
using System.IO;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Layers;

/// <summary>
/// `edge unpack` against `umoci raw unpack` on the same images: the two root file systems must list the same
/// paths, modes, owners, link targets, contents and xattrs.
/// </summary>
public class ExtractorTests
{
    private static (string Edge, string Umoci) UnpackBoth(TestStore store, string layout, string tag, string name)
    {
        ProcessResult load = store.Edge("load", "--name", name, layout);
        Assert.True(load.ExitCode == 0, load.ToString());
        string edgeBundle = store.Combine("edge-bundle");
        ProcessResult unpack = store.Edge("unpack", name, edgeBundle);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        string umociRootfs = store.Combine("umoci-rootfs");
        ProcessResult umoci = EdgeProcess.Run("umoci", new[] { "raw", "unpack", "--image", $"{layout}:{tag}", umociRootfs });
        Assert.True(umoci.ExitCode == 0, umoci.ToString());
        return (Path.Combine(edgeBundle, "rootfs"), umociRootfs);
    }

    [Fact]
    public void SampleImageMatchesUmoci()
    {
        using var store = new TestStore();
        string layout = store.Combine("layout");
        EdgeProcess.Run("cp", new[] { "-a", SampleImages.Layout, layout });
        File.WriteAllText(Path.Combine(layout, "index.json"), File.ReadAllText(Path.Combine(layout, "index.json")).Replace(SampleImages.Name, "sample"));
        var (edge, umoci) = UnpackBoth(store, layout, "sample", "example/sample:sample");
        Assert.Equal(TreeListing.Of(umoci), TreeListing.Of(edge));
        Assert.True(File.Exists(Path.Combine(edge, "bin", "busybox")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryEntryKindAndWhiteoutMatchesUmoci(bool withoutOpenat2)
    {
        byte[] lower = new LayerBuilder()
            .Dir("etc").File("etc/keep", "kept").File("etc/gone", "whited out")
            .Dir("opaque").File("opaque/old", "hidden by the opaque marker").Dir("opaque/olddir").File("opaque/olddir/x", "x")
            .Dir("was-dir").File("was-dir/child", "c")
            .File("was-file", "f")
            .File("setuid", "#!/bin/sh\n", mode: 0x9ED, uid: 0, gid: 0) // 04755
            .File("owned", "o", uid: 1000, gid: 100)
            .File("with-xattr", "x", xattrs: new Dictionary<string, string> { ["user.edge"] = "value", ["trusted.edge"] = "t" })
            .Dir("deep/a/b/c").File("deep/a/b/c/file", "deep")
            .Symlink("abs-link", "/etc/keep").Symlink("rel-link", "etc/keep").Symlink("dangling", "/nowhere")
            .File("target", "hard").HardLink("hard", "target")
            .Device("null-dev", block: false, 1, 3).Device("blk", block: true, 7, 0).Fifo("fifo")
            .File(new string('n', 120) + "/long-name-over-a-hundred-bytes", "long")
            .Build();
        byte[] upper = new LayerBuilder()
            .Whiteout("etc/.wh.gone")
            .Dir("opaque").Whiteout("opaque/.wh..wh..opq").File("opaque/new", "from the upper layer")
            .File("was-dir", "now a file")
            .Dir("was-file").File("was-file/child", "now a directory")
            .File("etc/keep", "replaced", mode: 0x180)
            .Whiteout("deep/a/.wh.b")
            .Build();
        using var store = new TestStore(withoutOpenat2);
        string layout = LayerBuilder.Layout(store.Combine("layout"), "kinds", lower, upper);
        var (edge, umoci) = UnpackBoth(store, layout, "kinds", "example/kinds:kinds");
        string expected = TreeListing.Of(umoci);
        Assert.Equal(expected, TreeListing.Of(edge));
        Assert.Contains("./was-dir -rw-r--r--", expected); // the listing really covers the replacements
        Assert.DoesNotContain("./opaque/old", expected);
        Assert.Contains("./setuid -rwsr-xr-x", expected);
        // Directory mtimes are restored after their children were written (umoci leaves them at "now").
        Assert.Equal(new System.DateTime(2020, 1, 2, 3, 4, 5, System.DateTimeKind.Utc), Directory.GetLastWriteTimeUtc(Path.Combine(edge, "was-file")));
    }

    [Fact]
    public void GnuAndUstarHeadersLongNamesAndBigIds()
    {
        string longName = string.Join('/', new[] { new string('a', 90), new string('b', 90), "file" });
        byte[] gnu = new LayerBuilder(System.Formats.Tar.TarEntryFormat.Gnu)
            .Dir("gnu").File("gnu/" + longName, "gnu long name").Symlink("gnu/long-link", longName)
            .File("gnu/big-uid", "b", uid: 3_000_000, gid: 3_000_001)
            .Build();
        byte[] ustar = new LayerBuilder(System.Formats.Tar.TarEntryFormat.Ustar)
            .Dir("ustar").File("ustar/" + new string('p', 120) + "/split-by-prefix", "ustar prefix")
            .Build();
        using var store = new TestStore();
        string layout = LayerBuilder.Layout(store.Combine("layout"), "formats", gnu, ustar);
        var (edge, umoci) = UnpackBoth(store, layout, "formats", "example/formats:formats");
        string listing = TreeListing.Of(edge);
        Assert.Equal(TreeListing.Of(umoci), listing);
        Assert.Contains("3000000:3000001", listing);
        Assert.Equal("gnu long name", File.ReadAllText(Path.Combine(edge, "gnu", longName)));
    }

    [Fact]
    public void ZstdLayersUnpackLikeTheirGzipTwins()
    {
        byte[] layer = new LayerBuilder().Dir("z").File("z/file", new string('z', 100_000)).Symlink("z/link", "file").Build();
        using var store = new TestStore();
        LayerBuilder.Layout(store.Combine("gzip"), "gz", layer);
        LayerBuilder.Layout(store.Combine("zstd"), "zst", zstd: true, layer);
        Assert.Equal(0, store.Edge("load", "--name", "example/gz", store.Combine("gzip")).ExitCode);
        Assert.Equal(0, store.Edge("load", "--name", "example/zst", store.Combine("zstd")).ExitCode);
        Assert.Equal(0, store.Edge("unpack", "example/gz:gz", store.Combine("b1")).ExitCode);
        ProcessResult zstd = store.Edge("unpack", "example/zst:zst", store.Combine("b2"));
        Assert.True(zstd.ExitCode == 0, zstd.ToString());
        Assert.Equal(TreeListing.Of(store.Combine("b1", "rootfs")), TreeListing.Of(store.Combine("b2", "rootfs")));
    }

    [Fact]
    public void GnuTarLayersMatchUmoci()
    {
        // A layer made by GNU tar itself (gzip, GNU format), from a tree with the usual suspects.
        using var store = new TestStore();
        string tree = store.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "usr", "bin"));
        File.WriteAllText(Path.Combine(tree, "usr", "bin", "tool"), "#!/bin/sh\n");
        EdgeProcess.Run("chmod", new[] { "4755", Path.Combine(tree, "usr", "bin", "tool") });
        EdgeProcess.Run("ln", new[] { Path.Combine(tree, "usr", "bin", "tool"), Path.Combine(tree, "usr", "bin", "tool-hardlink") });
        EdgeProcess.Run("ln", new[] { "-s", "usr/bin", Path.Combine(tree, "bin") });
        EdgeProcess.Run("mkfifo", new[] { Path.Combine(tree, "fifo") });
        EdgeProcess.Run("chown", new[] { "-h", "1234:5678", Path.Combine(tree, "bin") });
        string layerFile = store.Combine("layer.tar");
        ProcessResult tar = EdgeProcess.Run("tar", new[] { "--format=gnu", "-C", tree, "-cf", layerFile, "." });
        Assert.True(tar.ExitCode == 0, tar.ToString());
        // A second layer in GNU tar's POSIX format, carrying an xattr.
        string upper = store.Combine("upper");
        Directory.CreateDirectory(Path.Combine(upper, "etc"));
        File.WriteAllText(Path.Combine(upper, "etc", "marked"), "x");
        EdgeProcess.Run("setfattr", new[] { "-n", "user.origin", "-v", "gnu-tar", Path.Combine(upper, "etc", "marked") });
        string upperFile = store.Combine("upper.tar");
        ProcessResult tar2 = EdgeProcess.Run("tar", new[] { "--format=posix", "--xattrs", "--xattrs-include=user.*", "-C", upper, "-cf", upperFile, "." });
        Assert.True(tar2.ExitCode == 0, tar2.ToString());
        string layout = LayerBuilder.Layout(store.Combine("layout"), "gnutar", File.ReadAllBytes(layerFile), File.ReadAllBytes(upperFile));
        var (edge, umoci) = UnpackBoth(store, layout, "gnutar", "example/gnutar:gnutar");
        string listing = TreeListing.Of(edge);
        Assert.Equal(TreeListing.Of(umoci), listing);
        Assert.Contains("./usr/bin/tool -rwsr-xr-x", listing);
        Assert.Contains("./bin lrwxrwxrwx 1234:5678 usr/bin", listing);
        Assert.Contains("user.origin=\"gnu-tar\"", listing);
        Assert.Equal(new FileInfo(Path.Combine(edge, "usr", "bin", "tool")).Length, new FileInfo(Path.Combine(edge, "usr", "bin", "tool-hardlink")).Length);
    }
}
