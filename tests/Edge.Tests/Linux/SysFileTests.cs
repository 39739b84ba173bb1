using System.IO;
using System.Linq;
using Edge.Linux;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Linux;

/// <summary>SysFile: the lean reader and writer of kernel control files, against what File's methods do.</summary>
public class SysFileTests
{
    [Fact]
    public void ReadsKernelFilesOfUnknownSizeToTheEnd()
    {
        // /proc files report size 0; mountinfo on a busy host is larger than the first 4 KiB buffer.
        Assert.Equal(File.ReadAllText("/proc/self/cgroup"), SysFile.ReadText("/proc/self/cgroup"));
        Assert.Equal(File.ReadAllLines("/proc/self/mounts").Length, SysFile.ReadLines("/proc/self/mounts").Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(20000)]
    public void ReadsRegularFilesOfEverySize(int size)
    {
        using var dir = new TempDir();
        string text = string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + i % 26)));
        File.WriteAllText(dir.Combine("f"), text);
        Assert.Equal(text, SysFile.ReadText(dir.Combine("f")));
    }

    [Fact]
    public void LinesDropOnlyTheFinalNewline()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("f"), "a\n\nb\n");
        Assert.Equal(new[] { "a", "", "b" }, SysFile.ReadLines(dir.Combine("f")));
        File.WriteAllText(dir.Combine("e"), "");
        Assert.Empty(SysFile.ReadLines(dir.Combine("e")));
        File.WriteAllText(dir.Combine("n"), "\n");
        Assert.Empty(SysFile.ReadLines(dir.Combine("n")));
        File.WriteAllText(dir.Combine("u"), "a\nb");
        Assert.Equal(new[] { "a", "b" }, SysFile.ReadLines(dir.Combine("u")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    [InlineData(20000)]
    public void ReadsBytesAsFileDoes(int size)
    {
        using var dir = new TempDir();
        byte[] bytes = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(dir.Combine("f"), bytes);
        Assert.Equal(bytes, SysFile.ReadBytes(dir.Combine("f")));
        Assert.Throws<FileNotFoundException>(() => SysFile.ReadBytes(dir.Combine("missing")));
        Assert.Throws<DirectoryNotFoundException>(() => SysFile.ReadBytes(dir.Combine("f", "below-a-file")));
    }

    [Fact]
    public void WritesAnExistingFileInOneWriteAndNeverCreatesOne()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("f"), "");
        SysFile.WriteText(dir.Combine("f"), "1234 é");
        Assert.Equal("1234 é", File.ReadAllText(dir.Combine("f")));
        Assert.Throws<FileNotFoundException>(() => SysFile.WriteText(dir.Combine("missing"), "x"));
        Assert.False(File.Exists(dir.Combine("missing")));
    }

    [Fact]
    public void ErrorsAreTheExceptionTypesFileThrows()
    {
        Assert.False(SysFile.TryReadText("/nonexistent/file", out _));
        var missing = Assert.Throws<FileNotFoundException>(() => SysFile.ReadText("/nonexistent/file"));
        Assert.Equal("no such file or directory", missing.Message);
        Assert.Throws<DirectoryNotFoundException>(() => SysFile.ReadText("/proc/self/cgroup/x"));
        // The kernel refuses a value: the errno's text, for the caller to put next to the file's name.
        var refused = Assert.Throws<IOException>(() => SysFile.WriteText("/proc/self/oom_score_adj", "not a number"));
        Assert.Equal("invalid argument", refused.Message);
    }
}
