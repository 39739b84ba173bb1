using System;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using Edge.Linux;

namespace Edge.Image.Archive;

/// <summary>
/// The files of an image archive, read once in order: a directory (an OCI layout or an unpacked `docker
/// save`) or a tar of one, optionally gzip-compressed. Paths are relative, '/'-separated, without "./".
/// Symbolic links (newer `docker save` links repeated layers) are reported with their target.
/// </summary>
public static class ArchiveSource
{
    public delegate void FileHandler(string path, Stream content, long size);

    public static void Read(string source, FileHandler onFile, Action<string, string> onLink)
    {
        if (Directory.Exists(source))
        {
            ReadDirectory(source, onFile, onLink);
            return;
        }
        FileStream file0;
        try
        {
            file0 = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"{source}: {ErrorText.Describe(ex)}", ex);
        }
        using var _ = file0;
        Span<byte> magic = stackalloc byte[2];
        int got = file0.Read(magic);
        file0.Position = 0;
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        Stream tarStream = gzip ? DecompressionLimit.Bound(new GZipStream(file0, CompressionMode.Decompress), file0.Length, source) : file0;
        try
        {
            using var reader = new TarReader(tarStream, leaveOpen: true);
            TarEntry? entry;
            while ((entry = reader.GetNextEntry()) is not null)
            {
                string name = Normalise(entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        onFile(name, entry.DataStream ?? Stream.Null, entry.Length);
                        break;
                    case TarEntryType.SymbolicLink:
                        string dir = name.Contains('/') ? name[..name.LastIndexOf('/')] : "";
                        onLink(name, Normalise(entry.LinkName.StartsWith('/') ? entry.LinkName : (dir.Length > 0 ? dir + "/" : "") + entry.LinkName));
                        break;
                    case TarEntryType.HardLink:
                        onLink(name, Normalise(entry.LinkName));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ImageException($"{source}: not a valid image archive (tar{(gzip ? ".gz" : "")}): {ErrorText.Describe(ex)}");
        }
        finally
        {
            if (tarStream != file0) tarStream.Dispose();
        }
    }

    /// <summary>
    /// A directory archive, read without ever leaving it (docs/security.md, "hostile archive"): every member
    /// is opened relative to its directory's fd with O_NOFOLLOW, so neither a symlinked file nor a symlinked
    /// directory is followed on disk. A symlink is reported as a link inside the archive, its target resolved
    /// lexically against the archive; an absolute target, or one that climbs out, names nothing. Members of
    /// other types (fifos, devices, sockets) are skipped.
    /// </summary>
    private static unsafe void ReadDirectory(string source, FileHandler onFile, Action<string, string> onLink)
    {
        int root = Libc.Open(source, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, 0);
        if (root < 0) throw new ImageException($"{source}: {ErrnoText.Describe(ErrnoText.Last)}");
        try
        {
            Walk(source, root, "", 0, onFile, onLink);
        }
        finally
        {
            Libc.Close(root);
        }
    }

    private static unsafe void Walk(string source, int directory, string prefix, int depth, FileHandler onFile, Action<string, string> onLink)
    {
        if (depth > 32) throw new ImageException($"{source}: {Printable.Short(prefix)}: directories nested too deep for an image archive");
        string[] names = Directory.GetFileSystemEntries($"/proc/self/fd/{directory}");
        for (int i = 0; i < names.Length; i++) names[i] = Path.GetFileName(names[i]);
        Array.Sort(names, StringComparer.Ordinal);
        byte[] buffer = new byte[4096];
        foreach (string name in names)
        {
            string relative = prefix + name;
            byte[] cname = System.Text.Encoding.UTF8.GetBytes(name + "\0");
            fixed (byte* c = cname)
            {
                if (!Libc.TryModeAt(directory, c, out uint mode)) continue; // gone meanwhile
                switch (mode & Libc.S_IFMT)
                {
                    case Libc.S_IFLNK:
                    {
                        nint n;
                        fixed (byte* b = buffer) n = Libc.ReadLinkAt(directory, c, b, (nuint)buffer.Length);
                        if (n < 0) continue;
                        string target = System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
                        onLink(relative, target.StartsWith('/') ? "" : Normalise(prefix + target));
                        break;
                    }
                    case Libc.S_IFDIR:
                    {
                        int child = Libc.OpenAt(directory, c, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
                        if (child < 0) throw new ImageException($"{source}: {Printable.Short(relative)}: {ErrnoText.Describe(ErrnoText.Last)}");
                        try
                        {
                            Walk(source, child, relative + "/", depth + 1, onFile, onLink);
                        }
                        finally
                        {
                            Libc.Close(child);
                        }
                        break;
                    }
                    case Libc.S_IFREG:
                    {
                        // O_NONBLOCK: should the member have become a fifo since, opening it must not wait.
                        int fd = Libc.OpenAt(directory, c, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.NonBlock | OpenFlags.CloseOnExec, 0);
                        if (fd < 0) throw new ImageException($"{source}: {Printable.Short(relative)}: {ErrnoText.Describe(ErrnoText.Last)}");
                        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1);
                        if (!Libc.TryModeAt(fd, Empty, out uint opened) || (opened & Libc.S_IFMT) != Libc.S_IFREG) continue;
                        onFile(relative, stream, stream.Length);
                        break;
                    }
                }
            }
        }
    }

    private static readonly unsafe byte* Empty = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1);

    /// <summary>"./a/../b//c" → "b/c" (the project's one rule, PathClean); a path that climbs out of the archive becomes "".</summary>
    public static string Normalise(string path)
    {
        string clean = PathClean.Relative(path.Replace('\\', '/'), out bool climbed);
        return climbed || clean == "." ? "" : clean;
    }
}
