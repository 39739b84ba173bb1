using System;
using System.Buffers;
using System.IO;
using Edge.Layers.Tar;
using System.Runtime.InteropServices;
using Edge.Linux;

namespace Edge.Layers;

/// <summary>How whiteouts are written.</summary>
public enum WhiteoutMode
{
    /// <summary>Applied: the whited-out paths are deleted (a flattened rootfs).</summary>
    Delete,
    /// <summary>Recorded as overlayfs whiteouts (char 0:0, trusted.overlay.opaque=y), for a snapshot layer.</summary>
    Overlay,
}

/// <summary>What applying a layer did.</summary>
public sealed record LayerStatistics(string DiffId, long Entries, long Bytes, int SkippedDevices);

/// <summary>
/// Applies a layer tar (image-spec layer.md) to a root directory. Every path is resolved inside the root:
/// parents through openat2(RESOLVE_IN_ROOT), and the last component with *at calls that do not follow it. So
/// "..", absolute names, symlinks pointing out and hardlinks to outside paths all stay inside (or fail).
/// Nothing is allocated per entry: paths are UTF-8 bytes in reused buffers, and data goes from the tar
/// reader's buffer straight to write(2).
/// </summary>
public sealed unsafe class LayerApplier : IDisposable
{
    private const int DirectoryFlags = OpenFlags.Path | OpenFlags.CloseOnExec;
    private readonly int _root;
    private readonly WhiteoutMode _mode;
    private readonly Action<string>? _warn;
    // Pinned (allocated once per layer), so pointers into them stay valid across calls.
    private readonly byte[] _path = GC.AllocateUninitializedArray<byte>(8192, pinned: true);
    private readonly byte[] _scratch = GC.AllocateUninitializedArray<byte>(8192, pinned: true);
    private readonly Libc.Timespec* _times = (Libc.Timespec*)NativeMemory.Alloc((nuint)(2 * sizeof(Libc.Timespec)));
    private byte[] _cachedParent = ArrayPool<byte>.Shared.Rent(8192);
    private int _cachedParentLength = -1, _cachedParentFd = -1;
    private bool _cacheStale;
    // Directory mtimes are set last, after their children stopped changing them.
    private byte[] _deferredPaths = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _deferredLength;
    private DeferredDirectory[] _deferred = ArrayPool<DeferredDirectory>.Shared.Rent(256);
    private int _deferredCount;
    // Paths this layer wrote, for an opaque directory in Delete mode (which keeps them).
    private readonly PathSet _written = new();

    private struct DeferredDirectory
    {
        public int Offset, Length, Nanos;
        public long Seconds;
    }
    private int _skippedDevices, _skippedOverlayXattrs;
    private long _bytes;

    private LayerApplier(int rootFd, WhiteoutMode mode, Action<string>? warn)
    {
        _root = rootFd;
        _mode = mode;
        _warn = warn;
        _space = new FreeSpaceGuard(rootFd,
            static (free, reserve) => new LayerApplyException($"stopped: the file system has {free >> 20} MiB left, below the {reserve >> 20} MiB edge keeps free (EDGE_MIN_FREE_SPACE)"),
            static inodes => new LayerApplyException($"stopped: the file system has {inodes} inodes left, below the 5% edge keeps free"));
    }

    private readonly FreeSpaceGuard _space;

