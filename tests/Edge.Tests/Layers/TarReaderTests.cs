using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.Text;
using Edge.Layers;
using Edge.Layers.Tar;
using TarReader = Edge.Layers.Tar.TarReader;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Layers;

/// <summary>The span tar reader on tars written by .NET's TarWriter in each format, and the applier's allocations.</summary>
public class TarReaderTests
{
    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.V7)]
    public void ReadsEveryFormat(TarEntryFormat format)
    {
        string name = format is TarEntryFormat.V7 ? "dir/file" : "dir/" + new string('x', 120) + "/file";
        var builder = new LayerBuilder(format == TarEntryFormat.V7 ? TarEntryFormat.Ustar : format).Dir("dir", 0x1C0, 5, 6).File(name, "content", 0x1A4, 7, 8);
        if (format != TarEntryFormat.V7) builder.Symlink("dir/link", "file");
        using var reader = new TarReader(new MemoryStream(builder.Build()));
        Assert.True(reader.Next());
        Assert.Equal(TarType.Directory, reader.Type);
        Assert.Equal("dir", Encoding.UTF8.GetString(reader.Name));
        Assert.Equal((5u, 6u, 0x1C0u), (reader.Uid, reader.Gid, reader.Mode));
        Assert.True(reader.Next());
        Assert.Equal(TarType.Regular, reader.Type);
        Assert.Equal(name, Encoding.UTF8.GetString(reader.Name));
        Assert.Equal(7, reader.Size);
        Assert.Equal("content", Encoding.UTF8.GetString(reader.ReadData()));
        Assert.Equal(new DateTimeOffset(2021, 6, 7, 8, 9, 10, TimeSpan.Zero).ToUnixTimeSeconds(), reader.MtimeSeconds);
        if (format != TarEntryFormat.V7)
        {
            Assert.True(reader.Next());
            Assert.Equal(TarType.Symlink, reader.Type);
            Assert.Equal("file", Encoding.UTF8.GetString(reader.LinkName));
        }
        Assert.False(reader.Next());
    }

    [Fact]
    public void PaxXattrsAndDiffId()
    {
        byte[] tar = new LayerBuilder().File("f", "x", xattrs: new Dictionary<string, string> { ["user.a"] = "1", ["security.capability"] = "cap" }).Build();
        using var reader = new TarReader(new MemoryStream(tar));
        Assert.True(reader.Next());
        var found = new List<string>();
        foreach (XattrEnumerator x in reader.Xattrs) found.Add(Encoding.UTF8.GetString(x.Name[..^1]) + "=" + Encoding.UTF8.GetString(x.Value));
        found.Sort(StringComparer.Ordinal);
        Assert.Equal(new[] { "security.capability=cap", "user.a=1" }, found);
        Assert.False(reader.Next());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tar)), reader.FinishDiffId());
    }

    [Fact]
    public void CorruptAndSparseAreNamed()
    {
        byte[] tar = new LayerBuilder().File("f", "x").Build();
        tar[10] ^= 0x40;
        using var corrupt = new TarReader(new MemoryStream(tar));
        Assert.Equal("entry 1: bad header checksum (not a tar stream, or corrupt)", Assert.Throws<TarFormatException>(() => { corrupt.Next(); }).Message);

        byte[] sparse = new LayerBuilder().File("f", "x").Build();
        sparse[156] = (byte)'S';
        FixChecksum(sparse);
        using var reader = new TarReader(new MemoryStream(sparse));
        Assert.Equal("entry 1: unsupported tar entry type 'S' (GNU sparse file)", Assert.Throws<TarFormatException>(() => { reader.Next(); }).Message);
    }

    [Fact]
    public void CleanPathNeverClimbs()
    {
        byte[] output = new byte[256];
        foreach (var (raw, clean) in new[] { ("./a/b", "a/b"), ("/etc/passwd", "etc/passwd"), ("../../x", "x"), ("a/../../b", "b"), ("a//./b/", "a/b"), ("./", "") })
        {
            int n = LayerApplier.CleanPath(Encoding.UTF8.GetBytes(raw), output);
            Assert.Equal(clean, Encoding.UTF8.GetString(output, 0, n));
        }
    }

    [Fact]
    [Trait("Category", "Integration")] // applies as root
    public void ApplyingAllocatesTheSameForSmallAndLargeLayers()
    {
        byte[] small = ManyFiles(200), large = ManyFiles(4000);
        using var dir = new TempDir();
        long Measure(byte[] tar, string name)
        {
            string root = dir.Combine(name);
            Directory.CreateDirectory(root);
            long before = GC.GetAllocatedBytesForCurrentThread();
            LayerApplier.Apply(new MemoryStream(tar), root, WhiteoutMode.Delete);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Measure(small, "warm1");
        Measure(large, "warm2");
        long smallBytes = Measure(small, "small"), largeBytes = Measure(large, "large");
        Assert.True(largeBytes <= 64 * 1024, $"a 4000-entry layer allocated {largeBytes} bytes");
        Assert.True(largeBytes - smallBytes < 8 * 1024, $"allocations grew with the layer: {smallBytes} -> {largeBytes} bytes");
        Assert.Equal("content 3999", File.ReadAllText(Path.Combine(dir.Combine("large"), "d39", "f3999")));
    }

    private static byte[] ManyFiles(int count)
    {
        var builder = new LayerBuilder();
        for (int d = 0; d * 100 < count; d++) builder.Dir($"d{d}");
        for (int i = 0; i < count; i++) builder.File($"d{i / 100}/f{i}", $"content {i}");
        return builder.Build();
    }

    private static void FixChecksum(byte[] header)
    {
        for (int i = 148; i < 156; i++) header[i] = (byte)' ';
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += header[i];
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
    }
}
