using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>
/// The native layout list (toolchain/edge-hot-native.txt) serves every x64 CPU, not only the one it was
/// profiled on: glibc picks its string functions per CPU (__memchr_evex here, __memchr_evex_rtm or _avx2
/// elsewhere), so each family the list names is in it whole (toolchain/hot-layout.py variants). Checked
/// against the link map of the built binary (out/edge.map), which names every version linked in.
/// </summary>
public class LayoutListTests
{
    // The same patterns as hot-layout.py's CPU_VERSION and CPU_VERSIONED.
    private static readonly Regex CpuVersioned = new(@"^(__\w+?)_(?:sse2|ssse3|sse4_[12]|avx2?|evex(?:512)?|avx512[a-z]*)(?:_\w+)?$");

    [Fact]
    public void EveryVersionOfEachCpuDependentFamilyTheListNamesIsInIt()
    {
        string map = Path.Combine(EdgeProcess.RepoRoot, "out", "edge.map");
        Assert.True(File.Exists(map), "out/edge.map is missing: ./build.sh build");
        var listed = File.ReadAllLines(Path.Combine(EdgeProcess.RepoRoot, "toolchain", "edge-hot-native.txt")).ToHashSet();
        var stems = listed.Select(n => CpuVersioned.Match(n)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("__memchr", stems);

        // lld's map: a symbol line is four columns, then 16 spaces and the name.
        var missing = new SortedSet<string>();
        foreach (string line in File.ReadLines(map))
        {
            Match symbol = Regex.Match(line, @"^\s*[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+\d+ {17}(\S+)$");
            if (!symbol.Success) continue;
            string name = symbol.Groups[1].Value;
            Match family = CpuVersioned.Match(name);
            if (family.Success && stems.Contains(family.Groups[1].Value) && !listed.Contains(name)) missing.Add(name);
        }
        Assert.True(missing.Count == 0, "versions missing from toolchain/edge-hot-native.txt: " + string.Join(", ", missing));
    }
}
