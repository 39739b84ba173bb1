using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using Edge.Linux;

namespace Edge.Image.Store;

/// <summary>
/// One blob being written into the store's ingest area: appended and hashed as it arrives, resumable
/// (a partial file left by an interrupted pull is re-hashed and continued), and published under its digest
/// only by <see cref="Commit"/>, after the size and digest check and an fsync.
/// </summary>
public sealed class Ingest : IDisposable
{
    private readonly ContentStore _store;
    private readonly FileLock _lock;
    private readonly string _partial;
    private FileStream? _file;
    private IncrementalHash _hasher;
    private bool _published;

    internal Ingest(ContentStore store, Digest expected, long size, string partial, FileLock blobLock)
    {
        _store = store;
        _lock = blobLock;
        _partial = partial;
        Expected = expected;
        Size = size;
        _hasher = Digest.NewHasher(expected.Algorithm);
        _file = new FileStream(partial, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0, // every write reaches the kernel now, so a full disk shows up where it happens
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
        if (size >= 0 && _file.Length > size) Restart();
        else RehashExisting();
        _space = new FreeSpaceGuard((int)_file.SafeFileHandle.DangerousGetHandle(), (free, reserve) =>
        {
            Discard();
            return new ImageException($"store {_store.Root}: stopped writing blob {Describe()}: the file system has {free >> 20} MiB left, below the {reserve >> 20} MiB edge keeps free (EDGE_MIN_FREE_SPACE)");
        }, inodes => new ImageException($"store {_store.Root}: the file system has {inodes} inodes left"));
    }

    private readonly FreeSpaceGuard _space;

    /// <summary>The digest the content must have; its Hex is empty for content hashed as it comes.</summary>
    public Digest Expected { get; }
    /// <summary>The size the content must have, or -1 when not known in advance.</summary>
    public long Size { get; }
    /// <summary>Bytes already written: where a resumed download starts.</summary>
    public long Offset { get; private set; }

    /// <summary>Drops what was written (the server ignored a Range request, or the partial was bad).</summary>
    public void Restart()
    {
        File.SetLength(0);
        File.Position = 0;
        Offset = 0;
        _hasher.Dispose();
        _hasher = Digest.NewHasher(Expected.Algorithm);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (Size >= 0 && Offset + data.Length > Size)
            throw new DigestMismatchException($"blob {Expected}: more than the {Size} bytes its descriptor says");
        try
        {
            File.Write(data);
        }
        catch (IOException ex) when (IsDiskFull(ex))
        {
            // The blob cannot complete: give its space back rather than keep it for a resume.
            Discard();
            throw new ImageException($"store {_store.Root}: no space left on device while writing blob {Describe()}", ex);
        }
        _hasher.AppendData(data);
        Offset += data.Length;
        _space.Wrote(data.Length);
    }

    /// <summary>Checks size and digest, makes the data durable and publishes the blob; returns its digest.</summary>
    public Digest Commit()
    {
        if (Size >= 0 && Offset != Size)
            throw new ImageException($"blob {Expected}: got {Offset} bytes, its descriptor says {Size}");
        Digest actual = Digest.FromHasher(Expected.Algorithm, _hasher);
        if (Expected.Hex.Length > 0 && actual != Expected)
        {
            Discard();
            throw new DigestMismatchException($"blob {Expected}: content has digest {actual}");
        }
        try
        {
            File.Flush(flushToDisk: true);
        }
        catch (IOException ex) when (IsDiskFull(ex))
        {
            Discard();
            throw new ImageException($"store {_store.Root}: no space left on device while writing blob {Describe()}", ex);
        }
        _file!.Dispose();
        _file = null;
        _store.Publish(_partial, actual);
        _published = true;
        return actual;
    }

    /// <summary>Deletes the partial file: its content is known to be wrong or cannot complete.</summary>
    public void Discard()
    {
        _file?.Dispose();
        _file = null;
        System.IO.File.Delete(_partial);
    }

    /// <summary>
    /// Keeps a partial file of known digest for a later resume; drops an anonymous one. The lock file goes
    /// once the blob is published: anyone still waiting on it finds the blob present when they get it.
    /// </summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (Expected.Hex.Length == 0) System.IO.File.Delete(_partial);
        if (_published || Expected.Hex.Length == 0) System.IO.File.Delete(System.IO.Path.ChangeExtension(_partial, ".lock"));
        _hasher.Dispose();
        _lock.Dispose();
    }

    private FileStream File => _file ?? throw new ObjectDisposedException("ingest of " + Describe());

    private string Describe() => Expected.Hex.Length > 0 ? Expected.ToString() : "(digest not known yet)";

    private static bool IsDiskFull(IOException ex) => (ex.HResult & 0xFFFF) == (int)Errno.ENOSPC || ex.Message.Contains("No space left", StringComparison.Ordinal);

    private void RehashExisting()
    {
        File.Position = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int n;
            while ((n = File.Read(buffer, 0, buffer.Length)) > 0) _hasher.AppendData(buffer, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Offset = File.Position;
    }
}
