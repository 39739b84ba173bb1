using System;
using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>
/// Stops a write before it fills its file system: every so many bytes written (64 MiB, or half the reserve
/// when that is less) or files made (4096) it asks the kernel (fstatvfs) how much space and how many inodes
/// are still free for unprivileged use, and throws once either falls below its reserve. A hostile layer or
/// archive can then at worst use what is above the reserve (a layer of millions of empty files exhausts
/// inodes, not bytes), and the host's other programs keep working (docs/security.md, "decompression bombs").
/// </summary>
public sealed partial class FreeSpaceGuard
{
    private readonly int _fd;
    private readonly Func<long, long, Exception> _fail;
    private long _sinceCheck, _checkEvery = 1L << 20;
    private int _filesSinceCheck, _filesEvery = 64;

    /// <param name="fd">An fd on the file system written to (kept open by the caller).</param>
    /// <param name="fail">The exception for (free bytes, reserve bytes).</param>
    /// <param name="failInodes">The exception for the inodes left (5% of them, at most 65536, are kept free).</param>
    public FreeSpaceGuard(int fd, Func<long, long, Exception> fail, Func<long, Exception> failInodes)
    {
        _fd = fd;
        _fail = fail;
        _failInodes = failInodes;
    }

    private readonly Func<long, Exception> _failInodes;

    /// <summary>Bytes to keep free: EDGE_MIN_FREE_SPACE, else 5% of the file system, at most 512 MiB.</summary>
    public static long Reserve(long fileSystemSize)
    {
        if (Limits.TryBytes("EDGE_MIN_FREE_SPACE", out long configured)) return configured;
        return Math.Min(512L << 20, fileSystemSize / 20);
    }

    /// <summary>Counts <paramref name="bytes"/> written; checks what is free every so many.</summary>
    public void Wrote(long bytes)
    {
        _sinceCheck += bytes;
        if (_sinceCheck < _checkEvery) return;
        _sinceCheck = 0;
        Check();
    }

    /// <summary>Counts one file (an inode) made; checks what is free every so many (4096, or half the inode reserve).</summary>
    public void Made()
    {
        if (++_filesSinceCheck < _filesEvery) return;
        _filesSinceCheck = 0;
        Check();
    }

    public unsafe void Check()
    {
        // struct statvfs: unsigned longs, the same on x86-64 and arm64 (f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ...).
        ulong* buffer = stackalloc ulong[16];
        if (FStatVfs(_fd, buffer) != 0) return; // cannot tell: the write itself will say ENOSPC
        long frsize = (long)buffer[1], blocks = (long)buffer[2], available = (long)buffer[4];
        long free = available * frsize, reserve = Reserve(blocks * frsize);
        _checkEvery = Math.Clamp(reserve / 2, 1L << 20, 64L << 20);
        if (free < reserve) throw _fail(free, reserve);
        // Inodes: f_files, f_favail (file systems without a fixed count, such as btrfs, report 0).
        long files = (long)buffer[5], filesFree = (long)buffer[7], filesReserve = Math.Min(files / 20, 65536);
        _filesEvery = (int)Math.Clamp(filesReserve / 2, 64, 4096);
        if (files > 0 && filesFree < filesReserve) throw _failInodes(filesFree);
    }

    [LibraryImport(Libc.Name, EntryPoint = "fstatvfs", SetLastError = true)]
    private static unsafe partial int FStatVfs(int fd, ulong* buffer);
}

/// <summary>Byte counts and ratios from the environment ("64G", "512M", "100000"), for edge's hostile-input limits.</summary>
public static class Limits
{
    /// <summary>A whole number from the environment (a ratio); false when the variable is not set.</summary>
    public static bool TryNumber(string variable, out long value)
    {
        value = 0;
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (!long.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) || value < 1)
            throw new SettingException($"{variable}=\"{Printable.Short(text)}\": expected a whole number, 1 or more");
        return true;
    }

    public static bool TryBytes(string variable, out long bytes)
    {
        bytes = 0;
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 };
        if (unit != 1) text = text[..^1];
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) || value > long.MaxValue / unit)
            throw new SettingException($"{variable}=\"{Printable.Short(Environment.GetEnvironmentVariable(variable))}\": expected a number of bytes, like 512M or 64G");
        bytes = value * unit;
        return true;
    }
}

/// <summary>An environment setting edge reads is malformed; the message names it.</summary>
public sealed class SettingException : Exception
{
    public SettingException(string message) : base(message) { }
}
