using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using Edge.Image.Store;
using Edge.Linux;
using Edge.Oci.Image;
using Index = Edge.Oci.Image.Index;
using Edge.Oci.Json;

namespace Edge.Image.Archive;

/// <summary>
/// `edge save`: one image as an OCI archive (a tar of an OCI image layout), the format `skopeo copy
/// oci-archive:` and `ctr images import` read. Written beside the target and renamed, so an interrupted
/// save leaves no half archive.
/// </summary>
public static class ArchiveSaver
{
    public static void Save(ContentStore store, ImageRecord record, string file)
    {
        Digest top = Digest.Parse(record.Digest);
        string mediaType = record.MediaType;
        var blobs = new List<Digest> { top };
        if (ImageContent.IsIndex(mediaType))
        {
            // An index whose other platforms were never fetched cannot be saved whole: save the platform's manifest.
            Index index = ImageContent.ParseIndex(store.Read(top, "index"), $"{record.Name}: index {top}");
            bool complete = index.Manifests.TrueForAll(m => Digest.TryParse(m.Digest, out Digest d, out _) && store.Has(d) && ManifestComplete(store, d));
            if (complete)
            {
                foreach (Descriptor m in index.Manifests) AddManifest(store, Digest.Parse(m.Digest), blobs);
            }
            else
            {
                top = Digest.Parse(record.Manifest);
                mediaType = MediaTypeOf(store, top);
                blobs = new List<Digest>();
                AddManifest(store, top, blobs);
            }
        }
        else
        {
            blobs.Clear();
            AddManifest(store, top, blobs);
        }

        var reference = ImageReference.Parse(record.Name);
        var annotations = new Dictionary<string, string> { [ArchiveLoader.ContainerdNameAnnotation] = record.Name };
        if (reference.Tag is not null) annotations[ArchiveLoader.RefNameAnnotation] = reference.Tag;
        var layoutIndex = new Index
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciIndex,
            Manifests = new List<Descriptor> { new() { MediaType = mediaType, Digest = top.ToString(), Size = store.SizeOf(top), Annotations = annotations } },
        };

        string full = Path.GetFullPath(file);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
                {
                    WriteBytes(writer, ImageLayout.FileName, OciJson.ToUtf8(new ImageLayout { Version = ImageLayout.CurrentVersion }, ImageWriter.Layout));
                    WriteBytes(writer, "index.json", OciJson.ToUtf8(layoutIndex, ImageWriter.Index));
                    writer.WriteEntry(DirectoryEntry("blobs/"));
                    var written = new HashSet<Digest>();
                    var algorithms = new HashSet<string>();
                    foreach (Digest blob in blobs)
                    {
                        if (!written.Add(blob)) continue;
                        if (algorithms.Add(blob.Algorithm)) writer.WriteEntry(DirectoryEntry($"blobs/{blob.Algorithm}/"));
                        using FileStream content = store.OpenRead(blob);
                        var entry = new PaxTarEntry(TarEntryType.RegularFile, $"blobs/{blob.Algorithm}/{blob.Hex}")
                        {
                            DataStream = content,
                            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                            ModificationTime = DateTimeOffset.UnixEpoch,
                        };
                        writer.WriteEntry(entry);
                    }
                }
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            AtomicFile.SyncDirectory(Path.GetDirectoryName(full)!);
            temp = "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"{file}: {ErrorText.Describe(ex)}", ex);
        }
        finally
        {
            if (temp.Length > 0) File.Delete(temp);
        }
    }

    private static PaxTarEntry DirectoryEntry(string name) => new(TarEntryType.Directory, name)
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
        ModificationTime = DateTimeOffset.UnixEpoch,
    };

    private static void WriteBytes(TarWriter writer, string name, byte[] content)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(content),
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            ModificationTime = DateTimeOffset.UnixEpoch,
        });
    }

    private static string MediaTypeOf(ContentStore store, Digest manifest) =>
        ImageContent.Resolve(null, store.Read(manifest, "manifest"), manifest.ToString());

    private static bool ManifestComplete(ContentStore store, Digest digest)
    {
        Manifest manifest = ImageContent.ParseManifest(store.Read(digest, "manifest"), digest.ToString());
        if (!store.Has(Digest.Parse(manifest.Config.Digest))) return false;
        return manifest.Layers.TrueForAll(l => store.Has(Digest.Parse(l.Digest)));
    }

    private static void AddManifest(ContentStore store, Digest digest, List<Digest> blobs)
    {
        Manifest manifest = ImageContent.ParseManifest(store.Read(digest, "manifest"), digest.ToString());
        blobs.Add(digest);
        blobs.Add(Digest.Parse(manifest.Config.Digest));
        foreach (Descriptor layer in manifest.Layers) blobs.Add(Digest.Parse(layer.Digest));
    }
}
