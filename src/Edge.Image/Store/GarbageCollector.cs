using System.Collections.Generic;
using System.IO;
using Edge.Linux;
using Edge.Oci.Image;

namespace Edge.Image.Store;

/// <summary>
/// `edge prune` (and the tail of `edge rmi`): removes blobs no named image reaches, and partial downloads no
/// pull is working on. Holds the store's collection lock exclusively, so it waits for pulls and loads in
/// progress, whose blobs are not named yet.
/// </summary>
public static class GarbageCollector
{
    public sealed record Result(int Blobs, long Bytes, int Partials);

    public static Result Prune(ContentStore store)
    {
        if (!Directory.Exists(store.Root)) return new Result(0, 0, 0);
        using FileLock exclusive = store.CollectionLock(exclusive: true);
        var keep = new HashSet<Digest>();
        foreach (ImageRecord record in store.Images())
        {
            Digest top = Digest.Parse(record.Digest, $"{ContentStore.IndexFile}: digest of {record.Name}");
            MarkDocument(store, top, record.MediaType, keep);
            if (Digest.TryParse(record.Manifest, out Digest manifest, out _))
                MarkDocument(store, manifest, MediaTypes.OciManifest, keep);
        }

        int blobs = 0, partials = 0;
        long bytes = 0;
        foreach (Digest digest in new List<Digest>(store.Blobs()))
        {
            if (keep.Contains(digest)) continue;
            string path = store.BlobPath(digest);
            bytes += new FileInfo(path).Length;
            File.Delete(path);
            blobs++;
        }
        if (Directory.Exists(store.IngestDirectory))
        {
            foreach (string partial in Directory.GetFiles(store.IngestDirectory, "*.partial"))
            {
                string lockPath = Path.ChangeExtension(partial, ".lock");
                using FileLock? free = FileLock.TryAcquire(lockPath, shared: false, wait: false);
                if (free is null) continue; // a pull is writing it
                bytes += new FileInfo(partial).Length;
                File.Delete(partial);
                File.Delete(lockPath);
                partials++;
            }
        }
        if (blobs > 0) AtomicFile.SyncDirectory(Path.Combine(store.BlobsDirectory, "sha256"));
        return new Result(blobs, bytes, partials);
    }

    private static void MarkDocument(ContentStore store, Digest digest, string mediaType, HashSet<Digest> keep)
    {
        if (!keep.Add(digest) || !store.Has(digest)) return;
        byte[] content = store.Read(digest, "manifest");
        string display = $"{store.Root}: {digest}";
        if (ImageContent.IsIndex(mediaType))
        {
            foreach (Descriptor entry in ImageContent.ParseIndex(content, display).Manifests)
                if (Digest.TryParse(entry.Digest, out Digest child, out _))
                    MarkDocument(store, child, entry.MediaType, keep);
            return;
        }
        if (!ImageContent.IsManifest(mediaType)) return;
        Manifest manifest = Edge.Oci.Json.OciJson.Parse(content, Edge.Oci.Json.ImageReader.Manifest, display);
        if (Digest.TryParse(manifest.Config.Digest, out Digest config, out _)) keep.Add(config);
        foreach (Descriptor layer in manifest.Layers)
            if (Digest.TryParse(layer.Digest, out Digest d, out _)) keep.Add(d);
    }
}