    /// <summary>Applies <paramref name="tar"/> (uncompressed) to <paramref name="root"/>, which must exist.</summary>
    public static LayerStatistics Apply(Stream tar, string root, WhiteoutMode mode, Action<string>? warn = null)
    {
        int rootFd = Libc.Open(root, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (rootFd < 0) throw new SystemCallException("open", root, ErrnoText.Last);
        using var applier = new LayerApplier(rootFd, mode, warn);
        using var reader = new TarReader(tar);
        while (reader.Next()) applier.ApplyEntry(reader);
        string diffId = reader.FinishDiffId();
        applier.FinishDirectories();
        return new LayerStatistics(diffId, reader.Entries, applier._bytes, applier._skippedDevices);
    }

    private void ApplyEntry(TarReader entry)
    {
        _space.Made();
        int length = CleanPath(entry.Name, _path);
        if (length == 0)
        {
            // The root itself ("./"): only its attributes, set at the end like every directory's.
            if (entry.Type == TarType.Directory) SetDirectoryAttributes(_root, entry, 0);
            return;
        }
        _path[length] = 0;
        int slash = LastSlash(_path, length);
        int parent = OpenParent(slash, entry);
        byte* name = NamePointer(slash);
        ReadOnlySpan<byte> baseName = _path.AsSpan(slash + 1, length - slash - 1);

        if (baseName.StartsWith(".wh."u8))
        {
            ApplyWhiteout(parent, slash, baseName, length, entry);
            return;
        }
        if (_mode == WhiteoutMode.Delete) _written.Add(Hash(_path.AsSpan(0, length)));

        switch (entry.Type)
        {
            case TarType.Directory:
                MakeDirectory(parent, name, entry, length);
                break;
            case TarType.Regular or TarType.Contiguous:
                WriteFile(parent, name, entry);
                break;
            case TarType.Symlink:
                MakeSymlink(parent, name, entry);
                break;
            case TarType.HardLink:
                MakeHardLink(parent, name, entry);
                break;
            default:
                MakeNode(parent, name, entry);
                break;
        }
    }

    private void WriteFile(int parent, byte* name, TarReader entry)
    {
        int fd = Create(Make.File, parent, name, entry);
        try
        {
            ReadOnlySpan<byte> chunk;
            while ((chunk = entry.ReadData()).Length > 0)
            {
                fixed (byte* data = chunk)
                {
                    int offset = 0;
                    while (offset < chunk.Length)
                    {
                        nint n = Libc.Write(fd, data + offset, (nuint)(chunk.Length - offset));
                        if (n < 0)
                        {
                            int errno = ErrnoText.Last;
                            if (errno == (int)Errno.EINTR) continue;
                            throw Fail(entry, "write", errno);
                        }
                        offset += (int)n;
                    }
                }
                _bytes += chunk.Length;
                _space.Wrote(chunk.Length);
            }
            if (Libc.Fchown(fd, entry.Uid, entry.Gid) != 0) throw Fail(entry, "chown", ErrnoText.Last);
            // After chown, which clears setuid and setgid.
            if (Libc.Fchmod(fd, entry.Mode) != 0) throw Fail(entry, "chmod", ErrnoText.Last);
            foreach (XattrEnumerator x in entry.Xattrs) SetXattr(fd, x.Name, x.Value, entry);
            Libc.Futimens(fd, Times(entry));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private void MakeDirectory(int parent, byte* name, TarReader entry, int pathLength)
    {
        if (Libc.MkdirAt(parent, name, 0x1ED) != 0)
        {
            int errno = ErrnoText.Last;
            if (errno != (int)Errno.EEXIST) throw Fail(entry, "mkdir", errno);
            // Something is there: a directory stays (its attributes change); anything else is replaced.
            int existing = Libc.OpenAt(parent, name, OpenFlags.Path | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
            if (existing >= 0) Libc.Close(existing);
            else
            {
                RemoveTree(parent, name);
                if (Libc.MkdirAt(parent, name, 0x1ED) != 0) throw Fail(entry, "mkdir", ErrnoText.Last);
            }
        }
        int fd = Libc.OpenAt(parent, name, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
        if (fd < 0) throw Fail(entry, "open", ErrnoText.Last);
        try
        {
            SetDirectoryAttributes(fd, entry, pathLength);
        }
        finally
        {
            Libc.Close(fd);
        }
        InvalidateCache(); // a directory this entry replaced may be the cached parent
    }

    private void SetDirectoryAttributes(int fd, TarReader entry, int pathLength)
    {
        if (Libc.Fchown(fd, entry.Uid, entry.Gid) != 0 && fd != _root) throw Fail(entry, "chown", ErrnoText.Last);
        Libc.Fchmod(fd, entry.Mode);
        foreach (XattrEnumerator x in entry.Xattrs) SetXattr(fd, x.Name, x.Value, entry);
        if (_deferredLength + pathLength > _deferredPaths.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((_deferredLength + pathLength) * 2);
            _deferredPaths.AsSpan(0, _deferredLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_deferredPaths);
            _deferredPaths = bigger;
        }
        _path.AsSpan(0, pathLength).CopyTo(_deferredPaths.AsSpan(_deferredLength));
        if (_deferredCount == _deferred.Length)
        {
            DeferredDirectory[] bigger = ArrayPool<DeferredDirectory>.Shared.Rent(_deferred.Length * 2);
            _deferred.AsSpan(0, _deferredCount).CopyTo(bigger);
            ArrayPool<DeferredDirectory>.Shared.Return(_deferred);
            _deferred = bigger;
        }
        _deferred[_deferredCount++] = new DeferredDirectory { Offset = _deferredLength, Length = pathLength, Seconds = entry.MtimeSeconds, Nanos = entry.MtimeNanoseconds };
        _deferredLength += pathLength;
    }

    private void MakeSymlink(int parent, byte* name, TarReader entry)
    {
        ReadOnlySpan<byte> target = entry.LinkName;
        if (target.Length == 0) throw new TarFormatException($"entry \"{Describe(entry)}\": symlink without a target");
        if (target.Length + 1 > _scratch.Length) throw new TarFormatException($"entry \"{Describe(entry)}\": symlink target too long");
        target.CopyTo(_scratch);
        _scratch[target.Length] = 0;
        Create(Make.Symlink, parent, name, entry, Pointer(_scratch, 0));
        if (Libc.FchownAt(parent, name, entry.Uid, entry.Gid, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw Fail(entry, "lchown", ErrnoText.Last);
        Libc.UtimensAt(parent, name, Times(entry), Libc.AT_SYMLINK_NOFOLLOW);
    }

    private void MakeHardLink(int parent, byte* name, TarReader entry)
    {
        int length = CleanPath(entry.LinkName, _scratch);
        if (length == 0) throw new TarFormatException($"entry \"{Describe(entry)}\": hardlink to the root directory");
        _scratch[length] = 0;
        int slash = LastSlash(_scratch, length);
        int targetParent = _root;
        if (slash > 0)
        {
            _scratch[slash] = 0;
            targetParent = InRoot.Open(_root, Pointer(_scratch, 0), OpenFlags.Path | OpenFlags.Directory | OpenFlags.CloseOnExec);
            _scratch[slash] = (byte)'/';
            if (targetParent < 0) throw new TarFormatException($"entry \"{Describe(entry)}\": hardlink target \"{System.Text.Encoding.UTF8.GetString(entry.LinkName)}\" is not in the layer");
        }
        try
        {
            Create(Make.HardLink, parent, name, entry, Pointer(_scratch, slash + 1), targetParent);
        }
        finally
        {
            if (targetParent != _root) Libc.Close(targetParent);
        }
    }

    private void MakeNode(int parent, byte* name, TarReader entry)
    {
        uint type = entry.Type switch { TarType.CharDevice => Libc.S_IFCHR, TarType.BlockDevice => Libc.S_IFBLK, _ => Libc.S_IFIFO };
        ulong device = entry.Type == TarType.Fifo ? 0 : Libc.MakeDev(entry.DevMajor, entry.DevMinor);
        int result = Libc.MknodAt(parent, name, type | entry.Mode, device);
        if (result != 0 && ErrnoText.Last == (int)Errno.EEXIST)
        {
            RemoveTree(parent, name);
            result = Libc.MknodAt(parent, name, type | entry.Mode, device);
        }
        if (result != 0)
        {
            int errno = ErrnoText.Last;
            if (errno == (int)Errno.EPERM && entry.Type != TarType.Fifo)
            {
                // Not allowed here (a user namespace): the layer still applies, without the device.
                if (_skippedDevices++ == 0) _warn?.Invoke($"cannot create device \"{Describe(entry)}\" here (EPERM): skipping device nodes of this layer");
                return;
            }
            throw Fail(entry, "mknod", errno);
        }
        if (Libc.FchownAt(parent, name, entry.Uid, entry.Gid, Libc.AT_SYMLINK_NOFOLLOW) != 0) throw Fail(entry, "chown", ErrnoText.Last);
        // mknod applied the umask; the node was just made here, so the name is not a symlink.
        if (Libc.FchmodAt(parent, name, entry.Mode, 0) != 0) throw Fail(entry, "chmod", ErrnoText.Last);
        Libc.UtimensAt(parent, name, Times(entry), Libc.AT_SYMLINK_NOFOLLOW);
    }

    /// <summary>.wh.NAME hides NAME of the lower layers; .wh..wh..opq hides the whole directory's lower content.</summary>
    private void ApplyWhiteout(int parent, int slash, ReadOnlySpan<byte> baseName, int length, TarReader entry)
    {
        bool opaque = baseName.SequenceEqual(".wh..wh..opq"u8);
        // ".wh." alone, ".wh.." and ".wh..." would name the directory itself or its parent: the parent's
        // fd path plus "." or ".." would be cleaned into another directory altogether (and ".." through
        // /proc/self/fd names /proc/self/fd itself). Other ".wh..wh." names are reserved markers: skipped,
        // as containerd skips them.
        ReadOnlySpan<byte> hidden = baseName[4..];
        if (!opaque && (hidden.Length == 0 || hidden.SequenceEqual("."u8) || hidden.SequenceEqual(".."u8)))
            throw new TarFormatException($"entry \"{Describe(entry)}\": a whiteout must name an entry (not \"{Printable.Short(hidden)}\")");
        if (!opaque && hidden.StartsWith(".wh."u8)) return;
        if (_mode == WhiteoutMode.Overlay)
        {
            if (opaque)
            {
                SetOwnXattrOnFd(parent, "trusted.overlay.opaque\0"u8, "y"u8, entry);
                return;
            }
            Create(Make.Whiteout, parent, Pointer(_path, slash + 1 + 4), entry);
            return;
        }
        if (opaque)
        {
            RemoveLowerChildren(parent, slash);
            return;
        }
        RemoveTree(parent, Pointer(_path, slash + 1 + 4));
        InvalidateCache();
    }

    private enum Make { File, Symlink, HardLink, Whiteout }

    /// <summary>Creates NAME; if the name is taken (an earlier entry), removes it and tries once more.</summary>
    private int Create(Make what, int parent, byte* name, TarReader entry, byte* other = null, int otherParent = -1)
    {
        int result = CreateOnce(what, parent, name, other, otherParent);
        if (result >= 0) return result;
        int errno = ErrnoText.Last;
        if (errno == (int)Errno.EEXIST)
        {
            RemoveTree(parent, name);
            InvalidateCache();
            result = CreateOnce(what, parent, name, other, otherParent);
            if (result >= 0) return result;
            errno = ErrnoText.Last;
        }
        if (what == Make.HardLink && errno == (int)Errno.ENOENT)
            throw new TarFormatException($"entry \"{Describe(entry)}\": hardlink target \"{System.Text.Encoding.UTF8.GetString(entry.LinkName)}\" is not in the layer");
        throw Fail(entry, "create", errno);
    }

    private static int CreateOnce(Make what, int parent, byte* name, byte* other, int otherParent) => what switch
    {
        Make.File => Libc.OpenAt(parent, name, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0x180),
        Make.Symlink => Libc.SymlinkAt(other, parent, name),
        // flags 0: a symlink target is linked as the symlink itself, never followed.
        Make.HardLink => Libc.LinkAt(otherParent, other, parent, name, 0),
        _ => Libc.MknodAt(parent, name, Libc.S_IFCHR, 0),
    };

    /// <summary>Removes NAME in PARENT whatever it is (a directory with everything under it), never following links.</summary>
    private static void RemoveTree(int parent, byte* name)
    {
        if (Libc.UnlinkAt(parent, name, 0) == 0) return;
        int errno = ErrnoText.Last;
        if (errno == (int)Errno.ENOENT) return;
        if (Libc.UnlinkAt(parent, name, Libc.AT_REMOVEDIR) == 0) return;
        errno = ErrnoText.Last;
        if (errno == (int)Errno.ENOENT) return;
        // A directory with content: rare enough to walk with the managed file APIs (which do not follow links).
        string path = $"/proc/self/fd/{parent}/{new string((sbyte*)name)}";
        Directory.Delete(path, recursive: true);
    }

    private void RemoveLowerChildren(int parent, int slash)
    {
        string directory = $"/proc/self/fd/{parent}";
        ReadOnlySpan<byte> parentPath = slash > 0 ? _path.AsSpan(0, slash) : ReadOnlySpan<byte>.Empty;
        foreach (string child in Directory.GetFileSystemEntries(directory))
        {
            string childName = Path.GetFileName(child);
            byte[] full = new byte[parentPath.Length + 1 + System.Text.Encoding.UTF8.GetByteCount(childName)];
            parentPath.CopyTo(full);
            int at = parentPath.Length;
            if (at > 0) full[at++] = (byte)'/';
            int n = System.Text.Encoding.UTF8.GetBytes(childName, full.AsSpan(at));
            if (_written.Contains(Hash(full.AsSpan(0, at + n)))) continue;
            byte[] cname = System.Text.Encoding.UTF8.GetBytes(childName + "\0");
            fixed (byte* c = cname) RemoveTree(parent, c);
        }
        InvalidateCache();
    }

    private void SetXattr(int fd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, TarReader entry)
    {
        // overlayfs reads its own private xattrs (whiteouts, opaque directories, redirects, metacopy) from
        // the layers it stacks: a layer must never set them (only edge does, for its own whiteouts).
        if (name.StartsWith("trusted.overlay."u8) || name.StartsWith("user.overlay."u8))
        {
            if (_skippedOverlayXattrs++ == 0)
                _warn?.Invoke($"ignoring overlayfs-private xattr {Printable.Short(name[..^1])} on \"{Describe(entry)}\" (and any more in this layer)");
            return;
        }
        WriteXattr(fd, name, value, entry);
    }

    private void WriteXattr(int fd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, TarReader entry)
    {
        fixed (byte* n = name)
        fixed (byte* v = value)
        {
            if (Libc.Fsetxattr(fd, n, v, (nuint)value.Length, 0) != 0)
            {
                int errno = ErrnoText.Last;
                if (errno is (int)Errno.EOPNOTSUPP or (int)Errno.EPERM)
                {
                    _warn?.Invoke($"cannot set xattr {System.Text.Encoding.UTF8.GetString(name[..^1])} on \"{Describe(entry)}\" ({ErrnoText.Describe(errno)})");
                    return;
                }
                throw Fail(entry, "setxattr", errno);
            }
        }
    }

    /// <summary>
    /// edge's own overlayfs xattr on an O_PATH directory fd, reopened as a directory (fsetxattr refuses
    /// O_PATH); layers' xattrs go through <see cref="SetXattr"/>, which refuses overlayfs's.
    /// </summary>
    private void SetOwnXattrOnFd(int fd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, TarReader entry)
    {
        int dir = Libc.OpenAt(fd, InRoot.Dot, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (dir < 0) throw Fail(entry, "open", ErrnoText.Last);
        try
        {
            WriteXattr(dir, name, value, entry);
        }
        finally
        {
            Libc.Close(dir);
        }
    }

    /// <summary>The parent directory of the current path as an O_PATH fd, created (inside the root) if missing.</summary>
    private int OpenParent(int slash, TarReader entry)
    {
        if (_cacheStale) CloseCache();
        if (slash <= 0) return _root;
        ReadOnlySpan<byte> parent = _path.AsSpan(0, slash);
        if (_cachedParentFd >= 0 && parent.SequenceEqual(_cachedParent.AsSpan(0, _cachedParentLength))) return _cachedParentFd;
        CloseCache();
        _path[slash] = 0;
        int fd;
        try
        {
            fd = InRoot.Open(_root, Pointer(_path, 0), DirectoryFlags | OpenFlags.Directory);
            if (fd < 0 && ErrnoText.Last == (int)Errno.ENOENT)
            {
                MakeParents(slash, entry);
                fd = InRoot.Open(_root, Pointer(_path, 0), DirectoryFlags | OpenFlags.Directory);
            }
            if (fd < 0) throw Fail(entry, "open parent", ErrnoText.Last);
        }
        finally
        {
            _path[slash] = (byte)'/';
        }
        parent.CopyTo(_cachedParent);
        _cachedParentLength = slash;
        _cachedParentFd = fd;
        return fd;
    }

    /// <summary>mkdir -p of _path[..end] (NUL at end), each component created in its resolved-inside-root parent.</summary>
    private void MakeParents(int end, TarReader entry)
    {
        int previous = _root;
        int start = 0;
        try
        {
            while (start < end)
            {
                int next = _path.AsSpan(start, end - start).IndexOf((byte)'/');
                int stop = next < 0 ? end : start + next;
                byte saved = _path[stop];
                _path[stop] = 0;
                byte* p = Pointer(_path, 0);
                int fd = InRoot.Open(_root, p, DirectoryFlags | OpenFlags.Directory);
                if (fd < 0 && ErrnoText.Last == (int)Errno.ENOENT)
                {
                    if (Libc.MkdirAt(previous, p + start, 0x1ED) != 0 && ErrnoText.Last != (int)Errno.EEXIST)
                        throw Fail(entry, "mkdir parent", ErrnoText.Last);
                    fd = InRoot.Open(_root, p, DirectoryFlags | OpenFlags.Directory);
                }
                _path[stop] = saved;
                if (fd < 0) throw Fail(entry, "open parent", ErrnoText.Last);
                if (previous != _root) Libc.Close(previous);
                previous = fd;
                start = stop + 1;
            }
        }
        finally
        {
            if (previous != _root) Libc.Close(previous);
        }
    }

    /// <summary>
    /// Something was removed or replaced: the cached parent may now name a deleted directory, or its path may
    /// resolve elsewhere. Marked only, and closed at the next lookup, because the current entry may still be
    /// using the fd.
    /// </summary>
    private void InvalidateCache() => _cacheStale = true;

    private void CloseCache()
    {
        if (_cachedParentFd >= 0) Libc.Close(_cachedParentFd);
        _cachedParentFd = -1;
        _cachedParentLength = -1;
        _cacheStale = false;
    }

    private void FinishDirectories()
    {
        CloseCache();
        Libc.Timespec* times = _times;
        for (int i = _deferredCount - 1; i >= 0; i--)
        {
            var (offset, length, seconds, nanos) = (_deferred[i].Offset, _deferred[i].Length, _deferred[i].Seconds, _deferred[i].Nanos);
            times[0] = times[1] = new Libc.Timespec { Seconds = seconds, Nanoseconds = nanos };
            if (length == 0)
            {
                Libc.Futimens(_root, times);
                continue;
            }
            _deferredPaths.AsSpan(offset, length).CopyTo(_path);
            _path[length] = 0;
            int fd = InRoot.Open(_root, Pointer(_path, 0), OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec);
            if (fd < 0) continue; // replaced or whited out later in the layer
            Libc.Futimens(fd, times);
            Libc.Close(fd);
        }
    }

    private Libc.Timespec* Times(TarReader entry)
    {
        _times[0] = _times[1] = new Libc.Timespec { Seconds = entry.MtimeSeconds, Nanoseconds = entry.MtimeNanoseconds };
        return _times;
    }

    /// <summary>
    /// A tar path cleaned into <paramref name="output"/> by the project's one rule (PathClean): no leading "/"
    /// or "./", "." dropped, ".." never climbing above the root. Returns the length (0 = the root).
    /// </summary>
    public static int CleanPath(ReadOnlySpan<byte> raw, byte[] output)
    {
        if (raw.IndexOf((byte)0) >= 0) throw new TarFormatException("path contains a NUL byte");
        if (!PathClean.TryRelative(raw, output.AsSpan(0, output.Length - 1), out int length))
            throw new TarFormatException($"path of {raw.Length} bytes is too long");
        return length;
    }

    private static int LastSlash(byte[] path, int length) => path.AsSpan(0, length).LastIndexOf((byte)'/');

    private byte* NamePointer(int slash) => Pointer(_path, slash + 1);

    /// <summary>A pointer into one of the pinned buffers.</summary>
    private static byte* Pointer(byte[] pinned, int offset) =>
        (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned)) + offset;

    private static ulong Hash(ReadOnlySpan<byte> path)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in path) hash = (hash ^ b) * 1099511628211;
        return hash;
    }

    private static string Describe(TarReader entry) => Printable.Short(entry.Name);

    private static Exception Fail(TarReader entry, string operation, int errno) =>
        new LayerApplyException($"entry \"{Describe(entry)}\": {operation}: {ErrnoText.Describe(errno)}");

    public void Dispose()
    {
        CloseCache();
        Libc.Close(_root);
        NativeMemory.Free(_times);
        ArrayPool<byte>.Shared.Return(_cachedParent);
        ArrayPool<DeferredDirectory>.Shared.Return(_deferred);
        _written.Dispose();
        ArrayPool<byte>.Shared.Return(_deferredPaths);
        _cachedParent = _deferredPaths = Array.Empty<byte>();
    }
}

/// <summary>A layer entry that could not be applied (the message names the entry and the failed call).</summary>
public sealed class LayerApplyException : Exception
{
    public LayerApplyException(string message) : base(message) { }
}
