using System;
using System.Runtime.InteropServices;

namespace Edge.Linux;

/// <summary>errno values edge reacts to by name; the rest are only reported.</summary>
public enum Errno
{
    EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
    ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
    ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26,
    EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, EDEADLK = 35,
    ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOPNOTSUPP = 95,
    ECONNREFUSED = 111, ETIMEDOUT = 110,
}

/// <summary>A failed system call: the operation, the path or object it was applied to, and errno.</summary>
public sealed class SystemCallException : Exception
{
    public SystemCallException(string operation, string? subject, int errno)
        : base(Format(operation, subject, errno))
    {
        Operation = operation;
        Subject = subject;
        Errno = errno;
    }

    public string Operation { get; }
    public string? Subject { get; }
    public int Errno { get; }

    private static string Format(string operation, string? subject, int errno) =>
        subject is null ? $"{operation}: {ErrnoText.Describe(errno)}" : $"{operation} `{subject}`: {ErrnoText.Describe(errno)}";
}

public static class ErrnoText
{
    /// <summary>The C library's text for errno ("no such file or directory"), lowercased as Go prints it.</summary>
    public static unsafe string Describe(int errno)
    {
        string? text = Marshal.PtrToStringUTF8((nint)Libc.StrError(errno));
        if (string.IsNullOrEmpty(text)) return "errno " + errno;
        return char.ToLowerInvariant(text[0]) + text[1..];
    }

    /// <summary>errno of the last P/Invoke declared with SetLastError.</summary>
    public static int Last => Marshal.GetLastPInvokeError();
}
