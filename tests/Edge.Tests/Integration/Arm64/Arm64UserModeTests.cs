using System.IO;
using System.Linq;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration.Arm64;

/// <summary>
/// The arm64 binary, checked here under qemu-user: an aarch64 static ELF with nothing to load, and the verbs
/// that need no kernel features give the same answers as the x64 build. Containers, cgroups, seccomp and
/// images on arm64 are checked in the arm64 VM (Arm64VmTests).
/// </summary>
public class Arm64UserModeTests
{
    private const ushort EM_AARCH64 = 183;
    private const uint PT_INTERP = 3;

    [Fact]
    public void IsAStaticAarch64ElfWithNoInterpreter()
    {
        byte[] elf = File.ReadAllBytes(Arm64Binary.Path);
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, elf[..4]);
        Assert.Equal(EM_AARCH64, System.BitConverter.ToUInt16(elf, 0x12));
        ulong phoff = System.BitConverter.ToUInt64(elf, 0x20);
        ushort phentsize = System.BitConverter.ToUInt16(elf, 0x36);
        ushort phnum = System.BitConverter.ToUInt16(elf, 0x38);
        for (int i = 0; i < phnum; i++)
            Assert.NotEqual(PT_INTERP, System.BitConverter.ToUInt32(elf, (int)phoff + i * phentsize));
        ProcessResult file = EdgeProcess.Run("file", new[] { Arm64Binary.Path });
        Assert.Contains("ARM aarch64", file.Stdout);
        Assert.Matches("statically linked|static-pie linked", file.Stdout);
    }

    /// <summary>Version, commit, spec and .NET as the x64 build's; the C libraries are arm64's own packages.</summary>
    [Fact]
    public void VersionNamesTheSameRuntimeAsTheX64Build()
    {
        ProcessResult arm = Arm64Binary.Run("--version");
        Assert.True(arm.ExitCode == 0, arm.ToString());
        static string Runtime(string version) => version[..version.IndexOf("openssl: ", System.StringComparison.Ordinal)];
        Assert.Equal(Runtime(EdgeProcess.Edge("--version").Stdout), Runtime(arm.Stdout));
        foreach (string library in new[] { "openssl: ", "libseccomp: ", "zstd: ", "glibc: " })
        {
            string line = arm.Stdout.Split('\n').Single(l => l.StartsWith(library, System.StringComparison.Ordinal));
            // glibc too: libc6-dev:arm64, not the cross toolchain's copy, which lags Debian's security updates.
            Assert.Matches(@"\(Debian [^ ]+:arm64 [^ ]+\)$", line);
        }
    }

    [Fact]
    public void SpecIsTheSameAsTheX64Builds()
    {
        using var arm = new TempDir();
        using var x64 = new TempDir();
        ProcessResult armSpec = Arm64Binary.Run("spec", "--bundle", arm.Path);
        Assert.True(armSpec.ExitCode == 0, armSpec.ToString());
        Assert.Equal(0, EdgeProcess.Edge("spec", "--bundle", x64.Path).ExitCode);
        Assert.Equal(File.ReadAllText(x64.Combine("config.json")), File.ReadAllText(arm.Combine("config.json")));
    }

    [Fact]
    public void FeaturesListTheAarch64SeccompArchitecture()
    {
        ProcessResult arm = Arm64Binary.Run("features");
        Assert.True(arm.ExitCode == 0, arm.ToString());
        Assert.Contains("\"SCMP_ARCH_AARCH64\"", arm.Stdout);
        Assert.Equal(EdgeProcess.Edge("features").Stdout, arm.Stdout);
    }

    [Fact]
    public void BadInputIsOneLineAndNonZero()
    {
        ProcessResult arm = Arm64Binary.Run("--root", "/nonexistent-edge-root", "state", "nope");
        Assert.NotEqual(0, arm.ExitCode);
        Assert.Equal(EdgeProcess.Edge("--root", "/nonexistent-edge-root", "state", "nope").Stderr, arm.Stderr);
        Assert.Single(arm.Stderr.TrimEnd('\n').Split('\n'));
    }
}
