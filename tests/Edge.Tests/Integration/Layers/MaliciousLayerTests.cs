using System;
using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Layers;

/// <summary>
/// A corpus of hostile layers. Each is unpacked with `edge unpack` into a bundle beside a sentinel file.
/// Whether edge refuses the layer or contains it, nothing outside the rootfs may change: not the sentinel,
/// not the directory around the bundle, not the host's /etc/passwd.
/// </summary>
public class MaliciousLayerTests
{
    private static readonly string HostPasswd = File.ReadAllText("/etc/passwd");

    private static readonly string[] Names =
    {
        "dotdot", "absolute", "symlink-to-host-then-write", "symlink-to-root-then-write", "hardlink-to-host",
        "hardlink-dotdot", "whiteout-dotdot", "symlink-replaces-parent", "hardlink-through-symlink", "symlink-chain",
    };

    /// <summary>Every case with openat2, and with the component walk edge uses on kernels before 5.6.</summary>
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in Names) { data.Add(name, false); data.Add(name, true); }
        return data;
    }

    private static byte[] Layer(string name, string outside) => name switch
    {
        "dotdot" => new LayerBuilder().File("../../../escape-dotdot", "x").File("a/../../escape-dotdot2", "x").Build(),
        "absolute" => new LayerBuilder().File(outside + "/escape-absolute", "x").Build(),
        "symlink-to-host-then-write" => new LayerBuilder().Symlink("evil", outside).File("evil/escape-symlink", "x").Build(),
        "symlink-to-root-then-write" => new LayerBuilder().Dir("etc").Symlink("root", "/").File("root/etc/passwd", "pwned").Build(),
        "hardlink-to-host" => new LayerBuilder().HardLink("passwd-link", "/etc/passwd").Build(),
        "hardlink-dotdot" => new LayerBuilder().HardLink("sentinel-link", "../../../" + outside.TrimStart('/') + "/sentinel").Build(),
        "whiteout-dotdot" => new LayerBuilder().Whiteout("../.wh.sentinel").Whiteout("../../.wh.sentinel").Build(),
        "symlink-replaces-parent" => new LayerBuilder().Dir("d").File("d/a", "a").Symlink("d", outside).File("d/escape-parent", "x").Build(),
        "hardlink-through-symlink" => new LayerBuilder().Symlink("sl", "/").HardLink("h", "sl/etc/passwd").Build(),
        "symlink-chain" => new LayerBuilder().Symlink("one", "two").Symlink("two", "../../..").Dir("x").File("one/escape-chain", "x").Build(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NothingOutsideTheRootfsChanges(string name, bool withoutOpenat2)
    {
        using var store = new TestStore(withoutOpenat2);
        string outside = store.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "sentinel"), "untouched");
        string layout = LayerBuilder.Layout(store.Combine("layout"), "evil", Layer(name, outside));
        Assert.Equal(0, store.Edge("load", "--name", "example/evil:evil", layout).ExitCode);

        string bundle = Path.Combine(outside, "bundle");
        ProcessResult unpack = store.Edge("unpack", "example/evil:evil", bundle);
        // Refused (one line naming the entry) or contained: never a crash.
        Assert.True(unpack.ExitCode is 0 or 1, unpack.ToString());
        if (unpack.ExitCode == 1) Assert.Matches("^edge: docker.io/example/evil:evil: layer sha256:[0-9a-f]{64}: entry \"[^\"]+\": .+\n$", unpack.Stderr);

        Assert.Equal("untouched", File.ReadAllText(Path.Combine(outside, "sentinel")));
        string[] around = Directory.GetFileSystemEntries(outside).Select(Path.GetFileName).OrderBy(n => n).ToArray()!;
        // A refused unpack leaves nothing half-written: not even the bundle directory it made.
        Assert.Equal(unpack.ExitCode == 0 ? new[] { "bundle", "sentinel" } : new[] { "sentinel" }, around);
        Assert.Equal(HostPasswd, File.ReadAllText("/etc/passwd"));
        foreach (string escape in new[] { "/escape-dotdot", "/escape-dotdot2", "/escape-absolute", "/escape-chain", "/tmp/escape-dotdot" })
            Assert.False(File.Exists(escape), escape);
        Assert.Empty(Directory.GetFiles(store.Combine(), "escape-*", SearchOption.TopDirectoryOnly));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ContainedPathsLandInsideTheRootfs(bool withoutOpenat2)
    {
        using var store = new TestStore(withoutOpenat2);
        string outside = store.Combine("outside");
        Directory.CreateDirectory(outside);
        string layout = LayerBuilder.Layout(store.Combine("layout"), "evil", Layer("dotdot", outside), Layer("symlink-to-root-then-write", outside));
        Assert.Equal(0, store.Edge("load", "--name", "example/evil:evil", layout).ExitCode);
        string bundle = Path.Combine(outside, "bundle");
        ProcessResult unpack = store.Edge("unpack", "example/evil:evil", bundle);
        Assert.True(unpack.ExitCode == 0, unpack.ToString());
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "escape-dotdot")));
        Assert.Equal("pwned", File.ReadAllText(Path.Combine(bundle, "rootfs", "etc", "passwd")));
    }
}
