using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>
/// The native layout list (toolchain/edge-hot-native.txt) serves every x64 CPU, not only the one it was
/// profiled on: glibc picks its string functions per CPU (__memchr_evex here, __memchr_evex_rtm or _avx2
/// elsewhere), so each family the list names is in it whole. `hot-layout.py variants` over the committed
/// lists and the built binary's link map (out/edge.map, which names every version linked in) adds nothing.
/// </summary>
public class LayoutListTests
{
    [Fact]
    public void EveryVersionOfEachCpuDependentFamilyTheListNamesIsInIt()
    {
        string map = Path.Combine(EdgeProcess.RepoRoot, "out", "edge.map");
        Assert.True(File.Exists(map), "out/edge.map is missing: ./build.sh build");
        string toolchain = Path.Combine(EdgeProcess.RepoRoot, "toolchain");
        string[] committed = File.ReadAllLines(Path.Combine(toolchain, "edge-hot-native.txt"));
        // SSE2's version is the one no CPU of ours enters: only the variants step puts it in the list.
        Assert.Contains("__memchr_sse2", committed);

        using var work = new TempDir("edge-layout-");
        File.Copy(Path.Combine(toolchain, "edge-hot-methods.txt"), work.Combine("committed.managed"));
        File.Copy(Path.Combine(toolchain, "edge-hot-native.txt"), work.Combine("committed.native"));
        ProcessResult variants = EdgeProcess.Run("python3", new[]
        {
            Path.Combine(toolchain, "hot-layout.py"), "variants", EdgeProcess.Binary, map, work.Combine("whole"), work.Combine("committed"),
        });
        Assert.True(variants.ExitCode == 0, variants.ToString());
        string[] missing = File.ReadAllLines(work.Combine("whole.native")).Except(committed).ToArray();
        Assert.True(missing.Length == 0, "versions missing from toolchain/edge-hot-native.txt: " + string.Join(", ", missing));
    }
}
