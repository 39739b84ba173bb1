using System;
using System.Collections.Generic;
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
            string root = Path.GetFullPath(source);
            foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                var info = new FileInfo(file);
                if (info.LinkTarget is string target && !Path.IsPathRooted(target))
                {
                    onLink(relative, Normalise(Path.Combine(Path.GetDirectoryName(relative) ?? "", target).Replace('\\', '/')));
                    continue;
                }
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                onFile(relative, stream, stream.Length);
            }
            return;
        }
        if (!File.Exists(source)) throw new ImageException($"{source}: no such file or directory");

        using var file0 = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        int got = file0.Read(magic);
        file0.Position = 0;
        Stream tarStream = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file0, CompressionMode.Decompress) : file0;
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
            throw new ImageException($"{source}: not a valid image archive (tar{(tarStream is GZipStream ? ".gz" : "")}): {ex.Message}");
        }
        finally
        {
            if (tarStream != file0) tarStream.Dispose();
        }
    }

    /// <summary>"./a/../b//c" → "b/c" (the project's one rule, PathClean); a path that climbs out of the archive becomes "".</summary>
    public static string Normalise(string path)
    {
        string clean = PathClean.Relative(path.Replace('\\', '/'), out bool climbed);
        return climbed || clean == "." ? "" : clean;
    }
}
