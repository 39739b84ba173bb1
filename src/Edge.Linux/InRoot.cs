using System;

namespace Edge.Linux;

/// <summary>
/// openat2(RESOLVE_IN_ROOT) with a fallback for kernels before 5.6. The fallback walks the path one
/// component at a time with O_NOFOLLOW and resolves each symlink by hand: an absolute target restarts at the
/// root, ".." never climbs above the root, and magic links (/proc/*/fd) cannot be reached because /proc of
/// the host is not inside the root. At most 40 links are followed, as the kernel does.
/// Set EDGE_NO_OPENAT2=1 to use the fallback on any kernel (tests). Native/init.c's walk_in_root follows the
/// same rule on its side of the native boundary.
/// </summary>
public static unsafe partial class InRoot
{
    /// <summary>EDGE_NO_OPENAT2=1: the walk on any kernel (tests), here and in the container's init.</summary>
    public static readonly bool ForcedWalk = Environment.GetEnvironmentVariable("EDGE_NO_OPENAT2") == "1";

    private static int _openat2 = ForcedWalk ? 0 : -1; // -1 unknown, 0 no, 1 yes

    /// <summary>Opens NUL-terminated <paramref name="path"/> below <paramref name="root"/>; returns an fd or -1 with errno set.</summary>
    public static int Open(int root, byte* path, int flags)
    {
        if (_openat2 != 0)
        {
            int fd = Libc.OpenAt2(root, path, flags, 0, Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS);
            if (fd >= 0 || ErrnoText.Last != (int)Errno.ENOSYS)
            {
                _openat2 = 1;
                return fd;
            }
            _openat2 = 0;
        }
        int length = 0;
        while (path[length] != 0) length++;
        return Walk(root, new ReadOnlySpan<byte>(path, length), flags);
    }

    private static int Walk(int root, ReadOnlySpan<byte> path, int flags)
    {
        // The remaining path lives in a buffer that symlink targets are spliced into.
        Span<byte> pending = stackalloc byte[8192];
        Span<byte> component = stackalloc byte[256];
        Span<byte> link = stackalloc byte[4096];
        if (path.Length >= pending.Length) return Fail(Errno.ENAMETOOLONG);
        path.CopyTo(pending);
        int start = 0, end = path.Length, links = 0;
        int current = Libc.OpenAt(root, Dot, OpenFlags.Path | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (current < 0) return -1;
        // Directories walked so far, for "..": their fds, the root's first.
        Span<int> stack = stackalloc int[128];
        int depth = 0;
        stack[depth++] = current;
        try
        {
            while (true)
            {
                while (start < end && pending[start] == '/') start++;
                if (start >= end) return Final(stack[depth - 1], flags);
                int slash = pending[start..end].IndexOf((byte)'/');
                int stop = slash < 0 ? end : start + slash;
                ReadOnlySpan<byte> name = pending[start..stop];
                bool last = stop >= end || pending[stop..end].IndexOfAnyExcept((byte)'/') < 0;
                start = stop;
                if (name.SequenceEqual("."u8)) continue;
                if (name.SequenceEqual(".."u8))
                {
                    if (depth > 1) Libc.Close(stack[--depth]);
                    continue;
                }
                if (name.Length >= component.Length) return Fail(Errno.ENAMETOOLONG);
                name.CopyTo(component);
                component[name.Length] = 0;
                fixed (byte* c = component)
                {
                    int next = Libc.OpenAt(stack[depth - 1], c, OpenFlags.Path | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
                    if (next < 0) return -1;
                    // Is it a symlink? readlinkat on an O_PATH fd with an empty path reads the link itself.
                    nint n;
                    fixed (byte* l = link) n = Libc.ReadLinkAt(next, Empty, l, (nuint)link.Length);
                    if (n >= 0)
                    {
                        Libc.Close(next); // (errno does not matter here: the walk goes on)
                        if (++links > 40) return Fail(Errno.ELOOP);
                        if (last && (flags & OpenFlags.NoFollow) != 0) return Fail(Errno.ELOOP);
                        // Splice: target + rest of the path.
                        int rest = end - start;
                        if (n + rest >= pending.Length) return Fail(Errno.ENAMETOOLONG);
                        pending.Slice(start, rest).CopyTo(pending[(int)n..]);
                        link[..(int)n].CopyTo(pending);
                        start = 0;
                        end = (int)n + rest;
                        if (pending[0] == '/')
                            while (depth > 1) Libc.Close(stack[--depth]); // absolute: back to the root
                        continue;
                    }
                    if (last)
                    {
                        Libc.Close(next);
                        return Final2(stack[depth - 1], c, flags);
                    }
                    if (depth == stack.Length) { Libc.Close(next); return Fail(Errno.ENAMETOOLONG); }
                    stack[depth++] = next;
                }
            }
        }
        finally
        {
            // close(2) succeeding would clear the errno the caller is about to read.
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            for (int i = 0; i < depth; i++) Libc.Close(stack[i]);
            System.Runtime.InteropServices.Marshal.SetLastPInvokeError(errno);
        }
    }

    /// <summary>The path ended at a directory already open (the root, or after ".."): reopen it with the flags.</summary>
    private static int Final(int directory, int flags) => Libc.OpenAt(directory, Dot, flags | OpenFlags.CloseOnExec, 0);

    private static int Final2(int parent, byte* name, int flags) => Libc.OpenAt(parent, name, flags | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);

    private static int Fail(Errno errno)
    {
        System.Runtime.InteropServices.Marshal.SetLastPInvokeError((int)errno);
        return -1;
    }

    /// <summary>"." as a NUL-terminated path that never moves (for *at calls on a directory fd itself).</summary>
    public static readonly byte* Dot = Alloc("."u8);
    private static readonly byte* Empty = Alloc(""u8);

    private static byte* Alloc(ReadOnlySpan<byte> text)
    {
        byte* p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)text.Length + 1);
        text.CopyTo(new Span<byte>(p, text.Length));
        p[text.Length] = 0;
        return p;
    }
}
