using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Edge.Layers;
using Edge.Layers.Tar;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Layers;

/// <summary>
/// Hostile layers applied in-process through the extractor (LayerApplier, as containerd's archive tests do),
/// so that hundreds of them cost seconds: every path trick with every entry type, symlinks written through,
/// whiteouts of ".", ".." and nothing, header fields that overflow, archives cut at every point, and
/// overlayfs's private xattrs. Whatever the applier does with a case, it refuses it with a one-line error
/// (TarFormatException or LayerApplyException) or keeps it inside the root: the sandbox around the root,
/// with its sentinel files, must be exactly as it was.
/// Applied as root, as edge applies layers (ownership kept): not in the fast tier.
/// </summary>
[Trait("Category", "Integration")]
public class HostileTarTests
{
    private static readonly string[] EscapingNames =
    {
        "../x", "../../x", "/abs/x", "a/../../x", "./../x", "a/./../../x", "..", "../", "a/..", "//x",
        "x/../../../../../../../../x", ".", "./", "a/b/../../../x",
    };

    public static TheoryData<string, string, bool> NameCases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (string name in EscapingNames)
            foreach (string type in new[] { "file", "dir", "symlink", "hardlink", "fifo", "chardev" })
                foreach (bool overlay in new[] { false, true })
                    data.Add(name, type, overlay);
        return data;
    }

    [Theory]
    [MemberData(nameof(NameCases))]
    public void EscapingNamesStayInside(string name, string type, bool overlay)
    {
        var layer = new LayerBuilder().File("base", "base");
        layer = type switch
        {
            "file" => layer.File(name, "escaped"),
            "dir" => layer.Dir(name),
            "symlink" => layer.Symlink(name, "base"),
            "hardlink" => layer.HardLink(name, "base"),
            "fifo" => layer.Fifo(name),
            _ => layer.Device(name, block: false, 1, 3),
        };
        AssertContained(layer.Build(), overlay);
    }

    private static readonly string[] LinkTargets = { "/", "..", "../..", "/etc", "../../outside", "/proc/self/cwd", "/proc/self/root", "/proc/self/fd/0", "." };

    public static TheoryData<string, string> SymlinkCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string target in LinkTargets)
            foreach (string write in new[] { "file", "dir/file", "hardlink", "symlink" })
                data.Add(target, write);
        return data;
    }

    /// <summary>A symlink, then an entry written through it: the write lands inside the root, or is refused.</summary>
    [Theory]
    [MemberData(nameof(SymlinkCases))]
    public void WritesThroughSymlinksStayInside(string target, string write)
    {
        var layer = new LayerBuilder().File("base", "base").Symlink("link", target);
        layer = write switch
        {
            "file" => layer.File("link/escaped", "escaped"),
            "dir/file" => layer.Dir("link/d").File("link/d/escaped", "escaped"),
            "hardlink" => layer.HardLink("escaped", "link/passwd"),
            _ => layer.Symlink("link/escaped", "/base"),
        };
        AssertContained(layer.Build(), overlay: false);
        AssertContained(layer.Build(), overlay: true);
    }

    public static TheoryData<string, bool> WhiteoutCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in new[] { ".wh.", ".wh..", ".wh...", "a/.wh..", "a/.wh...", "a/.wh.", "../.wh.x", "../../.wh.sentinel", ".wh..wh.foo", ".wh..wh..opq", "a/.wh..wh..opq", "/.wh.a", ".wh.a/..", "a/b/.wh..." })
            foreach (bool overlay in new[] { false, true })
                data.Add(name, overlay);
        return data;
    }

    /// <summary>
    /// Whiteouts of ".", ".." and of nothing are refused: once put after a directory's fd path they would name
    /// another directory altogether (for /proc/self/fd/N/.., /proc/self/fd itself). Others stay inside.
    /// </summary>
    [Theory]
    [MemberData(nameof(WhiteoutCases))]
    public void WhiteoutsNeverReachOutside(string name, bool overlay)
    {
        var layer = new LayerBuilder().Dir("a").File("a/keep", "k").Dir("a/b").File("a/b/keep", "k").File("base", "b").Whiteout(name);
        Exception? error = AssertContained(layer.Build(), overlay);
        string baseName = name.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
        if (baseName is ".wh." or ".wh.." or ".wh...") Assert.IsType<TarFormatException>(error);
        Assert.True(Directory.Exists("/proc/self/fd"));
    }

    // ---- headers ----------------------------------------------------------------------------------------

    /// <summary>
    /// A regular file whose base-256 size is 2^63-1, followed by a "smuggled" header: the size must be refused,
    /// never wrapped by the padding arithmetic into a small skip that lands on the smuggled entry.
    /// </summary>
    [Theory]
    [InlineData("7fffffffffffffff")]               // 2^63 - 1
    [InlineData("010000000000000005")]             // 2^64 + 5: would wrap to 5 in 64 bits
    [InlineData("3fffffffffffffffffffffff")]       // a full 94-bit field
    [InlineData("ffffffffffffffffffffffff")]       // a negative base-256 number
    public void OversizedSizesAreRefused(string hex)
    {
        byte[] size = Base256(hex, 12);
        byte[] tar = Concat(Header("big", (byte)'0', size: size), Header("smuggled", (byte)'0', octalSize: 5), Pad(Encoding.ASCII.GetBytes("pwned")), new byte[1024]);
        using var root = new TempDir("edge-hostile-");
        var error = Assert.Throws<TarFormatException>(() => LayerApplier.Apply(new MemoryStream(tar), root.Path, WhiteoutMode.Delete));
        Assert.Matches("entry 1: (size|negative|header field size)", error.Message);
        Assert.False(File.Exists(Path.Combine(root.Path, "smuggled")));
    }

    [Theory]
    [InlineData(108, "uid")]
    [InlineData(116, "gid")]
    [InlineData(329, "devmajor")]
    public void IdsBeyond32BitsAreRefusedNotTruncated(int offset, string field)
    {
        // 2^32: cut down to 32 bits it would be 0, root.
        byte[] header = Header("f", (byte)'0', octalSize: 0);
        Base256("0100000000", 8).CopyTo(header, offset);
        Checksum(header);
        using var root = new TempDir("edge-hostile-");
        var error = Assert.Throws<TarFormatException>(() => LayerApplier.Apply(new MemoryStream(Concat(header, new byte[1024])), root.Path, WhiteoutMode.Delete));
        Assert.Equal($"entry 1: {field} 4294967296 is out of range", error.Message);
    }

    [Theory]
    [InlineData("size=-1")]
    [InlineData("uid=-5")]
    [InlineData("gid=-5")]
    [InlineData("size=99999999999999999999")]
    public void BadPaxNumbersAreRefused(string record)
    {
        byte[] pax = PaxRecords(record);
        byte[] tar = Concat(Header("PaxHeaders/f", (byte)'x', octalSize: pax.Length), Pad(pax), Header("f", (byte)'0', octalSize: 0), new byte[1024]);
        using var root = new TempDir("edge-hostile-");
        Assert.Throws<TarFormatException>(() => LayerApplier.Apply(new MemoryStream(tar), root.Path, WhiteoutMode.Delete));
    }

    /// <summary>
    /// An archive cut anywhere: refused when the cut is inside a header, an extended header's entry or file
    /// data; accepted only where GNU tar accepts it too, at the end of a complete entry.
    /// </summary>
    [Fact]
    public void ArchivesCutAnywhereAreRefusedUnlessCutBetweenEntries()
    {
        byte[] whole = new LayerBuilder(System.Formats.Tar.TarEntryFormat.Pax)
            .Dir("d").File("d/a", new string('a', 700)).File("d/" + new string('n', 150), "long name").Symlink("d/l", "a").Build();
        var boundaries = new HashSet<int>();
        int cases = 0;
        for (int cut = 1; cut < whole.Length; cut += 37)
        {
            cases++;
            using var root = new TempDir("edge-hostile-");
            try
            {
                LayerApplier.Apply(new MemoryStream(whole[..cut]), root.Path, WhiteoutMode.Delete);
                // Past the end-of-archive block nothing is read any more (GNU tar ignores it too).
                Assert.True(cut % 512 == 0 || cut >= whole.Length - 512, $"a cut at byte {cut} (inside a block) was accepted");
                boundaries.Add(cut);
            }
            catch (TarFormatException ex)
            {
                Assert.Matches("stream ends", ex.Message);
            }
        }
        for (int cut = 512; cut < whole.Length; cut += 512)
        {
            cases++;
            using var root = new TempDir("edge-hostile-");
            try
            {
                LayerApplier.Apply(new MemoryStream(whole[..cut]), root.Path, WhiteoutMode.Delete);
                boundaries.Add(cut);
            }
            catch (TarFormatException ex)
            {
                Assert.Matches("stream ends", ex.Message);
            }
        }
        Assert.True(cases > 50);
        Assert.NotEmpty(boundaries); // some cuts do fall between entries
    }

    [Fact]
    public void ExtendedHeaderWithoutItsEntryIsRefused()
    {
        byte[] pax = PaxRecords("path=evil");
        byte[] tar = Concat(Header("PaxHeaders/x", (byte)'x', octalSize: pax.Length), Pad(pax));
        using var root = new TempDir("edge-hostile-");
        var error = Assert.Throws<TarFormatException>(() => LayerApplier.Apply(new MemoryStream(tar), root.Path, WhiteoutMode.Delete));
        Assert.Equal("entry 1: stream ends after an extended header, without its entry", error.Message);
        byte[] gnu = Concat(Header("././@LongLink", (byte)'L', octalSize: 5), Pad(Encoding.ASCII.GetBytes("evil\0")));
        Assert.Throws<TarFormatException>(() => LayerApplier.Apply(new MemoryStream(gnu), root.Path, WhiteoutMode.Delete));
    }

    // ---- xattrs -----------------------------------------------------------------------------------------

    /// <summary>overlayfs honours its private xattrs in a lower layer (opaque, redirect, metacopy, whiteout): a layer never sets them.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OverlayPrivateXattrsFromALayerAreDropped(bool overlay)
    {
        var xattrs = new Dictionary<string, string>
        {
            ["trusted.overlay.opaque"] = "y", ["trusted.overlay.redirect"] = "/etc", ["trusted.overlay.metacopy"] = "",
            ["user.overlay.whiteout"] = "y", ["user.kept"] = "yes",
        };
        byte[] tar = new LayerBuilder().File("f", "content", xattrs: xattrs).Build();
        using var root = new TempDir("edge-hostile-");
        var warnings = new List<string>();
        LayerApplier.Apply(new MemoryStream(tar), root.Path, overlay ? WhiteoutMode.Overlay : WhiteoutMode.Delete, warnings.Add);
        string file = Path.Combine(root.Path, "f");
        foreach (string name in xattrs.Keys.Where(k => k.Contains(".overlay.")))
            Assert.False(HasXattr(file, name), name);
        Assert.True(HasXattr(file, "user.kept"));
        Assert.Single(warnings, w => w.StartsWith("ignoring overlayfs-private xattr", StringComparison.Ordinal));
    }

    // ---- decompression ----------------------------------------------------------------------------------

    [Fact]
    public void DecompressionStopsAtItsLimit()
    {
        var zeros = new MemoryStream();
        using (var gzip = new GZipStream(zeros, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(new byte[32 << 20]);
        long compressed = zeros.Length;
        zeros.Position = 0;
        using Stream bounded = Edge.Image.DecompressionLimit.Bound(new GZipStream(zeros, CompressionMode.Decompress), compressed, "test layer", limit: 4 << 20);
        var error = Assert.Throws<Edge.Image.ImageException>(() => bounded.CopyTo(Stream.Null));
        Assert.StartsWith($"test layer: expands to more than {4 << 20} bytes from {compressed} (a decompression bomb?)", error.Message);
    }

    [Theory]
    [InlineData(1000L, 1L << 30)]                      // small layers: the floor
    [InlineData(6_000_000L, 1_536_000_000L)]           // the review's 6 MB bomb stops at 1.5 GB, not 6 GiB
    [InlineData(100_000_000L, 25_600_000_000L)]        // 256 times a large layer
    [InlineData(1L << 40, 64L << 30)]                  // never past the ceiling
    public void DefaultLimitIsARatioWithAFloorAndACeiling(long compressed, long limit) =>
        Assert.Equal(limit, Edge.Image.DecompressionLimit.For(compressed, ratio: 256, floor: 1L << 30, ceiling: 64L << 30));

    // ---- helpers ----------------------------------------------------------------------------------------

    /// <summary>
    /// Applies TAR into sandbox/root beside sandbox/outside/sentinel (and the sandbox's own sentinel): the layer
    /// may be refused (one-line TarFormatException or LayerApplyException, which is returned) or applied, but
    /// nothing outside the root changes. Returns the refusal, if any.
    /// </summary>
    private static Exception? AssertContained(byte[] tar, bool overlay)
    {
        using var sandbox = new TempDir("edge-hostile-");
        string root = sandbox.Combine("root"), outside = sandbox.Combine("outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "sentinel"), "untouched");
        File.WriteAllText(sandbox.Combine("sentinel"), "untouched");
        string before = Listing(sandbox.Path, root);
        Exception? error = null;
        try
        {
            LayerApplier.Apply(new MemoryStream(tar), root, overlay ? WhiteoutMode.Overlay : WhiteoutMode.Delete);
        }
        catch (Exception ex) when (ex is TarFormatException or LayerApplyException)
        {
            error = ex;
            Assert.DoesNotContain('\n', ex.Message);
        }
        Assert.Equal(before, Listing(sandbox.Path, root));
        Assert.Equal("untouched", File.ReadAllText(Path.Combine(outside, "sentinel")));
        Assert.False(File.Exists("/x") || File.Exists("/abs/x") || File.Exists("/escaped"));
        return error;
    }

    /// <summary>
    /// Everything under DIR but ROOT: names, types, sizes and link targets. ROOT is never entered (a layer's
    /// symlink to "/" in it would make a walk through it a walk of the host).
    /// </summary>
    private static string Listing(string dir, string root)
    {
        var lines = new List<string>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            if (entry == root) continue;
            var info = new FileInfo(entry);
            lines.Add($"{entry} {info.Attributes} {(info.Exists ? info.Length : -1)} {info.LinkTarget}");
            if (info.Attributes.HasFlag(FileAttributes.Directory) && info.LinkTarget is null) lines.Add(Listing(entry, root));
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    private static byte[] Header(string name, byte type, long octalSize = 0, byte[]? size = null)
    {
        byte[] h = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(h, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(h, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(h, 116);
        (size ?? Encoding.ASCII.GetBytes(Convert.ToString(octalSize, 8).PadLeft(11, '0') + "\0")).CopyTo(h, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(h, 136);
        h[156] = type;
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(h, 257);
        Checksum(h);
        return h;
    }

    private static void Checksum(byte[] h)
    {
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = h.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
    }

    /// <summary>A base-256 field of LENGTH bytes holding the big-endian HEX (the marker bit set on the first byte).</summary>
    private static byte[] Base256(string hex, int length)
    {
        byte[] value = Convert.FromHexString(hex.Length % 2 == 1 ? "0" + hex : hex);
        byte[] field = new byte[length];
        value.CopyTo(field, length - value.Length);
        field[0] |= 0x80;
        return field;
    }

    private static byte[] PaxRecords(params string[] records)
    {
        var text = new StringBuilder();
        foreach (string r in records)
        {
            int length = r.Length + 3;
            while ((length.ToString().Length + 1 + r.Length + 1) != length) length = length.ToString().Length + 1 + r.Length + 1;
            text.Append(length).Append(' ').Append(r).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Pad(byte[] data) => Concat(data, new byte[(512 - data.Length % 512) % 512]);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static bool HasXattr(string path, string name) => lgetxattr(path, name, IntPtr.Zero, 0) >= 0;

    [DllImport("libc", SetLastError = true)]
    private static extern nint lgetxattr(string path, string name, IntPtr value, nuint size);
}
