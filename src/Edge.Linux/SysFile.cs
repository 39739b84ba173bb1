using System;
using System.Buffers;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Edge.Linux;

/// <summary>
/// Small kernel files (/proc, /sys/fs/cgroup): one open, read or write, and close. File.ReadAllText costs
/// eight system calls (lstat, fstat, an advisory flock and its release, two preads) and about 12 KiB of
/// stream buffers per file; a container's lifecycle touches some thirty of these files, and on a VM every
/// fresh page of heap is a costly fault. Errors surface as the same exception types File's methods throw.
/// </summary>
public static unsafe class SysFile
{
    /// <summary>The whole file as text, like File.ReadAllText.</summary>
    public static string ReadText(string path)
    {
        if (TryReadText(path, out string text, out int errno)) return text;
        throw Error(path, errno);
    }

    /// <summary>The whole file, or false when it does not exist; other errors throw.</summary>
    public static bool TryReadText(string path, out string text)
    {
        if (TryReadText(path, out text, out int errno)) return true;
        if (errno is (int)Errno.ENOENT or (int)Errno.ENOTDIR) return false;
        throw Error(path, errno);
    }

    /// <summary>The file's lines (without the final empty one), like File.ReadAllLines.</summary>
    public static string[] ReadLines(string path)
    {
        string text = ReadText(path);
        if (text is "" or "\n") return Array.Empty<string>();
        string[] lines = text.Split('\n'); // the text is not copied first to drop its final newline: fresh heap is costly
        if (text[^1] == '\n') Array.Resize(ref lines, lines.Length - 1);
        return lines;
    }

    /// <summary>
    /// Space-separated field <paramref name="index"/> (from 0) of a kernel file's line (mountinfo, stat), in
    /// place; false when the line has fewer fields.
    /// </summary>
    public static bool TryField(ReadOnlySpan<char> line, int index, out ReadOnlySpan<char> field)
    {
        foreach (Range range in line.Split(' '))
        {
            if (index-- > 0) continue;
            field = line[range];
            return true;
        }
        field = default;
        return false;
    }

    /// <summary>
    /// Writes <paramref name="text"/> with one write(2) to an existing file, as the kernel's control files
    /// expect (each write is one command). No O_CREAT: a missing control file is an error, not a new file.
    /// </summary>
    public static void WriteText(string path, string text)
    {
        int fd = Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, 0);
        if (fd < 0) throw Error(path, Marshal.GetLastPInvokeError());
        try
        {
            int length = Encoding.UTF8.GetByteCount(text);
            byte[]? rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
            Span<byte> bytes = rented ?? stackalloc byte[512];
            Encoding.UTF8.GetBytes(text, bytes);
            try
            {
                fixed (byte* p = bytes)
                {
                    nint written;
                    do written = Libc.Write(fd, p, (nuint)length);
                    while (written < 0 && Marshal.GetLastPInvokeError() == (int)Errno.EINTR);
                    if (written < 0) throw Error(path, Marshal.GetLastPInvokeError());
                    if (written != length) throw new IOException($"short write ({written} of {length} bytes)");
                }
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// The whole file's bytes, like File.ReadAllBytes without its FileStream machinery (about 13 KiB of heap
    /// for a 3 KiB config.json). For files edge reads once and whole: config.json, records.
    /// </summary>
    public static byte[] ReadBytes(string path)
    {
        if (TryRead(path, asText: false, out _, out byte[] bytes, out int errno)) return bytes;
        throw Error(path, errno);
    }

    private static bool TryReadText(string path, out string text, out int errno) =>
        TryRead(path, asText: true, out text, out _, out errno);

    /// <summary>Files larger than this are refused (EFBIG) rather than grown into.</summary>
    private const int MaxFileSize = 1 << 30;

    private static bool TryRead(string path, bool asText, out string text, out byte[] bytes, out int errno)
    {
        text = "";
        bytes = Array.Empty<byte>();
        int fd = Libc.Open(path, OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        byte[]? rented = null;
        try
        {
            // Kernel files report size 0, so read until EOF; 4 KiB covers nearly all of them.
            Span<byte> buffer = stackalloc byte[4096];
            int used = 0;
            while (true)
            {
                if (used == buffer.Length)
                {
                    if (buffer.Length >= MaxFileSize)
                    {
                        errno = (int)Errno.EFBIG;
                        return false;
                    }
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.CopyTo(bigger);
                    if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
                    rented = bigger;
                    buffer = bigger;
                }
                nint n;
                fixed (byte* p = buffer)
                    n = Libc.Read(fd, p + used, (nuint)(buffer.Length - used));
                if (n < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    if (errno == (int)Errno.EINTR) continue;
                    return false;
                }
                if (n == 0) break;
                used += (int)n;
            }
            if (asText) text = Encoding.UTF8.GetString(buffer[..used]);
            else bytes = buffer[..used].ToArray();
            errno = 0;
            return true;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            Libc.Close(fd);
        }
    }

    /// <summary>The exception type File's methods would throw for <paramref name="errno"/>; the message is the errno's text, callers name the file.</summary>
    private static Exception Error(string path, int errno)
    {
        string message = ErrnoText.Describe(errno);
        return errno switch
        {
            (int)Errno.ENOENT => new FileNotFoundException(message, path),
            (int)Errno.ENOTDIR => new DirectoryNotFoundException(message),
            (int)Errno.EACCES or (int)Errno.EPERM => new UnauthorizedAccessException(message),
            _ => new IOException(message),
        };
    }
}
