using System;
using System.Collections.Generic;
using System.IO;
using Edge.Linux;
using Edge.Oci.Json;

namespace Edge.Runtime.State;

/// <summary>Container directories under --root: records, locks, listing.</summary>
public sealed class ContainerStore
{
    public ContainerStore(string root) => Root = root;

    public string Root { get; }

    /// <summary>runc's rule: /run/runc for root, $XDG_RUNTIME_DIR/runc otherwise; edge uses "edge".</summary>
    public static string DefaultRoot(uint euid)
    {
        if (euid != 0 && Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg)
            return Path.Combine(xdg, "edge");
        return "/run/edge";
    }

    public string Directory(string id) => Path.Combine(Root, ContainerId.Validate(id));

    /// <summary>ROOT/ID/state (see <see cref="ContainerRecordFile"/>).</summary>
    public string RecordFile(string id) => Path.Combine(Directory(id), RecordName);

    private const string RecordName = "state";

    /// <summary>What edge 0.1 wrote before the record became plain text: still read, so an upgrade keeps its containers.</summary>
    private const string LegacyRecordName = "state.json";

    public bool Exists(string id) => HasRecord(Directory(id));

    private static bool HasRecord(string dir) => File.Exists(Path.Combine(dir, RecordName)) || File.Exists(Path.Combine(dir, LegacyRecordName));

    public ContainerRecord Load(string id)
    {
        string file = RecordFile(id);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (FileNotFoundException)
        {
            string legacy = Path.Combine(Directory(id), LegacyRecordName);
            if (!File.Exists(legacy)) throw new ContainerNotFoundException(id);
            return OciJson.ReadFile(legacy, RuntimeJsonContext.Default.ContainerRecord, $"state of \"{id}\"");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ContainerNotFoundException(id);
        }
        return ContainerRecordFile.Read(bytes, $"state of \"{id}\"");
    }

    public void Save(ContainerRecord record)
    {
        AtomicFile.Write(RecordFile(record.Id), ContainerRecordFile.Write(record), durable: false);
        string legacy = Path.Combine(Directory(record.Id), LegacyRecordName);
        if (File.Exists(legacy)) File.Delete(legacy);
    }

    /// <summary>Creates ROOT/ID exclusively: a second create with the same id fails here.</summary>
    public string CreateDirectory(string id)
    {
        System.IO.Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        string dir = Directory(id);
        if (Libc.Mkdir(dir, 0x1c0 /* 0700 */) != 0)
        {
            int errno = ErrnoText.Last;
            if (errno == (int)Errno.EEXIST) throw new RuntimeException($"container with id exists: {id}");
            throw new SystemCallException("mkdir", dir, errno);
        }
        return dir;
    }

    public IEnumerable<string> Ids()
    {
        if (!System.IO.Directory.Exists(Root)) yield break;
        var ids = new List<string>();
        foreach (string dir in System.IO.Directory.EnumerateDirectories(Root))
        {
            string id = Path.GetFileName(dir);
            if (ContainerId.IsValid(id) && HasRecord(dir)) ids.Add(id);
        }
        ids.Sort(StringComparer.Ordinal);
        foreach (string id in ids) yield return id;
    }

    /// <summary>An exclusive flock(2) on the container directory, so concurrent verbs on one id serialise.</summary>
    public ContainerLock Lock(string id) => ContainerLock.Acquire(Directory(id), id);
}

public sealed class ContainerLock : IDisposable
{
    private readonly FileLock _lock;

    private ContainerLock(FileLock held) => _lock = held;

    public static ContainerLock Acquire(string directory, string id)
    {
        try
        {
            return new ContainerLock(FileLock.OnDirectory(directory));
        }
        catch (SystemCallException ex) when (ex.Errno == (int)Errno.ENOENT)
        {
            throw new ContainerNotFoundException(id);
        }
    }

    public void Dispose() => _lock.Dispose();
}
