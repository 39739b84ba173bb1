using System;
using System.IO;
using Edge.Tests.Support;

namespace Edge.Tests.Integration.Arm64;

/// <summary>The cross-built arm64 edge (./build.sh --arch arm64 build, which ./build.sh test runs) and qemu-user.</summary>
public static class Arm64Binary
{
    public static string Path
    {
        get
        {
            string path = Environment.GetEnvironmentVariable("EDGE_ARM64_BINARY") is { Length: > 0 } env ? env
                : System.IO.Path.Combine(EdgeProcess.RepoRoot, "out", "arm64", "edge");
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} not found: run ./build.sh --arch arm64 build (or ./build.sh test)");
            return path;
        }
    }

    /// <summary>Runs the arm64 edge under qemu-aarch64-static (Debian's qemu-user-static).</summary>
    public static ProcessResult Run(params string[] args)
    {
        string[] all = new string[args.Length + 1];
        all[0] = Path;
        args.CopyTo(all, 1);
        return EdgeProcess.Run("qemu-aarch64-static", all, timeoutMs: 120_000);
    }
}
