using System;
using System.IO;
using System.Linq;
using Edge.Linux;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Linux;

/// <summary>
/// The one lexical path rule on both sides of the native boundary: Edge.Linux.PathClean (mount destinations,
/// masked paths, cwd, tar member names) and Native/init.c's clean_relative (what the init cleans itself)
/// give the same answer for every case, and no answer ever climbs above the root.
/// </summary>
public class PathCleanTests
{
    /// <summary>(input, cleaned, whether a ".." tried to climb above the root)</summary>
    public static readonly TheoryData<string, string, bool> Cases = new()
    {
        { "/", ".", false },
        { "", ".", false },
        { ".", ".", false },
        { "/dev/../etc/x", "etc/x", false },
        { "../../etc/passwd", "etc/passwd", true },
        { "/proc/../../../../host", "host", true },
        { "a//b/./c/", "a/b/c", false },
        { "a/../..", ".", true },
        { "a/b/../../../c", "c", true },
        { "./a/./b/.", "a/b", false },
        { "...", "...", false },
        { "..a/b..", "..a/b..", false },
        { "/a/b/c/../../d", "a/d", false },
        { "//////", ".", false },
        { "a/.../..", "a", false },
        // Longer than the stack buffer PathClean uses, and multi-byte.
        { "/" + string.Concat(Enumerable.Repeat("dir/", 150)) + "../é", string.Concat(Enumerable.Repeat("dir/", 149)) + "é", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ManagedSide(string input, string cleaned, bool climbed)
    {
        Assert.Equal(cleaned, PathClean.Relative(input, out bool didClimb));
        Assert.Equal(climbed, didClimb);
    }

    [Fact]
    public void TooSmallAnOutputIsRefusedNotTruncated()
    {
        Span<byte> output = stackalloc byte[4];
        Assert.False(PathClean.TryRelative("abc/def"u8, output, out _));
        Assert.True(PathClean.TryRelative("abc/.."u8, output, out int length));
        Assert.Equal(0, length);
    }

    /// <summary>init.c's clean_relative, compiled from the source the binary is built from, on the same table.</summary>
    [Fact]
    public void NativeSideAgrees()
    {
        using var dir = new TempDir("edge-pathclean-");
        string stub = dir.Combine("stub.bin"), harness = dir.Combine("harness.c"), program = dir.Combine("harness");
        File.WriteAllBytes(stub, Array.Empty<byte>());
        File.WriteAllText(harness,
            "#include \"" + Path.Combine(EdgeProcess.RepoRoot, "src", "Edge.Runtime", "Native", "init.c") + "\"\n" +
            "int main(void) { char line[4096]; while (fgets(line, sizeof line, stdin)) { line[strcspn(line, \"\\n\")] = 0; clean_relative(line); puts(line); } return 0; }\n");
        ProcessResult cc = EdgeProcess.Run("cc", new[] { "-O1", "-w", $"-DEDGE_EXEC_STUB=\"{stub}\"", "-o", program, harness });
        Assert.True(cc.ExitCode == 0, cc.ToString());

        string[] inputs = Cases.Select(c => (string)c[0]).ToArray();
        ProcessResult run = EdgeProcess.Run(program, Array.Empty<string>(), stdin: string.Join('\n', inputs) + "\n");
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] native = run.Stdout.Split('\n', StringSplitOptions.None)[..inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            Assert.True(native[i] == PathClean.Relative(inputs[i]), $"\"{inputs[i]}\": init.c says \"{native[i]}\", PathClean \"{PathClean.Relative(inputs[i])}\"");
    }
}
