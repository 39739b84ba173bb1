using System;
using System.Collections.Generic;
using System.IO;
using Edge.Linux;
using Edge.Oci.Json;

namespace Edge.Image.Store;

/// <summary>
/// The content store: verified blobs by digest (the OCI image layout's blobs/ tree), an ingest area for
/// partial downloads and images.json, the names. Blobs become visible only by rename after their digest and
/// size were checked and the data fsynced; images.json is replaced atomically and durably. So a kill -9 at
/// any moment leaves the store before or after an operation, never between.
///
/// Locks (flock, so they die with their holder): <c>gc.lock</c> is held shared by pulls and loads from their
/// first blob to their name update, and exclusively by prune, so prune never removes a blob a pull is about
/// to name; <c>images.lock</c> serialises read-modify-write of images.json; <c>ingest/X.lock</c> serialises
/// two downloads of one blob (the second then finds the blob present).
/// </summary>
public sealed class ContentStore
{
    public const string DefaultRoot = "/var/lib/edge";
    public const string IndexFile = "images.json";

    public ContentStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string BlobsDirectory => Path.Combine(Root, "blobs");
    public string IngestDirectory => Path.Combine(Root, "ingest");

    private bool _initialised;

    /// <summary>Creates the directories, private to root (0700); once per instance.</summary>
    public ContentStore Initialise()
    {
        if (_initialised) return this;
        try
        {
            // Root only (docs/security.md): the store holds what images bring, setuid binaries and device nodes
            // among it, and other people's image content; no other local user may reach any of it.
            PrivateDirectory.Ensure(Root);
            PrivateDirectory.Ensure(IngestDirectory);
            PrivateDirectory.Ensure(BlobsDirectory);
            Directory.CreateDirectory(Path.Combine(BlobsDirectory, "sha256"));
            _initialised = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"store {Root}: {ErrorText.Describe(ex)}", ex);
        }
        return this;
    }

    public string BlobPath(Digest digest) => Path.Combine(BlobsDirectory, digest.Algorithm, digest.Hex);

    public bool Has(Digest digest) => File.Exists(BlobPath(digest));

    public long SizeOf(Digest digest) => new FileInfo(BlobPath(digest)).Length;

    /// <summary>
    /// The largest document (manifest, index, config) edge reads whole into memory: configs with a long
    /// history are tens of KiB, and a hostile image must not make edge hold gigabytes.
    /// </summary>
    public const long MaxDocumentBytes = 16 << 20;

    /// <summary>Reads a small blob (manifest, config) whole; a missing or oversized one is a one-line error.</summary>
    public byte[] Read(Digest digest, string what)
    {
        try
        {
            long size = new FileInfo(BlobPath(digest)).Length;
            if (size > MaxDocumentBytes)
                throw new ImageException($"{what} {digest} is {size} bytes, more than the {MaxDocumentBytes} bytes edge reads as a document");
            return File.ReadAllBytes(BlobPath(digest));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageException($"{what} {digest} is not in the store {Root} (pull or load the image again)");
        }
    }

    public FileStream OpenRead(Digest digest) =>
        new(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

    /// <summary>
    /// Starts (or resumes) writing a blob. Returns null when the blob is already present, possibly because
    /// another process finished it while this one waited for the blob's lock.
    /// </summary>
    public Ingest? BeginIngest(Digest digest, long size)
    {
        if (Has(digest)) return null;
        string name = Path.Combine(IngestDirectory, digest.Algorithm + "-" + digest.Hex);
        FileLock blobLock = FileLock.Acquire(name + ".lock");
        if (Has(digest))
        {
            blobLock.Dispose();
            return null;
        }
        try
        {
            return new Ingest(this, digest, size, name + ".partial", blobLock);
        }
        catch
        {
            blobLock.Dispose();
            throw;
        }
    }

    /// <summary>An ingest for content whose digest is learned while reading it (docker save layers).</summary>
    public Ingest BeginUnknownIngest(string algorithm = "sha256")
    {
        string name = Path.Combine(IngestDirectory, $"unknown-{Environment.ProcessId}-{Guid.NewGuid():N}");
        return new Ingest(this, new Digest(algorithm, ""), -1, name + ".partial", FileLock.Acquire(name + ".lock"));
    }

    /// <summary>Stores small content whose digest the caller expects (verified, atomic, durable).</summary>
    public void Put(Digest digest, ReadOnlySpan<byte> content)
    {
        using Ingest? ingest = BeginIngest(digest, content.Length);
        if (ingest is null) return;
        ingest.Restart();
        ingest.Append(content);
        ingest.Commit();
    }

    /// <summary>Shared: a pull or load in progress. Exclusive: prune.</summary>
    public FileLock CollectionLock(bool exclusive) => FileLock.Acquire(Path.Combine(Root, "gc.lock"), shared: !exclusive);

    public List<ImageRecord> Images()
    {
        string path = Path.Combine(Root, IndexFile);
        // A store that exists but that this user may not enter says so (it is root's only), rather than look empty.
        if (!File.Exists(path) && !(Directory.Exists(Root) && Libc.Access(Root, Libc.X_OK) != 0)) return new List<ImageRecord>();
        return OciJson.ReadFile(path, ImageListReader.Images).Images;
    }

    /// <summary>
    /// Changes images.json under its lock: <paramref name="change"/> edits the list and says whether it
    /// changed anything; the new list replaces the file atomically and durably.
    /// </summary>
    public T UpdateImages<T>(Func<List<ImageRecord>, (bool Changed, T Result)> change)
    {
        using FileLock _ = FileLock.Acquire(Path.Combine(Root, "images.lock"));
        var list = new ImageList { Images = Images() };
        var (changed, result) = change(list.Images);
        if (changed)
        {
            list.Images.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            AtomicFile.Write(Path.Combine(Root, IndexFile), OciJson.ToIndentedUtf8(list, ImageListWriter.Images, ' ', 2), durable: true);
        }
        return result;
    }

    /// <summary>Every blob digest present in blobs/.</summary>
    public IEnumerable<Digest> Blobs()
    {
        if (!Directory.Exists(BlobsDirectory)) yield break;
        foreach (string algorithmDir in Directory.EnumerateDirectories(BlobsDirectory))
            foreach (string file in Directory.EnumerateFiles(algorithmDir))
                if (Digest.TryParse(Path.GetFileName(algorithmDir) + ":" + Path.GetFileName(file), out Digest d, out _))
                    yield return d;
    }

    internal void Publish(string partial, Digest digest)
    {
        string target = BlobPath(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(partial, target, overwrite: true);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(target)!);
    }
}
