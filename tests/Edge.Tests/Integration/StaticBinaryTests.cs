using System;
using System.Collections.Generic;
using System.IO;
using Edge.Tests.Support;
using Xunit;

namespace Edge.Tests.Integration;

/// <summary>out/edge is one self-contained file: no interpreter, no shared libraries, runs in an empty root.</summary>
public class StaticBinaryTests
{
    private const uint PT_INTERP = 3;
    private const uint PT_DYNAMIC = 2;
    private const long DT_NEEDED = 1;

    /// <summary>One ELF64 program header: its type, file offset, address, and sizes in the file and in memory.</summary>
    private readonly record struct ProgramHeader(uint Type, ulong Offset, ulong Vaddr, ulong FileSize, ulong MemSize);

    private static IEnumerable<ProgramHeader> ProgramHeaders(byte[] elf)
    {
        ulong phoff = BitConverter.ToUInt64(elf, 0x20);
        ushort phentsize = BitConverter.ToUInt16(elf, 0x36);
        ushort phnum = BitConverter.ToUInt16(elf, 0x38);
        for (int i = 0; i < phnum; i++)
        {
            int header = (int)phoff + i * phentsize;
            yield return new ProgramHeader(BitConverter.ToUInt32(elf, header), BitConverter.ToUInt64(elf, header + 8),
                BitConverter.ToUInt64(elf, header + 16), BitConverter.ToUInt64(elf, header + 32), BitConverter.ToUInt64(elf, header + 40));
        }
    }

    /// <summary>No program interpreter, and no DT_NEEDED libraries in the (relocation-only) dynamic section.</summary>
    [Fact]
    public void ElfHasNoInterpreterAndNeedsNoLibraries()
    {
        byte[] elf = File.ReadAllBytes(EdgeProcess.Binary);
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, elf[..4]);
        Assert.Equal(2, elf[4]); // ELFCLASS64
        foreach (ProgramHeader header in ProgramHeaders(elf))
        {
            Assert.NotEqual(PT_INTERP, header.Type);
            if (header.Type != PT_DYNAMIC) continue;
            long offset = (long)header.Offset, size = (long)header.FileSize;
            for (long entry = offset; entry + 16 <= offset + size; entry += 16)
                Assert.NotEqual(DT_NEEDED, BitConverter.ToInt64(elf, (int)entry));
        }
    }

    /// <summary>
    /// The zero-filled tail of every loadable segment (.bss: anonymous memory) holds no whole 2 MiB-aligned
    /// range: under transparent huge pages "always" (common on devices) the kernel would back such a range with
    /// a 2 MiB page at the first touch of any variable in it. A 4 MiB static buffer in the init did, on arm64:
    /// 5.3 MB peak RSS for `run` instead of 3.2 (bench/results/size.md).
    /// </summary>
    [Fact]
    public void NoStaticZeroedDataSpansAHugePage()
    {
        const uint PT_LOAD = 1;
        const ulong HugePage = 2 << 20;
        foreach (ProgramHeader segment in ProgramHeaders(File.ReadAllBytes(EdgeProcess.Binary)))
        {
            if (segment.Type != PT_LOAD) continue;
            ulong zeroStart = (segment.Vaddr + segment.FileSize + 4095) & ~4095UL, end = segment.Vaddr + segment.MemSize;
            ulong firstHuge = (zeroStart + HugePage - 1) & ~(HugePage - 1);
            Assert.True(firstHuge + HugePage > end,
                $"segment at 0x{segment.Vaddr:x}: zero-filled 0x{zeroStart:x}-0x{end:x} ({(end - zeroStart) >> 10} KiB) holds the 2 MiB page at 0x{firstHuge:x}");
        }
    }

    /// <summary>
    /// The linked OpenSSL looks for the system's CA certificates where Debian's does (/usr/lib/ssl, whose
    /// certs link to /etc/ssl/certs), whichever OpenSSL the build took (`./build.sh --openssl`): an OpenSSL
    /// configured with its own prefix would refuse every registry certificate without $SSL_CERT_FILE.
    /// </summary>
    [Fact]
    public void OpenSslLooksForCertificatesWhereTheSystemKeepsThem()
    {
        byte[] elf = File.ReadAllBytes(EdgeProcess.Binary);
        Assert.True(elf.AsSpan().IndexOf("/usr/lib/ssl/certs\0"u8) >= 0, "the binary's OpenSSL has another certificate directory");
    }

    [Fact]
    public void RunsInAnEmptyChroot()
    {
        using var root = new TempDir();
        File.Copy(EdgeProcess.Binary, root.Combine("edge"));
        File.SetUnixFileMode(root.Combine("edge"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Single(Directory.GetFileSystemEntries(root.Path));

        ProcessResult version = EdgeProcess.Run("chroot", new[] { root.Path, "/edge", "--version" });
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith("edge version ", version.Stdout);

        // A verb that touches the file system and the JSON code, still with nothing else present.
        ProcessResult spec = EdgeProcess.Run("chroot", new[] { root.Path, "/edge", "spec", "--bundle", "/" });
        Assert.True(spec.ExitCode == 0, spec.ToString());
        Assert.True(File.Exists(root.Combine("config.json")));
        ProcessResult state = EdgeProcess.Run("chroot", new[] { root.Path, "/edge", "state", "x" });
        Assert.Equal("edge: container \"x\" does not exist\n", state.Stderr);
    }

    [Fact]
    public void FileSaysStatic()
    {
        ProcessResult r = EdgeProcess.Run("file", new[] { "-b", EdgeProcess.Binary });
        Assert.Contains("statically linked", r.Stdout.Replace("static-pie linked", "statically linked"));
    }

    /// <summary>
    /// `edge --version` names the C libraries linked in, each with its Debian package version (a static binary
    /// keeps them until it is rebuilt; advisories name those versions). The OpenSSL line is checked against the
    /// binary itself: OPENSSL_VERSION_TEXT of that version is in it. A Debian package named must be the one
    /// installed here, where the binary was built.
    /// </summary>
    [Fact]
    public void VersionNamesTheLinkedLibrariesAndTheirPackages()
    {
        ProcessResult version = EdgeProcess.Run(EdgeProcess.Binary, new[] { "--version" });
        Assert.True(version.ExitCode == 0, version.ToString());
        var lines = new Dictionary<string, string>();
        foreach (string line in version.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.IndexOf(": ", StringComparison.Ordinal) is int colon and > 0) lines[line[..colon]] = line[(colon + 2)..];
        foreach (string library in new[] { "openssl", "libseccomp", "zstd", "glibc" })
        {
            Assert.True(lines.TryGetValue(library, out string? value), version.Stdout);
            var match = System.Text.RegularExpressions.Regex.Match(value!, @"^([0-9]+\.[0-9]+(\.[0-9]+)?[a-z]?)( \(Debian ([^ ]+) ([^ )]+)\))?$");
            Assert.True(match.Success, $"{library}: {value}");
            if (match.Groups[3].Success)
            {
                ProcessResult installed = EdgeProcess.Run("dpkg-query", new[] { "-W", "-f=${Version}", match.Groups[4].Value });
                Assert.Equal(installed.Stdout, match.Groups[5].Value);
            }
            if (library == "openssl")
            {
                byte[] text = System.Text.Encoding.ASCII.GetBytes($"OpenSSL {match.Groups[1].Value} ");
                Assert.True(File.ReadAllBytes(EdgeProcess.Binary).AsSpan().IndexOf(text) >= 0, $"no \"OpenSSL {match.Groups[1].Value} \" in the binary");
            }
        }
    }
}
