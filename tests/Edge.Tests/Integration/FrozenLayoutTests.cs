using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>The frozen objects (string literals, preinitialized objects) the hot paths read sit together at the start
/// of ILC's frozen block (toolchain/frozen-layout.py, toolchain/edge-hot-frozen.txt), and the tool that moves them
/// refuses an object it cannot prove safe to rewrite: a reference it would not move, an object whose size its type
/// does not give.</summary>
public class FrozenLayoutTests
{
    private static string Tool => Path.Combine(EdgeProcess.RepoRoot, "toolchain", "frozen-layout.py");
    private static string HotList => Path.Combine(EdgeProcess.RepoRoot, "toolchain", "edge-hot-frozen.txt");

    /// <summary>ILC's object for this machine, as the build left it (before the tool rewrote its copy).</summary>
    private static string IlcObject()
    {
        string rid = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture ==
            System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string path = Path.Combine(EdgeProcess.RepoRoot, "src", "Edge.Cli", "obj", "Release", "net10.0", rid, "native", "edge.o");
        Assert.True(File.Exists(path), $"{path} is missing: build edge first (./build.sh build)");
        return path;
    }

    private static Dictionary<string, ulong> LinkMapSymbols()
    {
        string map = EdgeProcess.Binary + ".map";
        Assert.True(File.Exists(map), $"{map} is missing: build.sh writes the link map next to the binary");
        var symbols = new Dictionary<string, ulong>();
        foreach (string line in File.ReadLines(map))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 5 && fields[2] == "0" && fields[3] == "1")
                symbols.TryAdd(fields[4], Convert.ToUInt64(fields[0], 16));
        }
        return symbols;
    }

    [Fact]
    public void HotFrozenObjectsSitTogetherAtTheBlockStart()
    {
        Dictionary<string, ulong> symbols = LinkMapSymbols();
        ulong start = symbols["__FrozenSegmentStart"];
        string[] hot = File.ReadLines(HotList).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.True(hot.Length > 100, "the list names the objects `run` and the lifecycle read");
        ulong[] addresses = hot.Where(symbols.ContainsKey).Select(n => symbols[n]).ToArray();
        Assert.True(addresses.Length >= hot.Length * 9 / 10, $"{addresses.Length} of {hot.Length} listed objects are in the binary");
        // ILC's order spreads them over the whole block (370 KB); laid out, they fill its first pages.
        Assert.All(addresses, a => Assert.InRange(a, start, start + 64 * 1024));
        Assert.Equal(start + 8, addresses.Min());
    }

    [Fact]
    public void ToolMovesEveryObjectAndKeepsThemAll()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "ordered.o");
        ProcessResult order = EdgeProcess.Run("python3", new[] { Tool, "order", IlcObject(), output, HotList });
        Assert.True(order.ExitCode == 0, order.Stderr);
        Assert.Equal(new FileInfo(IlcObject()).Length, new FileInfo(output).Length);
        string[] before = EdgeProcess.Run("python3", new[] { Tool, "names", IlcObject() }).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] after = EdgeProcess.Run("python3", new[] { Tool, "names", output }).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(before.Length > 1000);
        Assert.Equal(before.OrderBy(n => n, StringComparer.Ordinal), after.OrderBy(n => n, StringComparer.Ordinal));
        string firstHot = File.ReadLines(HotList).First(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.Equal(firstHot, after[0]);
    }

    /// <summary>Each case breaks one thing the tool must prove in a copy of ILC's object; the tool refuses the copy,
    /// names what it found, and writes nothing.</summary>
    [Theory]
    [InlineData("addend", "addend")]
    [InlineData("distance", "is the distance to a frozen object")]
    [InlineData("size", "its type says")]
    [InlineData("section", "through the section symbol")]
    public void ToolRefusesAnObjectItCannotProveSafe(string breakage, string message)
    {
        using var dir = new TempDir();
        string broken = Path.Combine(dir.Path, "broken.o");
        ProcessResult mutate = EdgeProcess.Run("python3", new[] { "-", Tool, IlcObject(), broken, breakage }, stdin: Mutator);
        Assert.True(mutate.ExitCode == 0, mutate.Stderr);
        string output = Path.Combine(dir.Path, "ordered.o");
        ProcessResult order = EdgeProcess.Run("python3", new[] { Tool, "order", broken, output, HotList });
        Assert.Equal(2, order.ExitCode);
        Assert.StartsWith("frozen-layout: not laid out: ", order.Stderr);
        Assert.Contains(message, order.Stderr);
        Assert.Single(order.Stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".new"));
    }

    // Breaks a copy of ILC's object: TOOL OBJECT OUTPUT BREAKAGE.
    private const string Mutator = """
        import importlib.util, struct, sys
        spec = importlib.util.spec_from_file_location("frozen_layout", sys.argv[1])
        tool = importlib.util.module_from_spec(spec); spec.loader.exec_module(tool)
        elf = tool.ElfObject(open(sys.argv[2], "rb").read())
        block = tool.FrozenBlock(elf)
        what = sys.argv[4]
        first, size, symbols = block.objects[1]
        code_refs = tool.CODE_REFS[elf.machine]
        object_symbols = {i for pointer in block.symbols_at.values() for i in pointer}
        if what == "addend":
            # code that reads 8 bytes into an object instead of naming it
            for sec, at, target, offset, sym, typ, addend in elf.relocations():
                if sym in object_symbols and typ in code_refs:
                    struct.pack_into("<q", elf.b, at + 16, addend + 8)
                    break
            else:
                sys.exit("no code reference to a frozen object")
        elif what == "distance":
            # a resolved relative pointer: a word before the block (in System.__Canon's type, which no frozen
            # object has) holding the distance to an object
            p = (block.start - 4) & ~3
            while any(o in block.data_relocs for o in range(p - 7, p + 4)):
                p -= 4
            struct.pack_into("<i", elf.b, block.data_off + p, first - p)
        elif what == "size":
            # a string one character longer than the space it has
            length, = struct.unpack_from("<I", elf.b, block.data_off + first + 16)
            struct.pack_into("<I", elf.b, block.data_off + first + 16, length + 8)
        elif what == "section":
            # a reference into the block through the section's own symbol, outside debug information
            section_symbol = next(i for i, s in enumerate(elf.symbols) if (s[1] & 0xF) == 3 and s[2] == block.data_index)
            for sec, at, target, offset, sym, typ, addend in elf.relocations():
                if target == block.data_index and typ in tool.ABS64[elf.machine] and not block.start <= offset < block.end:
                    struct.pack_into("<Qq", elf.b, at + 8, (section_symbol << 32) | typ, first + 8)
                    break
        open(sys.argv[3], "wb").write(elf.b)
        """;
}
