using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Edge.Linux;
using Edge.Oci.RuntimeSpec;

namespace Edge.Runtime.Seccomp;

/// <summary>
/// Compiled seccomp programs, kept in the state root (`ROOT/@seccomp-cache`, root's own, 0700) so that the
/// next container with the same profile skips libseccomp. containerd, Kubernetes and podman give nearly every
/// container docker's default profile, and compiling it costs about 12 ms per start (crun pays it too).
///
/// A program depends only on what goes into <see cref="SeccompCompiler.Compile"/>: the profile's actions,
/// architectures and rules, plus the native architecture, libseccomp's version, the kernel (libseccomp asks it
/// which actions exist) and edge's own binary (the ENOSYS prologue is edge's code). All of that is written out
/// as the entry's key, stored in the entry and compared byte for byte on every load, so a file name clash
/// (the name is a 64-bit FNV hash of the key) is a miss, never another profile's program. The cache holds at
/// most <see cref="MaxEntries"/> programs; the oldest go first. Nothing here is required: any error means
/// compiling as if there were no cache.
/// </summary>
public static class SeccompCache
{
    public const string DirectoryName = "@seccomp-cache"; // '@' is not allowed in container ids: no clash
    private const int MaxEntries = 32;
    private static readonly byte[] Magic = "edge-seccomp-cache 1\n"u8.ToArray();

    /// <summary><see cref="Compile"/> for a config's linux.seccomp, or null when it has none.</summary>
    public static byte[]? CompileIfAny(Oci.RuntimeSpec.Seccomp? profile, string? stateRoot) =>
        profile is null ? null : Compile(profile, stateRoot);

    /// <summary>The program for <paramref name="profile"/>, from the cache under <paramref name="stateRoot"/> when it is there.</summary>
    public static byte[] Compile(Oci.RuntimeSpec.Seccomp profile, string? stateRoot)
    {
        SeccompCompiler.UsesNotify(profile); // a profile edge refuses is refused before anything is cached
        if (stateRoot is null || Libc.GetEffectiveUid() != 0 || BinaryIdentity() is not string binary) return SeccompCompiler.Compile(profile);
        string directory = Path.Combine(stateRoot, DirectoryName);
        byte[] key = Key(profile, binary);
        string file = Path.Combine(directory, $"{Fnv1a(key):x16}.bpf");
        if (TryLoad(file, key, out byte[] program)) return program;
        program = SeccompCompiler.Compile(profile);
        TryStore(directory, file, key, program);
        return program;
    }

    /// <summary>Everything the compiled program depends on, unambiguously (every string carries its length).</summary>
    internal static byte[] Key(Oci.RuntimeSpec.Seccomp profile, string binary)
    {
        var key = new StringBuilder(8192);
        void Text(string? s) => key.Append(s is null ? "-1:" : $"{s.Length}:{s}").Append('\n');
        Text($"libseccomp {SeccompCompiler.LibraryVersion}, native arch {SeccompCompiler.NativeArch:x}");
        Text(SysFile.TryReadText("/proc/sys/kernel/osrelease", out string kernel) ? kernel.Trim() : "");
        Text(binary);
        Text(profile.DefaultAction);
        Text(profile.DefaultErrnoRet?.ToString());
        foreach (string arch in profile.Architectures ?? new List<string>()) Text("arch " + arch);
        foreach (SyscallRule rule in profile.Syscalls ?? new List<SyscallRule>())
        {
            Text("rule " + rule.Action);
            Text(rule.ErrnoRet?.ToString());
            foreach (string name in rule.Names) Text(name);
            foreach (SyscallArg arg in rule.Args ?? new List<SyscallArg>()) Text($"arg {arg.Index} {arg.Value} {arg.ValueTwo} {arg.Op}");
            Text("end");
        }
        return Encoding.UTF8.GetBytes(key.ToString());
    }

    /// <summary>
    /// This edge binary: a new build (a new ENOSYS prologue, say) must not reuse an old one's programs. Null
    /// when it cannot be told (the binary was replaced while running): then there is no cache.
    /// </summary>
    private static string? BinaryIdentity()
    {
        try
        {
            if (File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true) is not FileInfo exe || !exe.Exists) return null;
            return $"{exe.FullName} {exe.Length} {exe.LastWriteTimeUtc.Ticks}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in data) hash = (hash ^ b) * 1099511628211;
        return hash;
    }

    /// <summary>
    /// Entry: magic, key length (4 bytes), key, program. Trusted only when the entry and its directory are
    /// edge's own (root's), not symlinks, and writable by nobody else: a state root given with --root may be
    /// somewhere another user could have made the directory first.
    /// </summary>
    private static bool TryLoad(string file, byte[] key, out byte[] program)
    {
        const uint Directory = 0x4000, Regular = 0x8000;
        program = Array.Empty<byte>();
        if (!RootsOnly(Path.GetDirectoryName(file)!, Directory) || !RootsOnly(file, Regular)) return false;
        byte[] entry;
        try
        {
            entry = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        int header = Magic.Length + 4;
        if (entry.Length < header || !entry.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return false;
        int keyLength = BitConverter.ToInt32(entry, Magic.Length);
        if (keyLength != key.Length || entry.Length < header + keyLength) return false;
        if (!entry.AsSpan(header, keyLength).SequenceEqual(key)) return false;
        int programLength = entry.Length - header - keyLength;
        // struct sock_filter is 8 bytes; the kernel takes at most BPF_MAXINSNS (4096) of them.
        if (programLength == 0 || programLength % 8 != 0 || programLength > 4096 * 8) return false;
        program = entry.AsSpan(header + keyLength).ToArray();
        return true;
    }

    /// <summary>PATH itself (not followed) is of TYPE, root's, and writable by nobody else (no 022 bits).</summary>
    private static bool RootsOnly(string path, uint type) =>
        Libc.TryOwnerAndMode(path, out uint uid, out uint mode) && uid == 0 && (mode & 0xF000) == type && (mode & 0x12) == 0;

    private static void TryStore(string directory, string file, byte[] key, byte[] program)
    {
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Trim(directory);
            byte[] entry = new byte[Magic.Length + 4 + key.Length + program.Length];
            Magic.CopyTo(entry, 0);
            BitConverter.TryWriteBytes(entry.AsSpan(Magic.Length), key.Length);
            key.CopyTo(entry, Magic.Length + 4);
            program.CopyTo(entry, Magic.Length + 4 + key.Length);
            AtomicFile.Write(file, entry, durable: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SystemCallException)
        {
            // A cache that cannot be written is only a slower start.
        }
    }

    /// <summary>Keeps the cache bounded (it lives in /run, which is memory): the least recently written go.</summary>
    private static void Trim(string directory)
    {
        var entries = new DirectoryInfo(directory).GetFiles("*.bpf");
        if (entries.Length < MaxEntries) return;
        Array.Sort(entries, (a, b) => a.LastWriteTimeUtc.CompareTo(b.LastWriteTimeUtc));
        for (int i = 0; i <= entries.Length - MaxEntries; i++) entries[i].Delete();
    }
}
