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

    public string DirectoryOf(string id) => Path.Combine(Root, ContainerId.Validate(id));

    /// <summary>ROOT/ID/state (see <see cref="ContainerRecordFile"/>).</summary>
    public string RecordFile(string id) => Path.Combine(DirectoryOf(id), RecordName);

    private const string RecordName = "state";

    /// <summary>What edge 0.1 wrote before the record became plain text: still read, so an upgrade keeps its containers.</summary>
    private const string LegacyRecordName = "state.json";

    public bool Exists(string id) => HasRecord(DirectoryOf(id));

    private static bool HasRecord(string dir) => File.Exists(Path.Combine(dir, RecordName)) || File.Exists(Path.Combine(dir, LegacyRecordName));

    public ContainerRecord Load(string id)
    {
        string file = RecordFile(id);
        byte[] bytes;
        try
        {
            bytes = SysFile.ReadBytes(file);
        }
        catch (FileNotFoundException)
        {
            string legacy = Path.Combine(DirectoryOf(id), LegacyRecordName);
            if (!File.Exists(legacy)) throw new ContainerNotFoundException(id);
            return OciJson.ReadFile(legacy, LegacyRecordReader.Record, $"state of \"{id}\"");
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
        string legacy = Path.Combine(DirectoryOf(record.Id), LegacyRecordName);
        if (File.Exists(legacy)) File.Delete(legacy);
    }

    /// <summary>
    /// Creates ROOT/ID exclusively (a second create with the same id fails here), already locked: the
    /// directory is made and locked as ROOT/@new:ID and renamed into place, so nobody ever sees it unlocked
    /// while its creator lives (an unlocked directory without a record is a dead create's). A ROOT/@new:ID
    /// nobody holds is what a create killed in between left, and is removed.
    /// </summary>
    public ContainerLock CreateDirectory(string id, out string directory)
    {
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        directory = DirectoryOf(id);
        string temporary = TemporaryDirectory(id);
        if (Libc.Mkdir(temporary, 0x1c0 /* 0700 */) != 0)
        {
            int errno = ErrnoText.Last;
            if (errno != (int)Errno.EEXIST) throw new SystemCallException("mkdir", temporary, errno);
            // Another create of this id is making it (it holds the lock), or one was killed doing so.
            if (!RemoveAbandonedTemporary(id)) throw new ContainerExistsException(id);
            if (Libc.Mkdir(temporary, 0x1c0) != 0) throw new SystemCallException("mkdir", temporary, ErrnoText.Last);
        }
        FileLock held;
        try
        {
            held = FileLock.OnDirectory(temporary);
        }
        catch
        {
            Directory.Delete(temporary);
            throw;
        }
        if (Libc.RenameAt2(Libc.AT_FDCWD, temporary, Libc.AT_FDCWD, directory, Libc.RENAME_NOREPLACE) != 0)
        {
            int errno = ErrnoText.Last;
            Directory.Delete(temporary);
            held.Dispose();
            if (errno is (int)Errno.EEXIST or (int)Errno.ENOTEMPTY) throw new ContainerExistsException(id);
            throw new SystemCallException("rename", directory, errno);
        }
        return new ContainerLock(held);
    }

    private string TemporaryDirectory(string id) => Path.Combine(Root, "@new:" + id);

    /// <summary>Removes ROOT/@new:ID when no create holds it; false when one does.</summary>
    public bool RemoveAbandonedTemporary(string id)
    {
        string temporary = TemporaryDirectory(id);
        using FileLock? held = FileLock.TryOnDirectory(temporary);
        if (held is null) return !Directory.Exists(temporary);
        Directory.Delete(temporary, recursive: true);
        return true;
    }

    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root)) yield break;
        var ids = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(Root))
        {
            string id = Path.GetFileName(dir);
            if (ContainerId.IsValid(id) && HasRecord(dir)) ids.Add(id);
        }
        ids.Sort(StringComparer.Ordinal);
        foreach (string id in ids) yield return id;
    }

    /// <summary>An exclusive flock(2) on the container directory, so concurrent verbs on one id serialise.</summary>
    public ContainerLock Lock(string id) => ContainerLock.Acquire(DirectoryOf(id), id);

    /// <summary>
    /// ROOT/ID was left by a `create` that died before its init existed: no record, or the record written
    /// before the clone (no pid), and nobody holds its lock (a create in progress does).
    /// </summary>
    public bool IsAbandoned(string id)
    {
        string dir = DirectoryOf(id);
        using FileLock? held = FileLock.TryOnDirectory(dir);
        if (held is null) return false;
        if (!HasRecord(dir)) return true;
        try
        {
            return Load(id).Pid <= 0;
        }
        catch (RuntimeException)
        {
            return false; // an unreadable record is left for the user to look at
        }
    }

    /// <summary>True while another process holds the directory's lock (a verb in progress on it).</summary>
    public static bool IsLocked(string directory)
    {
        using FileLock? held = FileLock.TryOnDirectory(directory);
        return held is null && Directory.Exists(directory);
    }
}

public sealed class ContainerLock : IDisposable
{
    private readonly FileLock _lock;

    internal ContainerLock(FileLock held) => _lock = held;

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
